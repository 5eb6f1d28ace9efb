import { describe, expect, it } from 'vitest';
import type { CheckedFinding } from './checks';
import type { Blocker } from './bindings';
import { blockerOf, factCounts, factRows } from './facts';

function finding(index: number, from: number, to: number, check: string, evidence: unknown, severity = 'error'): CheckedFinding {
  return {
    index,
    span: { from, to },
    mark: { from, to },
    fix: null,
    finding: {
      check,
      code: 'facts.x',
      severity,
      message: { key: 'k', args: {}, text: 'msg' },
      span: { start: from, end: to, line: 1, column: 1 },
      fix: null,
      evidence,
    },
  } as unknown as CheckedFinding;
}

describe('factRows', () => {
  it('keeps facts findings, reads both values and the source, contradicted first', () => {
    const text = 'Die AlbAir 9 kostet 12.990 €. Sie ist leise.';
    const rows = factRows(
      [
        finding(0, 30, 44, 'facts', { verdict: 'supported', source: null }, 'info'),
        finding(1, 0, 29, 'facts', {
          verdict: 'contradicted',
          claim_value: '12.990 €',
          source_value: '12490 €',
          confidence: 0.9,
          source: { path: 'preisliste-2026.md', start: 5, end: 40, text: '| AlbAir 9 | 12.490,00 € |' },
        }),
        finding(2, 0, 3, 'style', null),
      ],
      text,
    );
    expect(rows.map((r) => r.verdict)).toEqual(['contradicted', 'supported']);
    expect(rows[0].text).toBe('Die AlbAir 9 kostet 12.990 €.');
    expect(rows[0].sourceValue).toBe('12490 €');
    expect(rows[0].source?.path).toBe('preisliste-2026.md');
    expect(factCounts(rows)).toEqual({ contradicted: 1, unverifiable: 0, supported: 1 });
  });
});

describe('blockerOf', () => {
  const text = 'Die AlbAir 9 kostet 13.490 €. Sie ist leise.';
  const row = factRows([finding(0, 20, 28, 'facts', { verdict: 'contradicted' })], text)[0];
  const blocker = (start: number, matched: string, code = 'facts.x') =>
    ({ finding: { code, span: { start, end: start + matched.length } }, matched, waiver: null }) as unknown as Blocker;

  it('finds the blocker at the same place, else with the same text, else none', () => {
    expect(blockerOf(row, [blocker(3, 'AlbAir'), blocker(20, '13.490 €')])?.finding.span.start).toBe(20);
    expect(blockerOf(row, [blocker(35, '13.490 €')])?.finding.span.start).toBe(35);
    expect(blockerOf(row, [blocker(20, '13.490 €', 'style.x')])).toBeNull();
    expect(blockerOf(row, [blocker(40, 'other')])).toBeNull();
  });

  it('has none for a row that is not contradicted', () => {
    const ok = factRows([finding(0, 20, 28, 'facts', { verdict: 'supported' }, 'info')], text)[0];
    expect(blockerOf(ok, [blocker(20, '13.490 €')])).toBeNull();
  });
});
