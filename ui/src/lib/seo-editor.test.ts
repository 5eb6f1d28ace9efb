import { history, undo } from '@codemirror/commands';
import { EditorState, type Transaction } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import { keyphraseTransaction } from './seo-editor';

const TEXT = '---\ntitle: Wärmepumpe im Altbau\nkeyphrase: Wärmepumpe im Altbau\n---\n\nText.\n';

describe('keyphrase from the panel', () => {
  it('is one change that a single undo takes back', () => {
    let state = EditorState.create({ doc: TEXT, extensions: [history()] });
    // Typing first, so the undo has something else it could wrongly take along.
    state = state.update({ changes: { from: state.doc.length, insert: 'Mehr.' }, userEvent: 'input.type' }).state;
    const typed = state.doc.toString();
    state = state.update(keyphraseTransaction(state, 'Heizkörper: tauschen')!).state;
    expect(state.doc.toString()).toContain('\nkeyphrase: "Heizkörper: tauschen"\n---\n');
    let undone: Transaction | null = null;
    undo({ state, dispatch: (tr) => (undone = tr) });
    expect(undone).not.toBeNull();
    expect(undone!.state.doc.toString()).toBe(typed);
  });

  it('changes nothing when the keyphrase is already set', () => {
    const state = EditorState.create({ doc: TEXT });
    expect(keyphraseTransaction(state, 'Wärmepumpe im Altbau')).toBeNull();
  });
});
