// CodeMirror setup shared by the editor and the diff view: Markdown highlighting,
// a calm theme built on the app's CSS variables, and the CSP nonce for CodeMirror's
// runtime <style> element.
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { markdown, markdownLanguage } from '@codemirror/lang-markdown';
import { HighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { highlightSelectionMatches, search, searchKeymap } from '@codemirror/search';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { docText } from './doctext';
import { lintExtensions } from './lint';

/**
 * CodeMirror injects its styles as a <style> element at run time. Under a strict CSP
 * that element needs the page's style nonce. Tauri puts a fresh nonce on the inline
 * <style> of index.html (and into the CSP) for every load; reuse it from there.
 */
export function cspNonce(): string | null {
  const anchor = document.querySelector<HTMLStyleElement>('style#csp-nonce-anchor');
  const nonce = anchor?.nonce || anchor?.getAttribute('nonce') || '';
  // An unreplaced placeholder is not a nonce.
  return nonce && !nonce.includes('__') ? nonce : null;
}

const markdownHighlight = HighlightStyle.define([
  { tag: tags.heading1, fontWeight: '700', fontSize: '1.3em' },
  { tag: tags.heading2, fontWeight: '700', fontSize: '1.15em' },
  { tag: [tags.heading3, tags.heading4, tags.heading5, tags.heading6], fontWeight: '700' },
  { tag: tags.emphasis, fontStyle: 'italic' },
  { tag: tags.strong, fontWeight: '700' },
  { tag: tags.strikethrough, textDecoration: 'line-through' },
  { tag: [tags.link, tags.url], color: 'var(--md-link)' },
  { tag: tags.monospace, fontFamily: 'var(--font-mono)', color: 'var(--md-code)' },
  { tag: tags.quote, color: 'var(--md-quote)', fontStyle: 'italic' },
  { tag: [tags.processingInstruction, tags.meta, tags.contentSeparator], color: 'var(--md-mark)' },
  { tag: [tags.keyword, tags.atom, tags.bool], color: 'var(--md-code)' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--md-link)' },
  { tag: tags.comment, color: 'var(--text-muted)', fontStyle: 'italic' },
]);

const theme = EditorView.theme({
  '&': {
    height: '100%',
    color: 'var(--text)',
    backgroundColor: 'var(--editor-bg)',
    fontSize: 'var(--editor-font-size)',
  },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': {
    fontFamily: 'var(--font-text)',
    lineHeight: '1.6',
  },
  '.cm-content': {
    padding: '16px 0 40vh',
    maxWidth: '46em',
    caretColor: 'var(--accent)',
  },
  '.cm-line': { padding: '0 24px 0 12px' },
  '.cm-gutters': {
    backgroundColor: 'var(--editor-bg)',
    color: 'var(--text-faint)',
    border: 'none',
    fontFamily: 'var(--font-mono)',
    fontSize: '0.78em',
  },
  '.cm-lineNumbers .cm-gutterElement': { padding: '0 8px 0 16px', minWidth: '3ch' },
  '.cm-activeLine': { backgroundColor: 'var(--active-line)' },
  '.cm-activeLineGutter': { backgroundColor: 'transparent', color: 'var(--text-muted)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection':
    { backgroundColor: 'var(--selection)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--accent)', borderLeftWidth: '2px' },
  '.cm-searchMatch': { backgroundColor: 'var(--search-match)', outline: '1px solid var(--border-strong)' },
  '.cm-searchMatch.cm-searchMatch-selected': { backgroundColor: 'var(--search-match-selected)' },
  '.cm-selectionMatch': { backgroundColor: 'var(--selection-match)' },
  '.cm-panels': {
    backgroundColor: 'var(--surface-2)',
    color: 'var(--text)',
    fontFamily: 'var(--font-ui)',
    fontSize: '13px',
  },
  '.cm-panels.cm-panels-top': { borderBottom: '1px solid var(--border)' },
  '.cm-panels.cm-panels-bottom': { borderTop: '1px solid var(--border)' },
  '.cm-panel.cm-search input, .cm-panel.cm-search button': { font: 'inherit' },
  '.cm-textfield': {
    border: '1px solid var(--border-strong)',
    borderRadius: '4px',
    backgroundColor: 'var(--surface)',
    color: 'var(--text)',
  },
  '.cm-button': {
    backgroundImage: 'none',
    backgroundColor: 'var(--surface)',
    border: '1px solid var(--border-strong)',
    borderRadius: '4px',
    color: 'var(--text)',
  },
});

/** The accessible name of an editor's text area and CodeMirror's own strings. */
export function localized(label: string, phrases: Record<string, string>): Extension {
  return [EditorView.contentAttributes.of({ 'aria-label': label }), EditorState.phrases.of(phrases)];
}

/** Markdown parsing and highlighting. */
function markdownSupport(): Extension {
  return [markdown({ base: markdownLanguage }), syntaxHighlighting(markdownHighlight)];
}

/** Extensions both the editor and the diff view use. */
export function baseExtensions(withMarkdown = true): Extension[] {
  const nonce = cspNonce();
  return [nonce ? EditorView.cspNonce.of(nonce) : [], EditorView.lineWrapping, withMarkdown ? markdownSupport() : [], theme];
}

/**
 * Above this many characters the editor drops Markdown parsing: a huge text without
 * blank lines is one paragraph, which the parser re-reads whole on every keystroke
 * (about a second per key for 10 MB). Below LARGE_DOC_OFF it comes back.
 */
export const LARGE_DOC_ON = 2_500_000;
export const LARGE_DOC_OFF = 2_000_000;

const languageSlot = new Compartment();

/** Switches Markdown off (and on) in the same transaction that makes the text huge (or small). */
function largeDocumentMode(initialLength: number): Extension {
  const md = markdownSupport();
  return [
    languageSlot.of(initialLength > LARGE_DOC_ON ? [] : md),
    EditorState.transactionExtender.of((tr) => {
      if (!tr.docChanged) return null;
      const on = languageSlot.get(tr.startState) === md;
      const length = tr.newDoc.length;
      if (on && length > LARGE_DOC_ON) return { effects: languageSlot.reconfigure([]) };
      if (!on && length < LARGE_DOC_OFF) return { effects: languageSlot.reconfigure(md) };
      return null;
    }),
  ];
}

/** Ctrl/⌘+Shift+K toggles the checks panel, so it does not delete a line here. */
const editorKeys = defaultKeymap.filter((binding) => binding.key !== 'Shift-Mod-k');

/** The Markdown editor: line numbers, wrapping, undo history, search, check markers. */
export function editorExtensions(onChange: (text: string) => void, initialLength = 0): Extension[] {
  return [
    ...baseExtensions(false),
    largeDocumentMode(initialLength),
    EditorView.contentAttributes.of({ spellcheck: 'true', autocorrect: 'on', autocapitalize: 'sentences' }),
    lineNumbers(),
    lintExtensions(),
    highlightActiveLine(),
    highlightActiveLineGutter(),
    drawSelection(),
    history(),
    indentOnInput(),
    search({ top: true }),
    highlightSelectionMatches(),
    EditorState.allowMultipleSelections.of(true),
    keymap.of([...searchKeymap, ...historyKeymap, ...editorKeys]),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) onChange(docText(update.state.doc));
    }),
  ];
}

/** A read-only side of the diff view. */
export function readOnlyExtensions(label: string, phrases: Record<string, string>): Extension[] {
  return [
    ...baseExtensions(),
    localized(label, phrases),
    lineNumbers(),
    EditorState.readOnly.of(true),
    EditorView.editable.of(false),
  ];
}
