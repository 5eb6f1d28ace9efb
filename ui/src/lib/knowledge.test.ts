import { describe, expect, it } from 'vitest';
import type { KnowledgeSource } from './bindings';
import {
  activeFilters,
  defaultControls,
  filtersOf,
  flaggedTotal,
  headingLabel,
  keepProduct,
  markPieces,
  progressPercent,
  requestCounter,
  sortSources,
  spanParts,
} from './knowledge';

const utf8 = (s: string) => new TextEncoder().encode(s).length;

describe('markPieces', () => {
  it('marks byte ranges after umlauts at the right characters', () => {
    const text = 'Die Wärmepumpe kostet 289 Euro.';
    const s = utf8('Die Wärmepumpe kostet ');
    const pieces = markPieces(text, [[s, s + 3]]);
    expect(pieces).toEqual([
      { text: 'Die Wärmepumpe kostet ', mark: false },
      { text: '289', mark: true },
      { text: ' Euro.', mark: false },
    ]);
  });

  it('merges overlapping ranges, ignores empty ones and keeps the whole text', () => {
    const text = 'Wartungsvertrag Basis';
    const pieces = markPieces(text, [
      [16, 21],
      [0, 10],
      [5, 15],
      [3, 3],
    ]);
    expect(pieces.filter((p) => p.mark).map((p) => p.text)).toEqual(['Wartungsvertrag', 'Basis']);
    expect(pieces.map((p) => p.text).join('')).toBe(text);
  });

  it('returns the text unmarked without ranges', () => {
    expect(markPieces('abc', [])).toEqual([{ text: 'abc', mark: false }]);
    expect(markPieces('', [])).toEqual([{ text: '', mark: false }]);
  });
});

describe('spanParts', () => {
  it('cuts the source at byte offsets', () => {
    const text = '# Preise\n\nGrüße: 289 €\n';
    const start = utf8('# Preise\n\n');
    const end = start + utf8('Grüße: 289 €');
    const parts = spanParts(text, start, end);
    expect(parts.span).toBe('Grüße: 289 €');
    expect(parts.before + parts.span + parts.after).toBe(text);
  });

  it('clamps offsets past the end', () => {
    expect(spanParts('abc', 1, 99)).toEqual({ before: 'a', span: 'bc', after: '' });
  });
});

describe('progress and sources', () => {
  it('computes the bar fill', () => {
    expect(progressPercent(null)).toBe(0);
    expect(progressPercent({ files_done: 0, files_total: 0, chunks: 0, current: null })).toBe(0);
    expect(progressPercent({ files_done: 3, files_total: 4, chunks: 9, current: 'a.md' })).toBe(75);
  });

  it('joins heading paths', () => {
    expect(headingLabel(['Preise', 'AlbAir 9'])).toBe('Preise › AlbAir 9');
    expect(headingLabel([])).toBe('');
  });

  it('puts problems first and counts flags', () => {
    const src = (path: string, state: KnowledgeSource['state'], flags = 0): KnowledgeSource => ({
      path,
      state,
      message: null,
      chunks: 1,
      injection_chunks: flags,
      ingested_at: null,
    });
    const sorted = sortSources([src('b.md', 'ok', 2), src('a.md', 'ok'), src('x.png', 'skipped'), src('c.pdf', 'error')]);
    expect(sorted.map((s) => s.path)).toEqual(['c.pdf', 'x.png', 'a.md', 'b.md']);
    expect(flaggedTotal(sorted)).toBe(2);
  });
});

describe('search controls', () => {
  it('start as hybrid without filters', () => {
    const c = defaultControls();
    expect(c.mode).toBe('hybrid');
    expect(filtersOf(c)).toBeNull();
    expect(activeFilters(c)).toBe(0);
  });

  it('send only the filters that are set, trimmed', () => {
    const c = { ...defaultControls(), lang: 'de' as const, product: ' AlbAir 9 ' };
    expect(filtersOf(c)).toEqual({ lang: 'de', product: 'AlbAir 9', valid_at: null });
    expect(activeFilters(c)).toBe(2);
  });

  it('ignore a half-typed date and pass a complete one', () => {
    expect(filtersOf({ ...defaultControls(), validAt: '2026-0' })).toBeNull();
    expect(filtersOf({ ...defaultControls(), validAt: '2026-03-01' })).toEqual({
      lang: null,
      product: null,
      valid_at: '2026-03-01',
    });
  });

  it('drop a product that is no longer indexed, keep one that is', () => {
    const c = { ...defaultControls(), product: 'AlbAir 6' };
    expect(keepProduct(c, ['AlbAir 9']).product).toBe('');
    expect(keepProduct(c, ['AlbAir 6', 'AlbAir 9'])).toBe(c);
  });
});

describe('requestCounter', () => {
  it('keeps the newest answer when an older search answers last', async () => {
    const searches = requestCounter();
    let shown = '';
    const answer = (value: string, ms: number) => new Promise<string>((r) => setTimeout(() => r(value), ms));
    const run = async (value: string, ms: number) => {
      const id = searches.start();
      const a = await answer(value, ms);
      if (searches.isLatest(id)) shown = a;
    };
    // Hybrid without a filter is slow; BM25 with the product filter, started after it, is fast.
    await Promise.all([run('hybrid, all products', 30), run('bm25, AlbAir 6', 1)]);
    expect(shown).toBe('bm25, AlbAir 6');
    const a = searches.start();
    expect(searches.isLatest(a)).toBe(true);
    searches.start();
    expect(searches.isLatest(a)).toBe(false);
  });
});
