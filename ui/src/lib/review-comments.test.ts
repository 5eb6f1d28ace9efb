import { describe, expect, it } from 'vitest';
import { anchor, anchorComments, type ReviewComment } from './review-comments';

const comment = (quote: string, from: number, id = 'c1'): ReviewComment => ({ id, author: 'rita', body: 'Quelle?', quote, from });

describe('review comments', () => {
  it('stay on their text when text is inserted before it', () => {
    const before = 'Die AlbAir 9 kostet 12.900 Euro.';
    const from = before.indexOf('12.900 Euro');
    const after = `Neu: Einleitung.\n\n${before}`;
    const [a] = anchorComments(after, [comment('12.900 Euro', from)]);
    expect(a?.range).toEqual({ from: after.indexOf('12.900 Euro'), to: after.indexOf('12.900 Euro') + 11 });
  });

  it('pick the occurrence nearest to where the comment was made', () => {
    const text = 'Förderung hier. Viel Text dazwischen. Förderung dort. Förderung am Ende.';
    const second = text.indexOf('Förderung dort');
    expect(anchor(text, 'Förderung', second + 3)?.from).toBe(second);
    expect(anchor(text, 'Förderung', 0)?.from).toBe(0);
    expect(anchor(text, 'Förderung', text.length)?.from).toBe(text.lastIndexOf('Förderung'));
  });

  it('are detached when their text is gone', () => {
    const [a] = anchorComments('Ganz anderer Text.', [comment('12.900 Euro', 20)]);
    expect(a?.range).toBeNull();
    expect(anchor('abc', '', 0)).toBeNull();
  });
});
