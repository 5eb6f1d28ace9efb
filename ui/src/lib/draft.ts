// The generated draft's pure parts in the editor: `[n]` citation markers and the
// reference definitions they resolve to (`[3]: knowledge/faq.md#bytes=120-480 "FAQ"`,
// written by imprimatur-draft at the end of a draft, so citations survive edits), and
// the provenance spans (AI text vs. a person's edits) as line ranges for the gutter.
// Positions here are UTF-16 (CodeMirror); the Rust side counts UTF-8 bytes.
import { byteToUtf16 } from './offsets';

/** Where a citation number points: a knowledge source and a byte span of its extracted text. */
export interface CitationTarget {
  number: number;
  /** Relative to `knowledge/`, as the knowledge panel and `kb_source` name it. */
  path: string;
  start: number;
  end: number;
  /** Headings above the chunk, for the tooltip. */
  title: string;
}

/** A `[n]` / `[n, m]` / `[n][m]` / `[1-3]` marker in the text (UTF-16 positions). */
export interface CitationMarker {
  from: number;
  to: number;
  numbers: number[];
}

const DEFINITION = /^\[(\d+)\]: knowledge\/(\S+?)#bytes=(\d+)-(\d+)(?:\s+"([^"]*)")?\s*$/;

/** Every reference definition of `text`, by number (the last one wins, as in Markdown). */
export function citationTargets(text: string): Map<number, CitationTarget> {
  const out = new Map<number, CitationTarget>();
  for (const line of text.split('\n')) {
    const m = DEFINITION.exec(line.replace(/\r$/, ''));
    if (!m) continue;
    const number = Number(m[1]);
    out.set(number, {
      number,
      path: decodePath(m[2] ?? ''),
      start: Number(m[3]),
      end: Number(m[4]),
      title: m[5] ?? '',
    });
  }
  return out;
}

function decodePath(p: string): string {
  return p.replace(/%20/g, ' ');
}

/** The numbers inside one bracket: `1`, `1, 2`, `1-3` (a range at most 20 long). */
function bracketNumbers(inner: string): number[] | null {
  const out: number[] = [];
  for (const part of inner.split(',')) {
    const p = part.trim();
    const range = /^(\d{1,4})\s*[-–]\s*(\d{1,4})$/.exec(p);
    if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      if (b < a || b - a > 20) return null;
      for (let n = a; n <= b; n++) out.push(n);
    } else if (/^\d{1,4}$/.test(p)) {
      out.push(Number(p));
    } else {
      return null;
    }
  }
  return out.length > 0 ? out : null;
}

/**
 * The citation markers of `text`: bracketed numbers that are not a reference definition
 * (`[1]: …` at a line start) nor link text (`[1](…)`, `[1][ref]` with a non-number).
 * Adjacent markers (`[2][3]`) are one marker naming both.
 */
export function citationMarkers(text: string): CitationMarker[] {
  const out: CitationMarker[] = [];
  const re = /\[([0-9][0-9,\s\-–]*)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const from = m.index;
    const to = from + m[0].length;
    const lineStart = text.lastIndexOf('\n', from - 1) + 1;
    if (from === lineStart && text[to] === ':') continue; // a reference definition
    if (text[to] === '(') continue; // a link's text
    const numbers = bracketNumbers(m[1] ?? '');
    if (!numbers) continue;
    const last = out[out.length - 1];
    if (last && last.to === from) {
      last.to = to;
      last.numbers.push(...numbers);
    } else {
      out.push({ from, to, numbers });
    }
  }
  return out;
}

/** The marker at (or touching) position `pos`, if any. */
export function markerAt(markers: readonly CitationMarker[], pos: number): CitationMarker | null {
  for (const m of markers) {
    if (pos >= m.from && pos <= m.to) return m;
    if (m.from > pos) break;
  }
  return null;
}

/**
 * Which number of `marker` a click at `pos` means: in `[1, 2]` the number under the
 * pointer, else the first one that resolves.
 */
export function numberAt(text: string, marker: CitationMarker, pos: number, targets: Map<number, CitationTarget>): number | null {
  const inner = text.slice(marker.from, marker.to);
  const re = /\d+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(inner))) {
    const a = marker.from + m.index;
    if (pos >= a && pos <= a + m[0].length && targets.has(Number(m[0]))) return Number(m[0]);
  }
  return marker.numbers.find((n) => targets.has(n)) ?? null;
}

/** Whether every number of `marker` has a reference definition. */
export function resolves(marker: CitationMarker, targets: Map<number, CitationTarget>): boolean {
  return marker.numbers.every((n) => targets.has(n));
}

// Provenance ------------------------------------------------------------------

/** Who wrote a span of the current revision. */
export type Author = 'ai' | 'human';

/** A span of the revision's text in UTF-8 bytes, as the store reports it. */
export interface ProvenanceSpan {
  start: number;
  end: number;
  origin: Author | string;
}

/** One line's state in the gutter: all AI text, all by a person, or both. */
export type LineProvenance = 'ai' | 'human' | 'mixed';

/** A run of lines with the same state (1-based, inclusive), plus its UTF-16 range. */
export interface GutterRun {
  fromLine: number;
  toLine: number;
  state: LineProvenance;
}

/**
 * The provenance of each line of `text` from byte spans: a line is `ai` when all its
 * non-blank characters are AI text, `human` when none are, else `mixed`. Lines without
 * text (blank) take no state and break runs; bytes no span covers count as human.
 */
export function provenanceRuns(text: string, spans: readonly ProvenanceSpan[]): GutterRun[] {
  const aiSpans = spans.filter((s) => s.origin === 'ai' && s.end > s.start);
  const pos = byteToUtf16(text, aiSpans.flatMap((s) => [s.start, s.end]));
  const ai = aiSpans
    .map((s) => [pos.get(s.start) ?? 0, pos.get(s.end) ?? text.length] as const)
    .sort((a, b) => a[0] - b[0]);
  const runs: GutterRun[] = [];
  let lineNo = 0;
  let at = 0;
  let k = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    const start = at;
    const end = at + line.length;
    at = end + 1;
    if (line.trim() === '') continue;
    let aiChars = 0;
    let chars = 0;
    while (k < ai.length && (ai[k]?.[1] ?? 0) <= start) k++;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9) continue;
      chars++;
      for (let j = k; j < ai.length; j++) {
        const [a, b] = ai[j] ?? [0, 0];
        if (a > i) break;
        if (i < b) {
          aiChars++;
          break;
        }
      }
    }
    const state: LineProvenance = aiChars === 0 ? 'human' : aiChars === chars ? 'ai' : 'mixed';
    const last = runs[runs.length - 1];
    if (last && last.state === state && last.toLine === lineNo - 1) last.toLine = lineNo;
    else runs.push({ fromLine: lineNo, toLine: lineNo, state });
  }
  return runs;
}

/** The share of AI text in `spans` over a text of `totalBytes` bytes (0 … 1). */
export function aiShare(spans: readonly ProvenanceSpan[], totalBytes: number): number {
  if (totalBytes <= 0) return 0;
  const ai = spans.filter((s) => s.origin === 'ai').reduce((sum, s) => sum + Math.max(0, s.end - s.start), 0);
  return Math.min(1, ai / totalBytes);
}

/** A share as a whole percentage for display ("37 %"), never 0 for some AI text. */
export function sharePercent(share: number): number {
  if (share <= 0) return 0;
  return Math.max(1, Math.round(share * 100));
}
