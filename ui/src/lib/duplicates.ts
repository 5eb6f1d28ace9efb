// The duplicates panel's pure parts: the `dup.*` findings of a check report grouped by
// the other text they name (evidence.document), with coverage and passages.
import type { CheckedFinding } from './checks';

/** Where the other text lives, from the prefix of its index id. */
export type DuplicateKind = 'documents' | 'corpus' | 'knowledge';

export interface DuplicatePassage {
  finding: CheckedFinding;
  /** Byte span in the draft (the checked source). */
  draft: [number, number];
  /** Byte span in the other text (`DuplicateSource.text`). */
  other: [number, number];
  words: number;
  /** The copied text as it reads in the other document. */
  otherText: string;
}

export interface DuplicateMatch {
  /** The index id of the other text, e.g. `corpus:website/wartung.md`. */
  id: string;
  kind: DuplicateKind;
  title: string;
  path: string | null;
  /** Share of the draft's words inside passages from this text, 0–1. */
  coverage: number;
  /** Shingle Jaccard similarity, when known, 0–1. */
  jaccard: number | null;
  nearDuplicate: boolean;
  /** The highest embedding similarity (document, title or keyphrase) when the check
   * found the texts on the same topic (`dup.same_topic`), else null. */
  sameTopic: number | null;
  passages: DuplicatePassage[];
}

interface Evidence {
  document?: string;
  path?: string | null;
  title?: string | null;
  other_span?: { start: number; end: number };
  other_text?: string | null;
  words?: number;
  coverage?: number;
  jaccard?: number;
  document_cosine?: number;
  title_cosine?: number | null;
  keyphrase_cosine?: number | null;
}

const CODES = new Set(['dup.copied_passage', 'dup.near_duplicate', 'dup.same_topic']);

export function kindOf(id: string): DuplicateKind {
  if (id.startsWith('doc:')) return 'documents';
  if (id.startsWith('kb:')) return 'knowledge';
  return 'corpus';
}

/**
 * The matches of a report's findings, highest score first (near-duplicates, then by
 * coverage, then same-topic similarity); passages in draft order.
 */
export function duplicateMatches(findings: readonly CheckedFinding[]): DuplicateMatch[] {
  const byId = new Map<string, DuplicateMatch>();
  for (const f of findings) {
    const code = f.finding.code;
    if (f.finding.check !== 'duplicates' || !CODES.has(code)) continue;
    const ev = (f.finding.evidence ?? {}) as Evidence;
    if (!ev.document) continue;
    let m = byId.get(ev.document);
    if (!m) {
      m = {
        id: ev.document,
        kind: kindOf(ev.document),
        title: ev.title || ev.path || ev.document,
        path: ev.path ?? null,
        coverage: 0,
        jaccard: null,
        nearDuplicate: false,
        sameTopic: null,
        passages: [],
      };
      byId.set(ev.document, m);
    }
    if (code === 'dup.same_topic') {
      const cosines = [ev.document_cosine, ev.title_cosine, ev.keyphrase_cosine].filter((c) => typeof c === 'number');
      m.sameTopic = Math.max(m.sameTopic ?? 0, ...cosines);
      continue;
    }
    if (typeof ev.coverage === 'number') m.coverage = Math.max(m.coverage, ev.coverage);
    if (typeof ev.jaccard === 'number') m.jaccard = Math.max(m.jaccard ?? 0, ev.jaccard);
    if (code === 'dup.near_duplicate') m.nearDuplicate = true;
    else if (ev.other_span) {
      m.passages.push({
        finding: f,
        draft: [f.finding.span.start, f.finding.span.end],
        other: [ev.other_span.start, ev.other_span.end],
        words: ev.words ?? 0,
        otherText: ev.other_text ?? '',
      });
    }
  }
  const out = [...byId.values()];
  for (const m of out) m.passages.sort((a, b) => a.draft[0] - b.draft[0]);
  out.sort(
    (a, b) =>
      Number(b.nearDuplicate) - Number(a.nearDuplicate) ||
      b.coverage - a.coverage ||
      (b.sameTopic ?? 0) - (a.sameTopic ?? 0) ||
      a.title.localeCompare(b.title),
  );
  return out;
}

/** Why the same-topic signal did not run (`dup.same_topic_skipped`), if it did not. */
export function topicSkipped(findings: readonly CheckedFinding[]): string | null {
  const f = findings.find((x) => x.finding.check === 'duplicates' && x.finding.code === 'dup.same_topic_skipped');
  return f ? f.finding.message.text : null;
}

/** Whether a match shares text with the draft (not only its topic). */
export function overlaps(m: DuplicateMatch): boolean {
  return m.nearDuplicate || m.passages.length > 0 || m.coverage > 0;
}

/** The panel's score of a match, 0–100: the larger of coverage and Jaccard similarity. */
export function matchScore(m: DuplicateMatch): number {
  return Math.round(Math.max(m.coverage, m.jaccard ?? 0) * 100);
}

/** A passage's text shortened for the list: its first and last words around " … ". */
export function shorten(text: string, max = 140): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const half = Math.floor((max - 3) / 2);
  return `${t.slice(0, half).trimEnd()} … ${t.slice(t.length - half).trimStart()}`;
}
