// Review comments anchored in the editor's text. A comment remembers the text it was
// made on (its quote) and where that was; in a later text it sits on the occurrence of
// the quote nearest to its old place, and while the user types its mark moves with the
// text (CodeMirror maps decorations through every change). A comment whose text is gone
// is "detached": the review panel still lists it, the editor has no place to mark.
import { type Extension, StateEffect, StateField } from '@codemirror/state';
import { Decoration, type DecorationSet, EditorView } from '@codemirror/view';
import type { Range } from './checks';

/** A comment as the review panel holds it (positions in UTF-16, like the editor). */
export interface ReviewComment {
  id: string;
  author: string;
  body: string;
  /** The commented text as it was. */
  quote: string;
  /** Where the quote started in the text the comment was made on. */
  from: number;
  resolved?: boolean;
}

export interface AnchoredComment {
  comment: ReviewComment;
  /** Null when the quote no longer occurs in the text. */
  range: Range | null;
}

/** Places each comment on the occurrence of its quote nearest to where it was. */
export function anchorComments(text: string, comments: readonly ReviewComment[]): AnchoredComment[] {
  return comments.map((comment) => ({ comment, range: anchor(text, comment.quote, comment.from) }));
}

export function anchor(text: string, quote: string, near: number): Range | null {
  if (quote === '') return null;
  let best = -1;
  let bestDistance = Infinity;
  for (let at = text.indexOf(quote); at >= 0; at = text.indexOf(quote, at + 1)) {
    const distance = Math.abs(at - near);
    if (distance < bestDistance) {
      best = at;
      bestDistance = distance;
    }
    // Occurrences only get farther once past the old place.
    if (at > near) break;
  }
  return best < 0 ? null : { from: best, to: best + quote.length };
}

const setComments = StateEffect.define<DecorationSet>();

const commentField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    for (const e of tr.effects) if (e.is(setComments)) return e.value;
    return tr.docChanged ? marks.map(tr.changes) : marks;
  },
  provide: (f) => EditorView.decorations.from(f),
});

const commentTheme = EditorView.baseTheme({
  '.imp-comment': {
    backgroundColor: 'rgba(255, 196, 0, 0.28)',
    borderBottom: '2px solid rgba(214, 150, 0, 0.9)',
  },
});

function commentExtensions(): Extension {
  return [commentField, commentTheme];
}

/** The marks for `anchored` (sorted, detached ones left out). */
function decorations(anchored: readonly AnchoredComment[], docLength: number): DecorationSet {
  const marks = anchored
    .filter((a) => a.range && a.range.to > a.range.from && a.range.to <= docLength && !a.comment.resolved)
    .sort((a, b) => (a.range?.from ?? 0) - (b.range?.from ?? 0))
    .map((a) =>
      Decoration.mark({
        class: 'imp-comment',
        attributes: {
          'data-testid': 'comment-mark',
          'data-comment-id': a.comment.id,
          title: `${a.comment.author}: ${a.comment.body}`,
        },
      }).range(a.range?.from ?? 0, a.range?.to ?? 0),
    );
  return Decoration.set(marks, true);
}

/**
 * Marks the comments in the editor, anchored in its current text; returns where each
 * comment landed. Installs the marking on first use.
 */
export function showComments(view: EditorView, comments: readonly ReviewComment[]): AnchoredComment[] {
  const text = view.state.doc.toString();
  const anchored = anchorComments(text, comments);
  const set = decorations(anchored, view.state.doc.length);
  const effects: StateEffect<unknown>[] = [];
  if (view.state.field(commentField, false) === undefined) effects.push(StateEffect.appendConfig.of(commentExtensions()));
  effects.push(setComments.of(set));
  view.dispatch({ effects });
  return anchored;
}

/** Where the marks are now (after edits made since they were shown), by comment id. */
export function markedRanges(view: EditorView): Map<string, Range> {
  const out = new Map<string, Range>();
  const field = view.state.field(commentField, false);
  field?.between(0, view.state.doc.length, (from, to, value) => {
    const id = value.spec.attributes?.['data-comment-id'];
    if (typeof id === 'string') out.set(id, { from, to });
  });
  return out;
}

/** The user's selection as a comment's anchor; null when nothing is selected. */
export function selectionQuote(view: EditorView): { from: number; quote: string } | null {
  const { from, to } = view.state.selection.main;
  if (from === to) return null;
  return { from, quote: view.state.sliceDoc(from, to) };
}
