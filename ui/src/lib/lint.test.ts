import { ChangeSet } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import { lintSeverity, mapRange } from './lint';

describe('findings in an edited text', () => {
  const text = 'Du sparst mit dir. Und du?';
  const dir = { from: text.indexOf('dir'), to: text.indexOf('dir') + 3 };

  it('follows edits before and after the finding', () => {
    const before = ChangeSet.of([{ from: 0, to: 2, insert: 'Ihr' }], text.length).desc;
    expect(mapRange(before, dir)).toEqual({ from: dir.from + 1, to: dir.to + 1 });
    const after = ChangeSet.of([{ from: text.length, insert: ' Ja.' }], text.length).desc;
    expect(mapRange(after, dir)).toEqual(dir);
  });

  it('gives up when the finding text itself was edited', () => {
    const inside = ChangeSet.of([{ from: dir.from + 1, to: dir.from + 2, insert: 'a' }], text.length).desc;
    expect(mapRange(inside, dir)).toBeNull();
    const deleted = ChangeSet.of([{ from: 0, to: text.length }], text.length).desc;
    expect(mapRange(deleted, { from: 3, to: 3 })).toBeNull();
  });

  it('maps an empty span (a position) through insertions', () => {
    const ins = ChangeSet.of([{ from: 0, insert: '---\n' }], text.length).desc;
    expect(mapRange(ins, { from: 0, to: 0 })).toEqual({ from: 4, to: 4 });
  });

  it('maps severities to CodeMirror severities', () => {
    expect(['error', 'warning', 'suggestion', 'info'].map((s) => lintSeverity(s as never))).toEqual([
      'error',
      'warning',
      'info',
      'hint',
    ]);
  });
});
