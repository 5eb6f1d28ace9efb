import { describe, expect, it } from 'vitest';
import type { Finding } from './bindings';
import { convertFindings } from './checks';
import { duplicateMatches, kindOf, matchScore, overlaps, shorten, topicSkipped } from './duplicates';

const text = 'Entwurf. Beim jährlichen Check sehen wir uns die Außeneinheit an. Ende.';

function finding(code: string, document: string, start: number, end: number, evidence: object): Finding {
  return {
    check: 'duplicates',
    code,
    severity: 'warning',
    message: { key: code, args: {}, text: code },
    span: { start, end, line: 1, column: start + 1 },
    fix: null,
    evidence: { document, ...evidence },
  };
}

describe('duplicateMatches', () => {
  it('groups passages by the other text, near-duplicates and larger coverage first', () => {
    const findings = convertFindings(text, [
      finding('dup.copied_passage', 'corpus:website/a.md', 30, 40, {
        title: 'A',
        path: 'a.md',
        other_span: { start: 100, end: 110 },
        other_text: 'sehen wir',
        words: 14,
        coverage: 0.1,
        jaccard: 0.05,
      }),
      finding('dup.copied_passage', 'corpus:website/a.md', 9, 20, {
        title: 'A',
        other_span: { start: 5, end: 16 },
        other_text: 'Beim jährl',
        words: 12,
        coverage: 0.1,
      }),
      finding('dup.copied_passage', 'kb:knowledge/faq.md', 9, 20, {
        title: null,
        path: 'knowledge/faq.md',
        other_span: { start: 0, end: 11 },
        words: 12,
        coverage: 0.4,
      }),
      finding('dup.near_duplicate', 'doc:0123', 0, text.length, { title: 'Alt', jaccard: 0.6, coverage: 0.2 }),
      { ...finding('Brand.X', 'x', 0, 1, {}), check: 'style' },
    ]);
    const m = duplicateMatches(findings);
    expect(m.map((x) => x.id)).toEqual(['doc:0123', 'kb:knowledge/faq.md', 'corpus:website/a.md']);
    expect(m[0].nearDuplicate).toBe(true);
    expect(m[0].kind).toBe('documents');
    expect(matchScore(m[0])).toBe(60);
    expect(m[1].title).toBe('knowledge/faq.md');
    expect(m[1].kind).toBe('knowledge');
    const a = m[2];
    expect(a.kind).toBe('corpus');
    expect(a.passages.map((p) => p.draft)).toEqual([
      [9, 20],
      [30, 40],
    ]);
    expect(a.passages[0].other).toEqual([5, 16]);
    expect(matchScore(a)).toBe(10);
  });
});

describe('helpers', () => {
  it('names the source kind by id prefix and shortens long passages in the middle', () => {
    expect(kindOf('corpus:x/y.md')).toBe('corpus');
    expect(kindOf('kb:knowledge/a.md')).toBe('knowledge');
    const long = 'Wort '.repeat(100);
    const s = shorten(long, 40);
    expect(s.length).toBeLessThanOrEqual(41);
    expect(s).toContain(' … ');
    expect(shorten('  kurz  ')).toBe('kurz');
  });
});

describe('same topic', () => {
  it('joins a same-topic verdict to the text it names and reports a skipped comparison', () => {
    const findings = convertFindings(text, [
      finding('dup.same_topic', 'doc:77', 0, 0, {
        title: 'Förderung',
        path: null,
        document_cosine: 0.91,
        title_cosine: 0.88,
        keyphrase_cosine: 0.93,
      }),
      finding('dup.copied_passage', 'corpus:website/a.md', 9, 20, {
        title: 'A',
        other_span: { start: 5, end: 16 },
        other_text: 'Beim jährl',
        words: 12,
        coverage: 0.1,
      }),
      finding('dup.same_topic', 'corpus:website/a.md', 0, 0, { title: 'A', document_cosine: 0.9, title_cosine: null }),
    ]);
    const m = duplicateMatches(findings);
    expect(m.map((x) => x.id)).toEqual(['corpus:website/a.md', 'doc:77']);
    expect(m[0].sameTopic).toBeCloseTo(0.9);
    expect(m[0].passages).toHaveLength(1);
    expect(overlaps(m[0])).toBe(true);
    expect(m[1].sameTopic).toBeCloseTo(0.93);
    expect(m[1].title).toBe('Förderung');
    expect(overlaps(m[1])).toBe(false);
    expect(topicSkipped(findings)).toBeNull();
    const skipped = convertFindings(text, [
      { ...finding('dup.same_topic_skipped', 'x', 0, 0, {}), evidence: null, message: { key: 'k', args: {}, text: 'no model' } },
    ]);
    expect(topicSkipped(skipped)).toBe('no model');
    expect(duplicateMatches(skipped)).toEqual([]);
  });
});
