// The SEO panel acting on the editor: select the place an assessment is about, select a
// front matter value, write the focus keyphrase, apply a link suggestion. Places come
// from the analysed text; the editor may hold a newer one, so they are mapped first.
import { EditorSelection, type EditorState, type TransactionSpec } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import type { CheckedFinding, Range } from './checks';
import { docText } from './doctext';
import { frontMatterValueRange, mapRangeToCurrent, setFrontMatterValue } from './seo';

function select(view: EditorView, range: Range): void {
  view.dispatch({
    selection: EditorSelection.single(range.from, range.to),
    effects: EditorView.scrollIntoView(range.from, { y: 'center' }),
    userEvent: 'select',
  });
  view.focus();
}

/** Selects `range` of the analysed text `checked` where it is now; false if it is gone. */
export function selectInEditor(view: EditorView, checked: string, range: Range): boolean {
  const now = mapRangeToCurrent(checked, docText(view.state.doc), range);
  if (!now) return false;
  select(view, now);
  return true;
}

/** Selects the value of front matter `key`; false if the key is not set. */
export function selectFrontMatterValue(view: EditorView, key: string): boolean {
  const range = frontMatterValueRange(docText(view.state.doc), key);
  if (!range) return false;
  select(view, range);
  return true;
}

/** The transaction that sets (or, when empty, removes) `keyphrase:`; null if nothing changes. */
export function keyphraseTransaction(state: EditorState, value: string): TransactionSpec | null {
  const change = setFrontMatterValue(docText(state.doc), 'keyphrase', value);
  return change ? { changes: change, userEvent: 'input.keyphrase' } : null;
}

/** Sets (or, when empty, removes) `keyphrase:` in the front matter: one undoable change. */
export function setKeyphrase(view: EditorView, value: string): boolean {
  const spec = keyphraseTransaction(view.state, value);
  if (!spec) return false;
  view.dispatch(spec);
  return true;
}

/** Applies a workspace finding's fix (e.g. an internal link) as one undoable change. */
export function applySeoFix(view: EditorView, checked: string, f: CheckedFinding): boolean {
  if (!f.fix || f.fix.changes.length === 0) return false;
  const current = docText(view.state.doc);
  const changes = [];
  for (const c of f.fix.changes) {
    const range = mapRangeToCurrent(checked, current, c);
    // A fix whose text was edited since the analysis is not applied half-way.
    if (!range || current.slice(range.from, range.to) !== checked.slice(c.from, c.to)) return false;
    changes.push({ from: range.from, to: range.to, insert: c.insert });
  }
  view.dispatch({ changes, userEvent: 'input.fix', scrollIntoView: true });
  view.focus();
  return true;
}
