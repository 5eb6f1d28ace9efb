// The rule editor's logic without the DOM: filtering the listing, where a YAML problem
// sits in the editor, the live trial's findings in the sample text, and the YAML
// editor's CodeMirror setup with the problem as a lint marker.
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { type Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { EditorState, type Extension, type Text } from '@codemirror/state';
import { EditorView, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import type { Finding, RuleEntry, RuleLevel, RuleListing, RulePack, RuleProblem } from './bindings';
import { cspNonce } from './codemirror';
import { byteToUtf16 } from './offsets';

export type { RuleEntry, RuleLevel, RuleListing, RulePack, RuleProblem, RuleTrial } from './bindings';

/** The levels a rule that is on can have, mildest first. */
export const LEVELS: readonly Exclude<RuleLevel, 'off'>[] = ['suggestion', 'warning', 'error'];

/** Which rules the list shows. */
export type RuleFilter = 'all' | 'active' | 'off' | 'problems';

export function matchesFilter(rule: RuleEntry, filter: RuleFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'active':
      return rule.active;
    case 'off':
      return rule.effective === 'off';
    case 'problems':
      return rule.problem !== null || rule.warning !== null;
  }
}

/**
 * The packs with the rules that match `query` (in code, kind, message or YAML, any case)
 * and `filter`; packs without a matching rule are left out.
 */
export function filterPacks(listing: RuleListing, query: string, filter: RuleFilter): RulePack[] {
  const q = query.trim().toLocaleLowerCase();
  const hit = (r: RuleEntry) =>
    !q ||
    [r.code, r.kind, r.message, r.source].some((s) => s.toLocaleLowerCase().includes(q));
  return listing.packs
    .map((p) => ({ ...p, rules: p.rules.filter((r) => matchesFilter(r, filter) && hit(r)) }))
    .filter((p) => p.rules.length > 0);
}

/** The rule with `code` in the listing. */
export function findRule(listing: RuleListing | null, code: string | null): RuleEntry | null {
  if (!listing || !code) return null;
  for (const p of listing.packs) {
    const r = p.rules.find((r) => r.code === code);
    if (r) return r;
  }
  return null;
}

/** The listing with one rule replaced (after a level change or a save). */
export function replaceRule(listing: RuleListing, rule: RuleEntry): RuleListing {
  return {
    ...listing,
    packs: listing.packs.map((p) =>
      p.name !== rule.pack
        ? p
        : p.rules.some((r) => r.code === rule.code)
          ? { ...p, rules: p.rules.map((r) => (r.code === rule.code ? rule : r)) }
          : { ...p, rules: [...p.rules, rule].sort((a, b) => a.name.localeCompare(b.name)) },
    ),
  };
}

/**
 * Where a problem is in `doc`: from its column to the end of its line (the whole line
 * when the column is past its end), clamped to the text.
 */
export function problemRange(doc: Text, problem: Pick<RuleProblem, 'line' | 'column'>): { from: number; to: number } {
  const lineNo = Math.min(Math.max(problem.line, 1), doc.lines);
  const line = doc.line(lineNo);
  const col = Math.max(problem.column, 1) - 1;
  const from = col < line.length ? line.from + col : line.from;
  return { from, to: line.to > from ? line.to : Math.min(from + 1, doc.length) };
}

export function problemDiagnostics(doc: Text, problem: RuleProblem | null): Diagnostic[] {
  if (!problem) return [];
  const { from, to } = problemRange(doc, problem);
  return [{ from, to, severity: 'error', source: problem.code, message: problem.message }];
}

/** Shows `problem` (or none) as the YAML editor's lint marker. */
export function showProblem(view: EditorView, problem: RuleProblem | null): void {
  view.dispatch(setDiagnostics(view.state, problemDiagnostics(view.state.doc, problem)));
}

/** A trial finding with its place in the sample as UTF-16 positions. */
export interface TrialHit {
  finding: Finding;
  from: number;
  to: number;
  matched: string;
}

export function trialHits(sample: string, findings: readonly Finding[]): TrialHit[] {
  const map = byteToUtf16(
    sample,
    findings.flatMap((f) => [f.span.start, f.span.end]),
  );
  return findings.map((finding) => {
    const from = map.get(finding.span.start) ?? 0;
    const to = map.get(finding.span.end) ?? from;
    return { finding, from, to, matched: sample.slice(from, to) };
  });
}

/** The sample split into plain and marked parts, for highlighting the trial's hits. */
export function markedSample(sample: string, hits: readonly TrialHit[]): { text: string; hit: TrialHit | null }[] {
  const sorted = [...hits].filter((h) => h.to > h.from).sort((a, b) => a.from - b.from);
  const parts: { text: string; hit: TrialHit | null }[] = [];
  let at = 0;
  for (const h of sorted) {
    if (h.from < at) continue; // overlapping hits: the first one is marked
    if (h.from > at) parts.push({ text: sample.slice(at, h.from), hit: null });
    parts.push({ text: sample.slice(h.from, h.to), hit: h });
    at = h.to;
  }
  if (at < sample.length) parts.push({ text: sample.slice(at), hit: null });
  return parts;
}

const yamlTheme = EditorView.theme({
  '&': { height: '100%', backgroundColor: 'var(--editor-bg)', color: 'var(--text)', fontSize: '13px' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: 'var(--font-mono)', lineHeight: '1.5' },
  '.cm-gutters': { backgroundColor: 'var(--surface-2, var(--editor-bg))', color: 'var(--text-faint)', border: 'none' },
  '.cm-activeLine': { backgroundColor: 'var(--active-line)' },
  '.cm-cursor': { borderLeftColor: 'var(--accent)', borderLeftWidth: '2px' },
});

/** The YAML editor: line numbers, undo, the problem's marker in the text and gutter. */
export function yamlEditorState(text: string, label: string, onChange: (text: string) => void): EditorState {
  const nonce = cspNonce();
  const extensions: Extension[] = [
    nonce ? EditorView.cspNonce.of(nonce) : [],
    lineNumbers(),
    history(),
    highlightActiveLine(),
    lintGutter(),
    keymap.of([...defaultKeymap, ...historyKeymap]),
    EditorState.tabSize.of(2),
    EditorView.contentAttributes.of({ 'aria-label': label, spellcheck: 'false' }),
    EditorView.updateListener.of((u) => {
      if (u.docChanged) onChange(u.state.doc.toString());
    }),
    yamlTheme,
  ];
  return EditorState.create({ doc: text, extensions });
}
