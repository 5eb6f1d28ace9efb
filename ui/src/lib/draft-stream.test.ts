import { describe, expect, it } from 'vitest';
import type { DraftEvent } from './bindings';
import { DraftStream, applyChanges, sectionRange, type TextChange } from './draft-stream';

function run(start: string, stream: DraftStream, events: DraftEvent[], title?: string): string {
  const changes: TextChange[] = [];
  if (title !== undefined) changes.push(stream.title(title));
  for (const e of events) {
    const c = stream.apply(e);
    if (c) changes.push(c);
  }
  return applyChanges(start, changes);
}

const started = (index: number, heading: string): DraftEvent => ({ kind: 'section_started', index, heading, sources: [] });
const token = (index: number, text: string): DraftEvent => ({ kind: 'token', index, text });
const done = (index: number): DraftEvent => ({ kind: 'section_done', index, section: {} as never });

describe('draft stream', () => {
  it('writes the title, headings and tokens section by section', () => {
    const text = run(
      '',
      new DraftStream(0),
      [started(0, 'Kosten'), token(0, '\n Die Pumpe'), token(0, ' kostet [1].'), done(0), started(1, 'Fazit'), token(1, 'Gut.'), done(1)],
      'Wärmepumpe',
    );
    expect(text).toBe('# Wärmepumpe\n\n## Kosten\n\nDie Pumpe kostet [1].\n\n## Fazit\n\nGut.\n');
  });

  it('takes a discarded attempt back and goes on with the next model', () => {
    const stream = new DraftStream(0);
    const text = run('', stream, [started(0, 'A'), token(0, 'Falsch und'), { kind: 'discard', index: 0, model: 'x' }, token(0, 'Richtig.'), done(0)]);
    expect(text).toBe('\n## A\n\nRichtig.\n');
  });

  it('regenerates one section in place, keeping the rest', () => {
    const doc = '# T\n\n## Einleitung\n\nVon Hand.\n\n## Kosten\n\nAlt [2].\n\n## Fazit\n\nEnde.\n\n[1]: knowledge/a.md#bytes=0-10\n';
    const range = sectionRange(doc, 'Kosten');
    expect(range && doc.slice(range.from, range.to)).toBe('\nAlt [2].\n\n');
    const text = run(doc, new DraftStream(doc.length, range), [started(1, 'Kosten'), token(1, 'Neu [1].'), done(1)]);
    expect(text).toBe('# T\n\n## Einleitung\n\nVon Hand.\n\n## Kosten\n\nNeu [1].\n\n## Fazit\n\nEnde.\n\n[1]: knowledge/a.md#bytes=0-10\n');
    const last = sectionRange(doc, 'Fazit');
    expect(last && doc.slice(last.from, last.to)).toBe('\nEnde.\n\n');
    expect(sectionRange(doc, 'Nicht da')).toBeNull();
  });
});

describe('a draft read back', () => {
  it('gives the outline of its headings and the brief it names', async () => {
    const { outlineFromText, briefOf } = await import('./draft-stream');
    const doc = '---\ntitle: "T"\nbrief: "0190abcd"\n---\n\n# Titel\n\n## Eins\n\nText.\n\n## Zwei\n\nMehr.\n';
    expect(outlineFromText(doc)).toEqual({
      title: 'Titel',
      sections: [
        { heading: 'Eins', points: [], words: 120 },
        { heading: 'Zwei', points: [], words: 120 },
      ],
      from_model: 2,
    });
    expect(briefOf(doc)).toBe('0190abcd');
    expect(briefOf('# Titel\nbrief: x\n')).toBeNull();
  });
});
