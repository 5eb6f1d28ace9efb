// The guided path of a document: brief → draft → checks → review → approved → published.
// It says which step the document is on and what blocks the next one, each blocker with
// the place that resolves it (a front matter field, a finding in the editor, the review
// panel). Pure functions of what the app already holds, so they are tested without a
// window; the core enforces the same rules when the user acts.
import type { CheckedFinding } from './checks';
import type { MessageKey, Params } from './i18n';
import { frontMatterBlock, frontMatterValueRange } from './seo';

export type StepId = 'brief' | 'draft' | 'checks' | 'review' | 'approved' | 'published';
export const STEPS: readonly StepId[] = ['brief', 'draft', 'checks', 'review', 'approved', 'published'];

/** The review state the core keeps for a document. */
export type ReviewStateName = 'draft' | 'in_review' | 'changes_requested' | 'approved' | 'published';

/** Where clicking a blocker takes the user. */
export type PathTarget =
  | { kind: 'field'; key: string }
  | { kind: 'finding'; index: number }
  | { kind: 'editor' }
  | { kind: 'review' };

export interface Blocker {
  key: MessageKey;
  params: Params;
  target: PathTarget;
}

export type StepStatus = 'done' | 'current' | 'todo';

export interface PathStep {
  id: StepId;
  status: StepStatus;
}

export interface GuidedPath {
  steps: PathStep[];
  /** The first step that is not done (the last one once everything is). */
  current: StepId;
  /** What keeps the current step from being done, in the order to resolve it. */
  blockers: Blocker[];
}

/**
 * The front matter keys every brief fills in for a draft: without them the SEO check and
 * the published page lack their title, snippet and keyphrase. A brief template can
 * require more (see templates/briefs); these are the ones every template shares.
 */
export const BRIEF_FIELDS: readonly string[] = ['title', 'description', 'keyphrase', 'lang'];

/** A waived finding, as the core records it: its code and the exact text it covered. */
export interface WaiverKey {
  code: string;
  matched: string;
}

export interface PathInput {
  /** The editor's text. */
  text: string;
  /** The newest check result for exactly `text`; null while the first check runs. */
  findings: readonly CheckedFinding[] | null;
  /** Waivers recorded for the document. */
  waivers: readonly WaiverKey[];
  /** The core's review state; null before it is known. */
  state: ReviewStateName | null;
  /** There is an approval of exactly the saved head revision. */
  approvalValid: boolean;
  /** The editor holds text that is not saved yet. */
  dirty: boolean;
  /** Extra required brief fields (from the document's brief template), if known. */
  requiredFields?: readonly string[];
  /** The workspace's `[workflow]` gates; the defaults until known. */
  gates?: GateSettings;
}

/** The front matter fields of `required` that are missing or empty in `text`. */
export function missingFields(text: string, required: readonly string[] = BRIEF_FIELDS): string[] {
  const missing: string[] = [];
  for (const key of required) {
    const range = frontMatterValueRange(text, key);
    const value = range ? text.slice(range.from, range.to).trim() : '';
    if (value === '' || value === '""' || value === "''") missing.push(key);
  }
  return missing;
}

/** The text after the front matter, trimmed. */
export function bodyText(text: string): string {
  const block = frontMatterBlock(text);
  if (!block) return text.trim();
  const close = text.indexOf('\n', block.yamlEnd);
  return close < 0 ? '' : text.slice(close + 1).trim();
}

/** The `[workflow]` gates (the core's `Gates`). */
export interface GateSettings {
  block_style_errors: boolean;
  duplicate_coverage: number;
}

export const DEFAULT_GATES: GateSettings = { block_style_errors: true, duplicate_coverage: 0.5 };

/**
 * Whether a finding blocks approval, exactly as the core's `Gates::blocks` decides:
 * contradicted facts, error-level style findings (unless turned off), and duplicates
 * rated as errors or covering at least `duplicate_coverage` of the text.
 */
export function isBlocking(f: CheckedFinding, gates: GateSettings = DEFAULT_GATES): boolean {
  const { check, code, severity, evidence } = f.finding;
  if (code === 'facts.contradicted') return true;
  if (check === 'style') return gates.block_style_errors && severity === 'error';
  if (check === 'duplicates') {
    const coverage = (evidence as { coverage?: unknown } | null)?.coverage;
    return severity === 'error' || (code !== 'dup.same_topic' && typeof coverage === 'number' && coverage >= gates.duplicate_coverage);
  }
  return false;
}

/** The blocking findings of `findings` that no waiver covers. */
export function unresolvedBlocking(
  text: string,
  findings: readonly CheckedFinding[],
  waivers: readonly WaiverKey[],
  gates: GateSettings = DEFAULT_GATES,
): CheckedFinding[] {
  return findings.filter(
    (f) => isBlocking(f, gates) && !waivers.some((w) => w.code === f.finding.code && w.matched === text.slice(f.span.from, f.span.to)),
  );
}

function stepDone(id: StepId, input: PathInput, missing: string[], blocking: CheckedFinding[] | null): boolean {
  const state = input.state;
  switch (id) {
    case 'brief':
      return missing.length === 0;
    case 'draft':
      return bodyText(input.text) !== '';
    case 'checks':
      return blocking !== null && blocking.length === 0;
    case 'review':
      return state === 'approved' || state === 'published';
    case 'approved':
      // An unsaved edit will void the approval as soon as it is saved.
      return (state === 'approved' && input.approvalValid && !input.dirty) || state === 'published';
    case 'published':
      return state === 'published';
  }
}

function blockersOf(id: StepId, input: PathInput, missing: string[], blocking: CheckedFinding[] | null): Blocker[] {
  switch (id) {
    case 'brief':
      return missing.map((key) => ({ key: 'path_missing_field', params: { field: key }, target: { kind: 'field', key } }));
    case 'draft':
      return [{ key: 'path_empty_draft', params: {}, target: { kind: 'editor' } }];
    case 'checks':
      if (blocking === null) return [{ key: 'path_checks_running', params: {}, target: { kind: 'editor' } }];
      return blocking.map((f) => ({
        key: f.finding.code === 'facts.contradicted' ? 'path_contradicted' : 'path_blocking_finding',
        params: { code: f.finding.code, text: excerpt(input.text, f) },
        target: { kind: 'finding', index: f.index },
      }));
    case 'review':
      if (input.state === 'in_review') return [{ key: 'path_waiting_review', params: {}, target: { kind: 'review' } }];
      if (input.state === 'changes_requested') return [{ key: 'path_changes_requested', params: {}, target: { kind: 'review' } }];
      return [{ key: 'path_not_submitted', params: {}, target: { kind: 'review' } }];
    case 'approved':
      if (input.dirty) return [{ key: 'path_edit_voids', params: {}, target: { kind: 'review' } }];
      return [{ key: 'path_missing_approval', params: {}, target: { kind: 'review' } }];
    case 'published':
      return [{ key: 'path_not_published', params: {}, target: { kind: 'review' } }];
  }
}

function excerpt(text: string, f: CheckedFinding): string {
  const s = text.slice(f.span.from, f.span.to).replace(/\s+/g, ' ').trim();
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}

/** Where the document stands and what blocks its next step. */
export function guidedPath(input: PathInput): GuidedPath {
  const missing = missingFields(input.text, [...BRIEF_FIELDS, ...(input.requiredFields ?? [])].filter(unique));
  const blocking = input.findings ? unresolvedBlocking(input.text, input.findings, input.waivers, input.gates) : null;
  const done = STEPS.map((id) => stepDone(id, input, missing, blocking));
  // Once approved or published, earlier steps count as passed: the core checked them at
  // approval, and an edit after it voids the approval (the state drops back to draft).
  const published = input.state === 'published';
  const firstOpen = published ? -1 : done.findIndex((d) => !d);
  const currentIndex = firstOpen < 0 ? STEPS.length - 1 : firstOpen;
  const steps = STEPS.map((id, i) => ({
    id,
    status: (firstOpen < 0 || i < currentIndex ? 'done' : i === currentIndex ? 'current' : 'todo') as StepStatus,
  }));
  const current = STEPS[currentIndex] as StepId;
  const blockers = firstOpen < 0 ? [] : blockersOf(current, input, missing, blocking);
  return { steps, current, blockers };
}

function unique<T>(v: T, i: number, all: readonly T[]): boolean {
  return all.indexOf(v) === i;
}
