import { describe, expect, it } from 'vitest';
import {
  aiShare,
  citationMarkers,
  citationTargets,
  markerAt,
  numberAt,
  provenanceRuns,
  resolves,
  sharePercent,
} from './draft';
import { utf8Length } from './offsets';

const DRAFT = [
  '# Wärmepumpe im Altbau',
  '',
  'Die AlbAir 9 kostet 12.490 € [1]. Sie ist leise [2][3] und effizient [1, 2].',
  'Siehe [Preisliste](https://example.com) und [4].',
  '',
  '[1]: knowledge/preisliste-2026.md#bytes=120-480 "Preise › Wärmepumpen"',
  '[2]: knowledge/produkte/alb%20air.md#bytes=0-90',
  '[3]: knowledge/faq.md#bytes=10-20 "FAQ"',
].join('\n');

describe('citation targets', () => {
  it('reads every reference definition with path, byte span and title', () => {
    const t = citationTargets(DRAFT);
    expect([...t.keys()]).toEqual([1, 2, 3]);
    expect(t.get(1)).toEqual({ number: 1, path: 'preisliste-2026.md', start: 120, end: 480, title: 'Preise › Wärmepumpen' });
    expect(t.get(2)?.path).toBe('produkte/alb air.md');
    expect(t.get(2)?.title).toBe('');
  });

  it('ignores lines in another form', () => {
    const t = citationTargets('[1]: https://example.com\n[x]: knowledge/a.md#bytes=1-2\n[2]: knowledge/a.md#bytes=a-2');
    expect(t.size).toBe(0);
  });
});

describe('citation markers', () => {
  it('finds markers in the body, joins adjacent ones, skips definitions and link text', () => {
    const m = citationMarkers(DRAFT);
    const texts = m.map((x) => DRAFT.slice(x.from, x.to));
    expect(texts).toEqual(['[1]', '[2][3]', '[1, 2]', '[4]']);
    expect(m.map((x) => x.numbers)).toEqual([[1], [2, 3], [1, 2], [4]]);
  });

  it('expands ranges and refuses non-numbers', () => {
    const text = 'a [1-3] b [Quelle] c [2026 und] d [7–8]';
    expect(citationMarkers(text).map((x) => x.numbers)).toEqual([[1, 2, 3], [7, 8]]);
  });

  it('knows which markers resolve, and which number a click means', () => {
    const targets = citationTargets(DRAFT);
    const m = citationMarkers(DRAFT);
    expect(m.map((x) => resolves(x, targets))).toEqual([true, true, true, false]);
    const both = m[2]!;
    const two = DRAFT.indexOf('2', both.from);
    expect(numberAt(DRAFT, both, two, targets)).toBe(2);
    expect(numberAt(DRAFT, both, both.from, targets)).toBe(1);
    expect(numberAt(DRAFT, m[3]!, m[3]!.from, targets)).toBeNull();
    expect(markerAt(m, m[1]!.from + 1)).toBe(m[1]);
    expect(markerAt(m, 0)).toBeNull();
  });

  it('never throws on random bracket soup', () => {
    const parts = ['[', ']', '1', '23', ',', '-', ' ', '(', ':', '\n', 'ä', 'x'];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % parts.length);
    for (let round = 0; round < 500; round++) {
      let s = '';
      for (let i = 0; i < 40; i++) s += parts[rnd()];
      for (const mk of citationMarkers(s)) {
        expect(mk.from).toBeGreaterThanOrEqual(0);
        expect(mk.to).toBeLessThanOrEqual(s.length);
        expect(s[mk.from]).toBe('[');
        expect(s[mk.to - 1]).toBe(']');
      }
    }
  });
});

describe('provenance gutter', () => {
  const text = 'Erste Zeile von KI.\n\nZweite Zeile: Mensch.\nDritte Zeile gemischt.\nVierte Zeile KI.';
  const byteOf = (s: string) => utf8Length(text.slice(0, text.indexOf(s)));

  it('marks lines as ai, human or mixed and joins runs', () => {
    const spans = [
      { start: 0, end: byteOf('\n\nZweite'), origin: 'ai' as const },
      { start: byteOf('Dritte'), end: byteOf('gemischt'), origin: 'ai' as const },
      { start: byteOf('Vierte'), end: utf8Length(text), origin: 'ai' as const },
      { start: byteOf('Zweite'), end: byteOf('Dritte'), origin: 'human' as const },
    ];
    expect(provenanceRuns(text, spans)).toEqual([
      { fromLine: 1, toLine: 1, state: 'ai' },
      { fromLine: 3, toLine: 3, state: 'human' },
      { fromLine: 4, toLine: 4, state: 'mixed' },
      { fromLine: 5, toLine: 5, state: 'ai' },
    ]);
  });

  it('counts multi-byte text in bytes and treats uncovered text as human', () => {
    const t = 'Größe: 5 m²\nÄnderung';
    const first = utf8Length('Größe: 5 m²');
    expect(provenanceRuns(t, [{ start: 0, end: first, origin: 'ai' }])).toEqual([
      { fromLine: 1, toLine: 1, state: 'ai' },
      { fromLine: 2, toLine: 2, state: 'human' },
    ]);
    expect(provenanceRuns(t, [])).toEqual([{ fromLine: 1, toLine: 2, state: 'human' }]);
  });

  it('computes the AI share', () => {
    expect(aiShare([{ start: 0, end: 25, origin: 'ai' }, { start: 25, end: 100, origin: 'human' }], 100)).toBe(0.25);
    expect(aiShare([], 0)).toBe(0);
    expect(sharePercent(0.001)).toBe(1);
    expect(sharePercent(0)).toBe(0);
    expect(sharePercent(0.374)).toBe(37);
  });
});

describe('citations in the editor state', () => {
  it('resolves the marker under a position to its source span', async () => {
    const { EditorState } = await import('@codemirror/state');
    const { citationAt } = await import('./draft-editor');
    const state = EditorState.create({ doc: DRAFT });
    const at = DRAFT.indexOf('[2][3]');
    expect(citationAt(state, at + 1)).toMatchObject({ number: 2, path: 'produkte/alb air.md', start: 0, end: 90 });
    expect(citationAt(state, at + 4)).toMatchObject({ number: 3, path: 'faq.md' });
    expect(citationAt(state, DRAFT.indexOf('[4]') + 1)).toBeNull();
    expect(citationAt(state, 0)).toBeNull();
  });
});
