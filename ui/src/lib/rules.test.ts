import { Text } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import type { Finding, RuleEntry, RuleListing } from './bindings';
import { filterPacks, findRule, markedSample, problemDiagnostics, problemRange, replaceRule, trialHits } from './rules';

function rule(pack: string, name: string, over: Partial<RuleEntry> = {}): RuleEntry {
  return {
    code: `${pack}.${name}`,
    pack,
    name,
    kind: 'existence',
    level: 'warning',
    effective: 'warning',
    overridden: false,
    active: true,
    condition: null,
    file: `styleguides/${pack}/${name}.yml`,
    message: `${name} message`,
    source: `extends: existence\nmessage: x\ntokens:\n  - ${name.toLowerCase()}\n`,
    problem: null,
    warning: null,
    revisions: 0,
    ...over,
  };
}

const listing: RuleListing = {
  settings_file: 'imprimatur.toml',
  packs: [
    {
      name: 'Brand',
      languages: ['de'],
      rules: [
        rule('Brand', 'Werbesprache'),
        rule('Brand', 'Gendern', { effective: 'off', overridden: true, active: false }),
        rule('Brand', 'Kaputt', { problem: { code: 'style.yaml', line: 2, column: 3, message: 'bad' }, active: false }),
      ],
    },
    { name: 'PlainEnglish', languages: ['en'], rules: [rule('PlainEnglish', 'Fillers', { kind: 'substitution' })] },
  ],
};

describe('rule listing', () => {
  it('filters by text in code, kind, message or YAML, and by state', () => {
    const names = (q: string, f: Parameters<typeof filterPacks>[2] = 'all') =>
      filterPacks(listing, q, f).flatMap((p) => p.rules.map((r) => r.code));
    expect(names('')).toHaveLength(4);
    expect(names('werbe')).toEqual(['Brand.Werbesprache']);
    expect(names('SUBSTITUTION')).toEqual(['PlainEnglish.Fillers']);
    expect(names('gendern')).toEqual(['Brand.Gendern']); // in its YAML too
    expect(names('', 'off')).toEqual(['Brand.Gendern']);
    expect(names('', 'problems')).toEqual(['Brand.Kaputt']);
    expect(names('', 'active')).toEqual(['Brand.Werbesprache', 'PlainEnglish.Fillers']);
    expect(filterPacks(listing, 'nichts', 'all')).toEqual([]);
  });

  it('replaces a changed rule and adds a new one in name order', () => {
    const louder = rule('Brand', 'Werbesprache', { effective: 'error', overridden: true });
    const next = replaceRule(listing, louder);
    expect(findRule(next, 'Brand.Werbesprache')?.effective).toBe('error');
    expect(findRule(listing, 'Brand.Werbesprache')?.effective).toBe('warning');
    const added = replaceRule(listing, rule('Brand', 'Anrede'));
    expect(added.packs[0].rules.map((r) => r.name)).toEqual(['Anrede', 'Gendern', 'Kaputt', 'Werbesprache']);
  });
});

describe('YAML problem markers', () => {
  const doc = Text.of(['extends: existence', 'message: x', 'tokens:', '', ' - a']);

  it('marks from the column to the end of the problem line', () => {
    expect(problemRange(doc, { line: 2, column: 1 })).toEqual({ from: 19, to: 29 });
    expect(problemRange(doc, { line: 2, column: 4 })).toEqual({ from: 22, to: 29 });
    // A column past the end: the whole line. An empty line: one character.
    expect(problemRange(doc, { line: 3, column: 40 })).toEqual({ from: 30, to: 37 });
    expect(problemRange(doc, { line: 4, column: 1 })).toEqual({ from: 38, to: 39 });
    // A line past the end: the last line.
    expect(problemRange(doc, { line: 99, column: 1 })).toEqual({ from: 39, to: 43 });
  });

  it('gives one error diagnostic, or none', () => {
    const d = problemDiagnostics(doc, { code: 'style.yaml', line: 5, column: 2, message: 'did not find expected key' });
    expect(d).toEqual([{ from: 40, to: 43, severity: 'error', source: 'style.yaml', message: 'did not find expected key' }]);
    expect(problemDiagnostics(doc, null)).toEqual([]);
  });
});

describe('trial findings in the sample', () => {
  const finding = (start: number, end: number): Finding => ({
    check: 'style',
    code: 'Brand.X',
    severity: 'warning',
    message: { key: 'style.Brand.X', text: 'x', args: {} },
    span: { start, end, line: 1, column: 1 },
    fix: null,
    evidence: null,
  });

  it('maps UTF-8 spans to the text and marks them', () => {
    // "Die Wärme-Pumpe": 'ä' is two bytes, so the byte span 4..16 is characters 4..15.
    const sample = 'Die Wärme-Pumpe läuft.';
    const hits = trialHits(sample, [finding(4, 16)]);
    expect(hits[0].matched).toBe('Wärme-Pumpe');
    const parts = markedSample(sample, hits);
    expect(parts.map((p) => [p.text, p.hit !== null])).toEqual([
      ['Die ', false],
      ['Wärme-Pumpe', true],
      [' läuft.', false],
    ]);
  });
});
