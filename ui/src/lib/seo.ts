// The SEO panel's logic, apart from Svelte and the editor: assessments in editor positions,
// grouped and ordered as the panel lists them, the measured values with their units, the
// overall scores as traffic lights, places of a checked text in the text the editor holds
// now, and writing a front matter key (the focus keyphrase) as one editor change.
import type { Assessment, AssessmentGroup, Rating, SeoOverview } from './bindings';
import { convertFindings, type CheckedFinding, type EditorChange, type Range } from './checks';
import { byteToUtf16 } from './offsets';

/** One assessment with its places converted to UTF-16 (CodeMirror) positions. */
export interface SeoItem {
  /** Index in the report's assessments; stable for one report. */
  index: number;
  assessment: Assessment;
  marks: Range[];
}

/** A report for one text, ready for the panel. */
export interface SeoResult {
  /** Increases with every delivered report. */
  seq: number;
  docId: string;
  text: string;
  overview: SeoOverview;
  groups: { group: AssessmentGroup; items: SeoItem[] }[];
  /** Workspace-wide findings (cannibalization, internal-link suggestions). */
  site: CheckedFinding[];
}

const RATING_RANK: Record<Rating, number> = { bad: 0, ok: 1, good: 2 };
export const RATINGS: readonly Rating[] = ['bad', 'ok', 'good'];

/** Problems first, then improvements, then good results; the engine's order within each. */
export function byRating(items: readonly SeoItem[]): SeoItem[] {
  return [...items].sort(
    (a, b) => RATING_RANK[a.assessment.rating] - RATING_RANK[b.assessment.rating] || a.index - b.index,
  );
}

export function convertSeo(text: string, overview: SeoOverview): Omit<SeoResult, 'seq' | 'docId'> {
  const assessments = overview.report.assessments;
  const offsets: number[] = [];
  for (const a of assessments) for (const m of a.marks) offsets.push(m.start, m.end);
  const map = byteToUtf16(text, offsets);
  const pos = (byte: number) => map.get(byte) ?? text.length;
  const items: SeoItem[] = assessments.map((assessment, index) => ({
    index,
    assessment,
    marks: assessment.marks.map((m) => {
      const from = pos(m.start);
      return { from, to: Math.max(from, pos(m.end)) };
    }),
  }));
  const groups = (['seo', 'readability'] as const).map((group) => ({
    group,
    items: byRating(items.filter((i) => i.assessment.group === group)),
  }));
  return { text, overview, groups, site: convertFindings(text, overview.site) };
}

export function countRatings(items: readonly SeoItem[]): Record<Rating, number> {
  const n: Record<Rating, number> = { bad: 0, ok: 0, good: 0 };
  for (const i of items) n[i.assessment.rating]++;
  return n;
}

/**
 * The traffic light of an overall score (0–100) as yoastseo draws it: above 70 good,
 * above 40 ok, else bad. The readability total is 30, 60 or 90.
 */
export function totalRating(score: number): Rating {
  if (score > 70) return 'good';
  if (score > 40) return 'ok';
  return 'bad';
}

// Measured values ---------------------------------------------------------------

export type ValueUnit = 'percent' | 'words' | 'characters' | 'pixels' | 'count' | 'position' | 'index';

/** What each assessment's `value` measures (see crates/imprimatur-seo). */
export const VALUE_UNITS: Readonly<Record<string, ValueUnit>> = {
  'seo.keyphrase_length': 'words',
  'seo.keyphrase_density': 'percent',
  'seo.keyphrase_in_meta_description': 'count',
  'seo.meta_description_length': 'characters',
  'seo.keyphrase_in_subheadings': 'percent',
  'seo.competing_links': 'count',
  'seo.keyphrase_in_image_alt': 'count',
  'seo.images': 'count',
  'seo.text_length': 'words',
  'seo.external_links': 'count',
  'seo.internal_links': 'count',
  'seo.keyphrase_in_title': 'position',
  'seo.title_width': 'pixels',
  'seo.keyphrase_in_slug': 'percent',
  'seo.single_h1': 'count',
  'readability.subheading_distribution': 'words',
  'readability.paragraph_length': 'words',
  'readability.sentence_length': 'percent',
  'readability.transition_words': 'percent',
  'readability.passive_voice': 'percent',
  'readability.sentence_beginnings': 'count',
  'readability.flesch_reading_ease': 'index',
  'readability.wiener_sachtextformel': 'index',
  'readability.lix': 'index',
};

/** A measured value ready for the message keys `seo_value_<unit>`; null when there is none. */
export function measuredValue(id: string, value: number | null): { unit: ValueUnit; value: number } | null {
  if (value === null || !Number.isFinite(value)) return null;
  const unit = VALUE_UNITS[id] ?? 'index';
  // The title assessment stores the keyphrase's word position, -1 when it is not there.
  if (unit === 'position' && value < 0) return null;
  const digits = unit === 'percent' || unit === 'index' || unit === 'pixels' ? 1 : 0;
  const f = 10 ** digits;
  return { unit, value: unit === 'position' ? value + 1 : Math.round(value * f) / f };
}

// Places in a changed text --------------------------------------------------------

/**
 * Where `range` of `checked` is in `current`, the editor's text now. The two texts differ
 * in one stretch (everything between their common start and common end); a range before
 * it stays, one after it moves by the length difference, one that overlaps it collapses
 * to the start of the changed stretch. `null` only if the range lies outside `checked`.
 */
export function mapRangeToCurrent(checked: string, current: string, range: Range): Range | null {
  if (range.from < 0 || range.to > checked.length || range.from > range.to) return null;
  if (checked === current) return { ...range };
  const max = Math.min(checked.length, current.length);
  let prefix = 0;
  while (prefix < max && checked.charCodeAt(prefix) === current.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (
    suffix < max - prefix &&
    checked.charCodeAt(checked.length - 1 - suffix) === current.charCodeAt(current.length - 1 - suffix)
  )
    suffix++;
  const changedEnd = checked.length - suffix;
  const delta = current.length - checked.length;
  if (range.to <= prefix) return { ...range };
  if (range.from >= changedEnd) return { from: range.from + delta, to: range.to + delta };
  return { from: prefix, to: prefix };
}

// Front matter ---------------------------------------------------------------------

export interface FrontMatterBlock {
  /** Position of the first YAML line (after the opening `---` line). */
  yamlStart: number;
  /** Position of the closing `---` (or `...`) line. */
  yamlEnd: number;
}

/** The YAML between `---` lines at the very top, as the Rust parser finds it; null if none. */
export function frontMatterBlock(text: string): FrontMatterBlock | null {
  const bom = text.startsWith('\ufeff') ? 1 : 0;
  const firstEnd = text.indexOf('\n', bom);
  if (firstEnd < 0 || text.slice(bom, firstEnd).trimEnd() !== '---') return null;
  let pos = firstEnd + 1;
  while (pos <= text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(pos, end).trimEnd();
    if (line === '---' || line === '...') return { yamlStart: firstEnd + 1, yamlEnd: pos };
    if (nl < 0) break;
    pos = nl + 1;
  }
  return null;
}

/**
 * The lines of top-level `key` in the front matter: its own line and the indented or
 * empty lines that continue its value (a list, a block scalar). Null if the key is not set.
 */
export function frontMatterEntry(text: string, key: string): Range | null {
  const block = frontMatterBlock(text);
  if (!block) return null;
  let pos = block.yamlStart;
  let start = -1;
  let end = -1;
  while (pos < block.yamlEnd) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl < 0 || nl > block.yamlEnd ? block.yamlEnd : nl + 1;
    const line = text.slice(pos, lineEnd);
    if (start < 0) {
      if (line.startsWith(`${key}:`)) {
        start = pos;
        end = lineEnd;
      }
    } else if (/^[ \t]/.test(line) || line.trim() === '') {
      end = lineEnd;
    } else {
      break;
    }
    pos = lineEnd;
  }
  if (start < 0) return null;
  // Trailing empty lines stay where they are.
  while (end > start && text.slice(start, end).endsWith('\n\n')) end--;
  return { from: start, to: end };
}

/** The value's text on the key's line (for selecting it from the panel). */
export function frontMatterValueRange(text: string, key: string): Range | null {
  const entry = frontMatterEntry(text, key);
  if (!entry) return null;
  const lineEnd = text.indexOf('\n', entry.from);
  const end = lineEnd < 0 || lineEnd > entry.to ? entry.to : lineEnd;
  let from = entry.from + key.length + 1;
  while (from < end && (text[from] === ' ' || text[from] === '\t')) from++;
  return { from, to: Math.max(from, end) };
}

const YAML_WORDS = /^(true|false|yes|no|on|off|null|y|n)$/i;

/** `value` as a YAML scalar: plain when that reads back the same, else double-quoted. */
export function yamlScalar(value: string): string {
  const plain =
    /^[\p{L}\p{N}][\p{L}\p{N} \-–.,()/&’'+]*$/u.test(value) &&
    !/[ ]$/.test(value) &&
    !YAML_WORDS.test(value) &&
    !/^[-+]?(\d|\.\d)/.test(value) &&
    !value.includes(': ') &&
    !value.includes(' #');
  // JSON strings are valid YAML double-quoted scalars.
  return plain ? value : JSON.stringify(value);
}

/**
 * The one change that sets top-level `key` of the front matter to `value` (removes it
 * when `value` is empty): replaces the key's line(s), adds the line before the closing
 * `---`, or adds a front matter block at the top. Null when nothing would change.
 */
export function setFrontMatterValue(text: string, key: string, value: string): EditorChange | null {
  const v = value.replace(/\s+/g, ' ').trim();
  const line = v === '' ? '' : `${key}: ${yamlScalar(v)}\n`;
  const entry = frontMatterEntry(text, key);
  if (entry) {
    const old = text.slice(entry.from, entry.to);
    const replacement = old.endsWith('\n') || line === '' ? line : line.slice(0, -1);
    if (old === replacement) return null;
    return { from: entry.from, to: entry.to, insert: replacement };
  }
  if (line === '') return null;
  const block = frontMatterBlock(text);
  if (block) return { from: block.yamlEnd, to: block.yamlEnd, insert: line };
  const at = text.startsWith('\ufeff') ? 1 : 0;
  return { from: at, to: at, insert: `---\n${line}---\n` + (text.length > at && !text.startsWith('\n', at) ? '\n' : '') };
}

// The snippet preview ----------------------------------------------------------

/** "waermewerk-albtal.de › ratgeber › waermepumpe-im-altbau": how Google shows the URL. */
export function serpBreadcrumb(host: string | null, slug: string): string[] {
  const parts = slug.split('/').map((p) => p.trim()).filter((p) => p !== '');
  return [host ?? '', ...parts];
}
