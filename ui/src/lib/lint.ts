// Check findings in the editor: lint markers (underlines and gutter markers) through
// @codemirror/lint, quick fixes as one undoable transaction, and selecting a finding.
// Findings are in positions of the text that was checked; a state field keeps the
// changes made since then, so fixes and selections still land in the right place.
import {
  type Diagnostic,
  forEachDiagnostic,
  lintGutter,
  linter,
  nextDiagnostic,
  previousDiagnostic,
  setDiagnostics,
} from '@codemirror/lint';
import { ChangeSet, type ChangeDesc, EditorSelection, MapMode, StateEffect, StateField, type Extension } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import type { Severity } from './bindings';
import { type CheckedFinding, markedFindings, type Range } from './checks';
import { docText } from './doctext';

/** How many findings get markers at most; the panel lists all of them. */
export const MAX_MARKERS = 2000;

const LINT_SEVERITY: Record<Severity, Diagnostic['severity']> = {
  error: 'error',
  warning: 'warning',
  suggestion: 'info',
  info: 'hint',
};

export function lintSeverity(severity: Severity): Diagnostic['severity'] {
  return LINT_SEVERITY[severity] ?? 'hint';
}

/** The checked text was shown: changes from now on are mapped. */
const checkShown = StateEffect.define<null>();

/** The changes made since the shown findings' text was checked. */
const sinceCheck = StateField.define<ChangeDesc>({
  create: (state) => ChangeSet.empty(state.doc.length).desc,
  update(value, tr) {
    if (tr.effects.some((e) => e.is(checkShown))) return ChangeSet.empty(tr.state.doc.length).desc;
    return tr.docChanged ? value.composeDesc(tr.changes.desc) : value;
  },
});

/** Where `range` of the checked text is now; null if the text there was changed. */
export function currentRange(view: EditorView, range: Range): Range | null {
  const changes = view.state.field(sinceCheck, false);
  if (!changes || changes.empty) return clamp(view, range);
  return mapRange(changes, range);
}

/** `range` mapped through `changes`; null if they touched it (or deleted an empty range's spot). */
export function mapRange(changes: ChangeDesc, range: Range): Range | null {
  if (range.from === range.to) {
    const pos = changes.mapPos(range.from, 1, MapMode.TrackDel);
    return pos === null ? null : { from: pos, to: pos };
  }
  if (changes.touchesRange(range.from, range.to)) return null;
  return { from: changes.mapPos(range.from, 1), to: changes.mapPos(range.to, -1) };
}

function clamp(view: EditorView, range: Range): Range {
  const len = view.state.doc.length;
  const from = Math.min(range.from, len);
  return { from, to: Math.max(from, Math.min(range.to, len)) };
}

export interface FindingHandlers {
  labels: { ignoreHere: string; ignoreDoc: string };
  onfix: (f: CheckedFinding) => void;
  onignore: (f: CheckedFinding, scope: 'here' | 'document') => void;
}

function diagnostic(f: CheckedFinding, handlers: FindingHandlers): Diagnostic {
  const { finding } = f;
  const actions: Diagnostic['actions'] = [
    ...(f.fix ? [{ name: f.fix.label, markClass: 'imp-action-fix', apply: () => handlers.onfix(f) }] : []),
    { name: handlers.labels.ignoreHere, apply: () => handlers.onignore(f, 'here') },
    { name: handlers.labels.ignoreDoc, apply: () => handlers.onignore(f, 'document') },
  ];
  return {
    from: f.mark.from,
    to: f.mark.to,
    severity: lintSeverity(finding.severity),
    markClass: `imp-finding imp-finding-${finding.severity}`,
    source: finding.code,
    message: finding.message.text || finding.code,
    actions,
  };
}

/**
 * Shows the findings of a report for exactly the editor's current text, replacing the
 * previous markers. Returns false (and changes nothing) if the text does not match.
 */
export function showFindings(
  view: EditorView,
  text: string,
  findings: readonly CheckedFinding[],
  handlers: FindingHandlers,
): boolean {
  const doc = view.state.doc;
  if (doc.length !== text.length) return false;
  // Cheap for normal texts; a 10 MB text was compared by the check queue already.
  if (text.length <= 200_000 && docText(doc) !== text) return false;
  const diagnostics = markedFindings(findings, MAX_MARKERS).map((f) => diagnostic(f, handlers));
  const spec = setDiagnostics(view.state, diagnostics);
  const effects = [...asArray(spec.effects), checkShown.of(null)];
  view.dispatch({ effects });
  return true;
}

function asArray<T>(v: T | readonly T[] | undefined): T[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? [...(v as T[])] : [v as T];
}

/** Removes all markers (e.g. the check failed for a text the markers no longer fit). */
export function clearFindings(view: EditorView): void {
  view.dispatch(setDiagnostics(view.state, []));
}

/** Selects the finding's text and scrolls it into the middle of the editor. */
export function revealFinding(view: EditorView, f: CheckedFinding): boolean {
  const range = currentRange(view, f.mark) ?? currentRange(view, { from: f.mark.from, to: f.mark.from });
  if (!range) return false;
  view.dispatch({
    selection: EditorSelection.single(range.from, range.to),
    effects: EditorView.scrollIntoView(range.from, { y: 'center' }),
    userEvent: 'select',
  });
  view.focus();
  return true;
}

/** Applies the finding's fix as one undoable change; false if its text was edited since. */
export function applyFix(view: EditorView, f: CheckedFinding): boolean {
  if (!f.fix || f.fix.changes.length === 0) return false;
  const changes = [];
  for (const c of f.fix.changes) {
    const range = currentRange(view, c);
    if (!range) return false;
    changes.push({ from: range.from, to: range.to, insert: c.insert });
  }
  changes.sort((a, b) => a.from - b.from);
  for (let i = 1; i < changes.length; i++) if (changes[i].from < changes[i - 1].to) return false;
  view.dispatch({ changes, userEvent: 'input.fix', scrollIntoView: true });
  view.focus();
  return true;
}

/** How many findings are marked in the editor right now. */
export function markerCount(view: EditorView): number {
  let n = 0;
  forEachDiagnostic(view.state, () => n++);
  return n;
}

function svg(content: string, attrs = 'viewBox="0 0 40 40"'): string {
  return `url('data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg" ${attrs}>${encodeURIComponent(content)}</svg>')`;
}

function underline(color: string): string {
  return svg(
    `<path d="m0 2.5 l2 -1.5 l1 0 l2 1.5 l1 0" stroke="${color}" fill="none" stroke-width=".8"/>`,
    'width="6" height="3"',
  );
}

/** Distinct colours per severity (error red, warning amber, suggestion blue, info grey). */
const COLORS = { error: '#d0342c', warning: '#d98a00', info: '#2f74d0', hint: '#8a9098' } as const;

const lintTheme = EditorView.theme({
  '.cm-lintRange-error': { backgroundImage: underline(COLORS.error) },
  '.cm-lintRange-warning': { backgroundImage: underline(COLORS.warning) },
  '.cm-lintRange-info': { backgroundImage: underline(COLORS.info) },
  '.cm-lintRange-hint': { backgroundImage: underline(COLORS.hint) },
  '.cm-lintPoint:after': { borderBottomColor: COLORS.error },
  '.cm-lintPoint-warning:after': { borderBottomColor: COLORS.warning },
  '.cm-lintPoint-info:after': { borderBottomColor: COLORS.info },
  '.cm-lintPoint-hint:after': { borderBottomColor: COLORS.hint },
  '.cm-diagnostic-error': { borderLeft: `4px solid ${COLORS.error}` },
  '.cm-diagnostic-warning': { borderLeft: `4px solid ${COLORS.warning}` },
  '.cm-diagnostic-info': { borderLeft: `4px solid ${COLORS.info}` },
  '.cm-diagnostic-hint': { borderLeft: `4px solid ${COLORS.hint}` },
  '.cm-tooltip.cm-tooltip-lint': {
    backgroundColor: 'var(--surface)',
    color: 'var(--text)',
    border: '1px solid var(--border-strong)',
    borderRadius: '6px',
    boxShadow: 'var(--shadow)',
    fontFamily: 'var(--font-ui)',
    fontSize: '13px',
    maxWidth: '34em',
    overflow: 'hidden',
  },
  '.cm-diagnostic': { padding: '6px 8px 6px 10px' },
  '.cm-diagnosticText': { display: 'block' },
  '.cm-diagnosticSource': { display: 'block', fontFamily: 'var(--font-mono)', fontSize: '11px', opacity: 0.75 },
  '.cm-diagnosticAction': {
    font: 'inherit',
    fontSize: '12px',
    marginLeft: '0',
    marginRight: '6px',
    marginTop: '6px',
    padding: '2px 8px',
    borderRadius: '4px',
    border: '1px solid var(--border-strong)',
    backgroundColor: 'var(--surface)',
    color: 'var(--text)',
  },
  '.cm-diagnosticAction.imp-action-fix': {
    backgroundColor: 'var(--accent)',
    borderColor: 'var(--accent)',
    color: 'var(--accent-contrast)',
    fontWeight: '600',
  },
  '.cm-gutter-lint': { width: '1.3em' },
  '.cm-gutter-lint .cm-gutterElement': { padding: '0.25em 0.1em' },
  '.cm-lint-marker': { width: '0.9em', height: '0.9em' },
  '.cm-lint-marker-error': { content: svg(`<circle cx="20" cy="20" r="15" fill="${COLORS.error}"/>`) },
  '.cm-lint-marker-warning': { content: svg(`<path fill="${COLORS.warning}" d="M20 4L38 36L2 36Z"/>`) },
  '.cm-lint-marker-info': { content: svg(`<path fill="${COLORS.info}" d="M20 3L37 20L20 37L3 20Z"/>`) },
  '.cm-lint-marker-hint': { content: svg(`<circle cx="20" cy="20" r="10" fill="${COLORS.hint}"/>`) },
});

/** Markers, gutter, colours and F8 / Shift+F8 to walk through the findings. */
export function lintExtensions(): Extension[] {
  return [
    sinceCheck,
    // No lint source: the findings come from the check queue through `showFindings`.
    linter(null),
    lintGutter(),
    lintTheme,
    keymap.of([
      { key: 'F8', run: nextDiagnostic },
      { key: 'Shift-F8', run: previousDiagnostic },
    ]),
  ];
}
