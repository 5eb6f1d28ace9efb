// The knowledge panel's pure parts: hits and source spans arrive with UTF-8 byte offsets
// (Rust strings); the DOM counts UTF-16 units. These turn them into marked pieces.
import type { IngestProgress, KnowledgeFilters, KnowledgeMode, KnowledgeSource } from './bindings';
import { byteToUtf16 } from './offsets';

/** A piece of text, marked when it matched a query term (or is the hit's span). */
export interface Piece {
  text: string;
  mark: boolean;
}

/**
 * `text` cut into marked and plain pieces at the byte ranges `ranges` (sorted or not;
 * overlapping ranges are merged, ranges past the end are clamped).
 */
export function markPieces(text: string, ranges: readonly (readonly [number, number])[]): Piece[] {
  const sorted = [...ranges].filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  const pos = byteToUtf16(
    text,
    merged.flatMap(([s, e]) => [s, e]),
  );
  const pieces: Piece[] = [];
  let at = 0;
  for (const [s, e] of merged) {
    const from = pos.get(s) ?? text.length;
    const to = pos.get(e) ?? text.length;
    if (from >= to || from < at) continue;
    if (from > at) pieces.push({ text: text.slice(at, from), mark: false });
    pieces.push({ text: text.slice(from, to), mark: true });
    at = to;
  }
  if (at < text.length || pieces.length === 0) pieces.push({ text: text.slice(at), mark: false });
  return pieces;
}

/** The source text around a hit: before, the span itself, after (byte offsets in). */
export function spanParts(text: string, start: number, end: number): { before: string; span: string; after: string } {
  const pos = byteToUtf16(text, [start, end]);
  const from = pos.get(start) ?? text.length;
  const to = Math.max(from, pos.get(end) ?? text.length);
  return { before: text.slice(0, from), span: text.slice(from, to), after: text.slice(to) };
}

/** The progress bar's fill, 0–100 (0 before the file count is known). */
export function progressPercent(p: IngestProgress | null): number {
  if (!p || p.files_total === 0) return 0;
  return Math.min(100, Math.round((p.files_done / p.files_total) * 100));
}

/** "Preise › AlbAir 9", or '' at the top of a source. */
export function headingLabel(path: readonly string[]): string {
  return path.join(' › ');
}

/** Sources with problems first (errors, then skipped, changed), then the rest by path. */
export function sortSources(sources: readonly KnowledgeSource[]): KnowledgeSource[] {
  const rank = { error: 0, skipped: 1, new: 2, deleted: 2, ok: 3 } as const;
  return [...sources].sort((a, b) => rank[a.state] - rank[b.state] || a.path.localeCompare(b.path));
}

/** Chunks flagged as instructions to a model, over all sources. */
export function flaggedTotal(sources: readonly KnowledgeSource[]): number {
  return sources.reduce((n, s) => n + s.injection_chunks, 0);
}

/** The search controls of the knowledge panel: ranking mode and filters. */
export interface SearchControls {
  mode: KnowledgeMode;
  /** '' = every language. */
  lang: '' | 'de' | 'en';
  /** '' = every product. */
  product: string;
  /** ISO date (YYYY-MM-DD) or '' = no validity filter. */
  validAt: string;
}

export const defaultControls = (): SearchControls => ({ mode: 'hybrid', lang: '', product: '', validAt: '' });

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The filters for `kb_search`: null when none is set (a half-typed date counts as none). */
export function filtersOf(c: SearchControls): KnowledgeFilters | null {
  const product = c.product.trim();
  const validAt = ISO_DATE.test(c.validAt) ? c.validAt : '';
  if (!c.lang && !product && !validAt) return null;
  return { lang: c.lang || null, product: product || null, valid_at: validAt || null };
}

/** How many filters restrict the search (for the "Filters (n)" label). */
export function activeFilters(c: SearchControls): number {
  const f = filtersOf(c);
  return f ? [f.lang, f.product, f.valid_at].filter((v) => v !== null).length : 0;
}

/** A product filter whose value is no longer indexed is dropped (the list changed). */
export function keepProduct(c: SearchControls, products: readonly string[]): SearchControls {
  return c.product && !products.includes(c.product) ? { ...c, product: '' } : c;
}

/**
 * Numbers requests so that only the newest one's answer is used. Searches run in
 * parallel in the core and answer out of order: an older, slower one (hybrid embeds the
 * query, BM25 does not) must not overwrite the answer to a newer one (a mode or filter
 * just changed).
 */
export function requestCounter(): { start: () => number; isLatest: (id: number) => boolean } {
  let newest = 0;
  return {
    start: () => ++newest,
    isLatest: (id) => id === newest,
  };
}
