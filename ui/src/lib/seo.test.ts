import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Assessment, SeoOverview } from './bindings';
import { utf16ToByte } from './offsets';
import {
  byRating,
  convertSeo,
  countRatings,
  frontMatterBlock,
  frontMatterEntry,
  frontMatterValueRange,
  mapRangeToCurrent,
  measuredValue,
  serpBreadcrumb,
  setFrontMatterValue,
  totalRating,
  yamlScalar,
} from './seo';
import { SeoPanel } from './seo.svelte';

const TEXT =
  '---\ntitle: "Wärmepumpe im Altbau: Was Sie wissen müssen"\nkeyphrase: Wärmepumpe im Altbau\nsynonyms:\n  - Heizungstausch\n  - Altbau-Wärmepumpe\nlang: de\n---\n\n# Wärmepumpe im Altbau\n\nÄltere Häuser brauchen höhere Vorlauftemperaturen.\n';

function span(text: string, from: number, to: number) {
  return { start: utf16ToByte(text, from), end: utf16ToByte(text, to), line: 1, column: 1 };
}

function assessment(id: string, rating: Assessment['rating'], over: Partial<Assessment> = {}): Assessment {
  return {
    id,
    group: id.startsWith('seo.') ? 'seo' : 'readability',
    score: rating === 'good' ? 9 : rating === 'ok' ? 6 : 3,
    rating,
    message: { key: id, args: {}, text: id },
    message_de: `de ${id}`,
    message_en: `en ${id}`,
    value: null,
    marks: [],
    scored: true,
    ...over,
  };
}

function overview(assessments: Assessment[]): SeoOverview {
  const serpTitle = { width_px: 100, max_px: 600, truncate_at: null, display: 'T' };
  return {
    report: {
      lang: 'de',
      assessments,
      seo_score: 67,
      readability_score: 60,
      stats: {
        words: 10,
        sentences: 2,
        syllables: 20,
        polysyllables: 1,
        monosyllables: 5,
        long_words: 3,
        flesch_reading_ease: 50,
        wiener_sachtextformel: 8,
        lix: 40,
      },
      keyphrase_count: 1,
      keyphrase_density: 1.5,
      serp: {
        title: 'T',
        desktop: serpTitle,
        mobile: serpTitle,
        description: '',
        description_desktop: { ...serpTitle, max_px: 920, display: '' },
        description_mobile: { ...serpTitle, max_px: 680, display: '' },
        slug: '',
      },
    },
    front_matter: {
      title: null,
      description: null,
      slug: null,
      keyphrase: 'Wärmepumpe im Altbau',
      synonyms: [],
      lang: 'de',
      cornerstone: false,
      confidential: false,
      brief: null,
      extra: {},
    },
    site: [],
    host: null,
  };
}

describe('assessments for the panel', () => {
  it('converts byte marks to editor positions past umlauts and lists problems first', () => {
    const body = TEXT.indexOf('Ältere');
    const end = TEXT.indexOf('.', body);
    const o = overview([
      assessment('seo.keyphrase_in_title', 'good'),
      assessment('readability.sentence_length', 'ok', { marks: [span(TEXT, body, end)] }),
      assessment('seo.keyphrase_density', 'bad', { value: 0.4 }),
      assessment('seo.single_h1', 'ok'),
    ]);
    const r = convertSeo(TEXT, o);
    expect(r.groups.map((g) => g.group)).toEqual(['seo', 'readability']);
    expect(r.groups[0].items.map((i) => i.assessment.id)).toEqual([
      'seo.keyphrase_density',
      'seo.single_h1',
      'seo.keyphrase_in_title',
    ]);
    const sentence = r.groups[1].items[0];
    expect(TEXT.slice(sentence.marks[0].from, sentence.marks[0].to)).toBe(
      'Ältere Häuser brauchen höhere Vorlauftemperaturen',
    );
    expect(countRatings(r.groups[0].items)).toEqual({ bad: 1, ok: 1, good: 1 });
  });

  it('keeps the engine order within a rating', () => {
    const items = ['a', 'b', 'c'].map((id, index) => ({ index, assessment: assessment(`seo.${id}`, 'ok'), marks: [] }));
    expect(byRating(items.reverse()).map((i) => i.index)).toEqual([0, 1, 2]);
  });

  it('shows measured values with their unit, and no value where there is none', () => {
    expect(measuredValue('seo.keyphrase_density', 1.2345)).toEqual({ unit: 'percent', value: 1.2 });
    expect(measuredValue('seo.text_length', 812)).toEqual({ unit: 'words', value: 812 });
    expect(measuredValue('seo.title_width', 523.44)).toEqual({ unit: 'pixels', value: 523.4 });
    expect(measuredValue('seo.keyphrase_in_title', 0)).toEqual({ unit: 'position', value: 1 });
    expect(measuredValue('seo.keyphrase_in_title', -1)).toBeNull();
    expect(measuredValue('seo.keyphrase_in_introduction', null)).toBeNull();
    expect(measuredValue('readability.unknown_new_one', 3)).toEqual({ unit: 'index', value: 3 });
  });

  it('draws the totals as yoastseo does', () => {
    expect(totalRating(90)).toBe('good');
    expect(totalRating(71)).toBe('good');
    expect(totalRating(70)).toBe('ok');
    expect(totalRating(60)).toBe('ok');
    expect(totalRating(40)).toBe('bad');
    expect(totalRating(0)).toBe('bad');
  });
});

describe('places in a text edited since the analysis', () => {
  const checked = 'Eins zwei drei. Vier fünf.';
  it('keeps places before the edit, moves places after it, collapses places inside it', () => {
    const now = 'Eins zwei neu drei. Vier fünf.';
    expect(mapRangeToCurrent(checked, now, { from: 0, to: 4 })).toEqual({ from: 0, to: 4 });
    const vier = checked.indexOf('Vier');
    expect(mapRangeToCurrent(checked, now, { from: vier, to: vier + 4 })).toEqual({
      from: now.indexOf('Vier'),
      to: now.indexOf('Vier') + 4,
    });
    const changedAt = 'Eins zwei '.length;
    expect(mapRangeToCurrent(checked, now, { from: 5, to: 14 })).toEqual({ from: changedAt, to: changedAt });
    expect(mapRangeToCurrent(checked, checked, { from: 3, to: 9 })).toEqual({ from: 3, to: 9 });
    expect(mapRangeToCurrent(checked, now, { from: 0, to: 999 })).toBeNull();
  });
});

describe('front matter', () => {
  it('finds the block and a key with its continuation lines', () => {
    const block = frontMatterBlock(TEXT)!;
    expect(TEXT.slice(block.yamlEnd, block.yamlEnd + 3)).toBe('---');
    const syn = frontMatterEntry(TEXT, 'synonyms')!;
    expect(TEXT.slice(syn.from, syn.to)).toBe('synonyms:\n  - Heizungstausch\n  - Altbau-Wärmepumpe\n');
    const v = frontMatterValueRange(TEXT, 'title')!;
    expect(TEXT.slice(v.from, v.to)).toBe('"Wärmepumpe im Altbau: Was Sie wissen müssen"');
    expect(frontMatterEntry(TEXT, 'slug')).toBeNull();
    expect(frontMatterBlock('# Kein Front Matter\n---\n')).toBeNull();
    expect(frontMatterBlock('---\ntitle: offen\n')).toBeNull();
  });

  it('replaces the keyphrase line with one change', () => {
    const c = setFrontMatterValue(TEXT, 'keyphrase', '  Wärmepumpe   Altbau ')!;
    const next = TEXT.slice(0, c.from) + c.insert + TEXT.slice(c.to);
    expect(next).toContain('\nkeyphrase: Wärmepumpe Altbau\nsynonyms:');
    expect(next.replace('keyphrase: Wärmepumpe Altbau', 'keyphrase: Wärmepumpe im Altbau')).toBe(TEXT);
    expect(setFrontMatterValue(TEXT, 'keyphrase', 'Wärmepumpe im Altbau')).toBeNull();
  });

  it('adds the key before the closing line, or a front matter block at the top', () => {
    const withSlug = setFrontMatterValue(TEXT, 'slug', 'waermepumpe-im-altbau')!;
    const next = TEXT.slice(0, withSlug.from) + withSlug.insert + TEXT.slice(withSlug.to);
    expect(next).toContain('lang: de\nslug: waermepumpe-im-altbau\n---\n');
    const plain = '# Notiz\n\nText.\n';
    const added = setFrontMatterValue(plain, 'keyphrase', 'Wärmepumpe')!;
    expect(added.insert + plain).toBe('---\nkeyphrase: Wärmepumpe\n---\n\n# Notiz\n\nText.\n');
    expect(setFrontMatterValue(plain, 'keyphrase', ' ')).toBeNull();
  });

  it('removes the key when the value is emptied', () => {
    const c = setFrontMatterValue(TEXT, 'keyphrase', '')!;
    const next = TEXT.slice(0, c.from) + c.insert + TEXT.slice(c.to);
    expect(next).not.toContain('keyphrase');
    expect(next).toContain('"\nsynonyms:');
  });

  it('quotes values YAML would read differently', () => {
    expect(yamlScalar('Wärmepumpe im Altbau')).toBe('Wärmepumpe im Altbau');
    expect(yamlScalar('Altbau-Wärmepumpe (2026)')).toBe('Altbau-Wärmepumpe (2026)');
    expect(yamlScalar('Wärmepumpe: Kosten')).toBe('"Wärmepumpe: Kosten"');
    expect(yamlScalar('yes')).toBe('"yes"');
    expect(yamlScalar('2026 Förderung')).toBe('"2026 Förderung"');
    expect(yamlScalar('"zitiert"')).toBe('"\\"zitiert\\""');
    expect(yamlScalar('a # b')).toBe('"a # b"');
  });
});

describe('snippet preview', () => {
  it('shows host and slug as breadcrumbs', () => {
    expect(serpBreadcrumb('waermewerk-albtal.de', 'ratgeber/waermepumpe-im-altbau')).toEqual([
      'waermewerk-albtal.de',
      'ratgeber',
      'waermepumpe-im-altbau',
    ]);
    expect(serpBreadcrumb(null, '')).toEqual(['']);
  });
});

describe('SeoPanel state', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('analyses only while open, debounced, and drops reports for older text', async () => {
    const pending: { text: string; resolve: (o: SeoOverview) => void }[] = [];
    const panel = new SeoPanel(
      (text) => new Promise<SeoOverview>((resolve) => pending.push({ text, resolve })),
    );
    panel.load('doc1', 'A');
    panel.edit('doc1', 'AB');
    expect(pending).toHaveLength(0);

    panel.show();
    expect(pending.map((p) => p.text)).toEqual(['AB']);
    panel.edit('doc1', 'ABC');
    await vi.advanceTimersByTimeAsync(500);
    // One analysis in flight: the newer text waits for it.
    expect(pending).toHaveLength(1);
    pending[0].resolve(overview([]));
    await vi.advanceTimersByTimeAsync(0);
    // The report for "AB" is stale by now and dropped; "ABC" is analysed next.
    expect(panel.result).toBeNull();
    expect(pending.map((p) => p.text)).toEqual(['AB', 'ABC']);
    pending[1].resolve(overview([assessment('seo.images', 'bad')]));
    await vi.advanceTimersByTimeAsync(0);
    expect(panel.result?.text).toBe('ABC');
    expect(panel.result?.groups[0].items[0].assessment.id).toBe('seo.images');
    expect(panel.check.stale).toBe(false);

    // Edits of another document are not this panel's business; a new document resets it.
    panel.edit('doc2', 'X');
    expect(panel.result?.text).toBe('ABC');
    panel.load('doc2', 'X');
    expect(panel.result).toBeNull();
    expect(pending.map((p) => p.text)).toEqual(['AB', 'ABC', 'X']);

    panel.close();
    panel.edit('doc2', 'XY');
    await vi.advanceTimersByTimeAsync(1000);
    expect(pending).toHaveLength(3);
  });
});
