// Checking the editor's text while the user types: the check queue (debounced, one
// check in flight, the newest text wins, stale results dropped), the conversion of a
// report's byte offsets to editor positions, and the grouping and counting the checks
// panel shows.
import type { CheckKind, CheckReport, Finding, IpcError, Severity } from './bindings';
import { toIpcError } from './ipc-error';
import { byteToUtf16 } from './offsets';

/** Quiet time after the last change before a check; longer for very large texts. */
export function checkDelay(length: number): number {
  if (length <= 100_000) return CHECK_DELAY_MS;
  // 1 MB: ~650 ms, 10 MB: 3 s. Each check of a huge text costs a copy over IPC.
  return Math.min(3000, CHECK_DELAY_MS + Math.round(length / 4000));
}

export const CHECK_DELAY_MS = 400;

export interface CheckQueueState {
  /** A check is in flight. */
  running: boolean;
  /** The editor holds text the last delivered result does not describe. */
  stale: boolean;
  /** Length (UTF-16 units) of the text being checked or waiting, for "checking 10 MB". */
  length: number;
  /** The last check's error; cleared by the next success. */
  error: IpcError | null;
}

/** `R`: what the check returns (a `CheckReport`; the SEO panel's queue, a `SeoOverview`). */
export interface CheckQueueOptions<R = CheckReport> {
  check: (text: string) => Promise<R>;
  /** A report for exactly the text the editor holds right now. */
  onResult: (text: string, report: R) => void;
  onState?: (state: CheckQueueState) => void;
  delay?: (length: number) => number;
}

/**
 * At most one check in flight. Changes while one runs are not sent at once: when it
 * returns, the newest text (if it differs) is checked next, and intermediate texts are
 * skipped. A result is delivered only if the text it was made for is still the newest.
 */
export class CheckQueue<R = CheckReport> {
  private latest: string | null = null;
  /** The text of the last delivered result. */
  private checked: string | null = null;
  private inFlight = false;
  private inFlightLength = 0;
  /** The timer fired (or a check was requested) while another check ran. */
  private queued = false;
  private force = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private error: IpcError | null = null;
  private disposed = false;
  private readonly delay: (length: number) => number;

  constructor(private readonly opts: CheckQueueOptions<R>) {
    this.delay = opts.delay ?? checkDelay;
  }

  get state(): CheckQueueState {
    return {
      running: this.inFlight,
      stale: this.latest !== null && this.latest !== this.checked,
      length: this.inFlight ? this.inFlightLength : (this.latest?.length ?? 0),
      error: this.error,
    };
  }

  /** The editor's text changed: check it after the quiet time. */
  update(text: string): void {
    if (this.disposed || text === this.latest) return;
    this.latest = text;
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.run();
    }, this.delay(text.length));
    this.emit();
  }

  /** Checks `text` now (a document was opened, an ignore changed what the check returns). */
  checkNow(text?: string): void {
    if (this.disposed) return;
    if (text !== undefined) this.latest = text;
    this.clearTimer();
    this.force = true;
    this.run();
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimer();
  }

  private run(): void {
    if (this.disposed || this.latest === null) return;
    if (this.inFlight) {
      this.queued = true;
      return;
    }
    if (this.latest === this.checked && !this.force) {
      this.emit();
      return;
    }
    this.force = false;
    this.queued = false;
    const text = this.latest;
    this.inFlight = true;
    this.inFlightLength = text.length;
    this.emit();
    this.opts.check(text).then(
      (report) => {
        if (this.disposed) return;
        this.error = null;
        if (text === this.latest) {
          this.checked = text;
          this.opts.onResult(text, report);
        }
      },
      (e: unknown) => {
        if (this.disposed) return;
        this.error = toIpcError(e);
      },
    ).finally(() => {
      this.inFlight = false;
      if (this.disposed) return;
      // Changes while the check ran: their timer may have fired already (queued), or is
      // still waiting, in which case it runs the check itself.
      if (this.queued && this.timer === null) {
        this.queued = false;
        if (this.latest !== this.checked || this.force) {
          this.run();
          return;
        }
      }
      this.emit();
    });
  }

  private clearTimer(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private emit(): void {
    this.opts.onState?.(this.state);
  }
}

// Findings in editor positions -------------------------------------------------

export interface Range {
  from: number;
  to: number;
}

export interface EditorChange {
  from: number;
  to: number;
  insert: string;
}

/** A finding with its positions converted to UTF-16 (CodeMirror) positions. */
export interface CheckedFinding {
  /** Index in the report's findings; stable for one report. */
  index: number;
  finding: Finding;
  /** The exact span (may be empty). */
  span: Range;
  /** What the editor marks and selects: an empty span widened to the rest of its line. */
  mark: Range;
  fix: { label: string; changes: EditorChange[] } | null;
}

/** A report for one text, ready for the editor and the panel. */
export interface CheckResult {
  /** Increases with every delivered report. */
  seq: number;
  docId: string;
  text: string;
  report: CheckReport;
  findings: CheckedFinding[];
}

export function convertFindings(text: string, findings: readonly Finding[]): CheckedFinding[] {
  const offsets: number[] = [];
  for (const f of findings) {
    offsets.push(f.span.start, f.span.end);
    for (const e of f.fix?.edits ?? []) offsets.push(e.start, e.end);
  }
  const map = byteToUtf16(text, offsets);
  const pos = (byte: number) => map.get(byte) ?? text.length;
  return findings.map((finding, index) => {
    const from = pos(finding.span.start);
    const to = Math.max(from, pos(finding.span.end));
    let mark = { from, to };
    if (from === to) {
      const lineEnd = text.indexOf('\n', from);
      const end = lineEnd < 0 ? text.length : lineEnd;
      if (end > from) mark = { from, to: end };
    }
    const fix = finding.fix
      ? {
          label: finding.fix.label,
          changes: finding.fix.edits.map((e) => {
            const a = pos(e.start);
            return { from: a, to: Math.max(a, pos(e.end)), insert: e.replacement };
          }),
        }
      : null;
    return { index, finding, span: { from, to }, mark, fix };
  });
}

// Grouping and counting ----------------------------------------------------------

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'suggestion', 'info'];
const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, suggestion: 2, info: 3 };

export function severityRank(s: Severity): number {
  return SEVERITY_RANK[s] ?? 4;
}

/** The most severe of `severities` ('info' for none). */
export function worstSeverity(severities: Iterable<Severity>): Severity {
  let worst: Severity = 'info';
  for (const s of severities) if (severityRank(s) < severityRank(worst)) worst = s;
  return worst;
}

export interface CodeGroup {
  code: string;
  severity: Severity;
  items: CheckedFinding[];
}

export interface CheckGroup {
  check: CheckKind;
  count: number;
  severity: Severity;
  codes: CodeGroup[];
}

export interface CheckSummary {
  total: number;
  bySeverity: Record<Severity, number>;
  byCheck: { check: CheckKind; count: number }[];
  groups: CheckGroup[];
}

const CHECK_ORDER: readonly string[] = ['document', 'style', 'seo', 'facts', 'duplicates'];

function checkRank(check: string): number {
  const i = CHECK_ORDER.indexOf(check);
  return i < 0 ? CHECK_ORDER.length : i;
}

/**
 * Findings grouped by check, then by rule code, each group with its count and worst
 * severity. Checks in a fixed order; codes most severe first, then by count; findings
 * by position.
 */
export function summarize(findings: readonly CheckedFinding[]): CheckSummary {
  const bySeverity: Record<Severity, number> = { error: 0, warning: 0, suggestion: 0, info: 0 };
  const checks = new Map<CheckKind, Map<string, CheckedFinding[]>>();
  for (const f of findings) {
    const { check, code, severity } = f.finding;
    bySeverity[severity] = (bySeverity[severity] ?? 0) + 1;
    let codes = checks.get(check);
    if (!codes) checks.set(check, (codes = new Map()));
    let items = codes.get(code);
    if (!items) codes.set(code, (items = []));
    items.push(f);
  }
  const groups: CheckGroup[] = [...checks.entries()].map(([check, codes]) => {
    const codeGroups: CodeGroup[] = [...codes.entries()].map(([code, items]) => ({
      code,
      severity: worstSeverity(items.map((i) => i.finding.severity)),
      items: [...items].sort((a, b) => a.span.from - b.span.from || a.span.to - b.span.to),
    }));
    codeGroups.sort(
      (a, b) =>
        severityRank(a.severity) - severityRank(b.severity) ||
        b.items.length - a.items.length ||
        a.code.localeCompare(b.code),
    );
    const count = codeGroups.reduce((n, g) => n + g.items.length, 0);
    return { check, count, severity: worstSeverity(codeGroups.map((g) => g.severity)), codes: codeGroups };
  });
  groups.sort((a, b) => checkRank(a.check) - checkRank(b.check) || a.check.localeCompare(b.check));
  return {
    total: findings.length,
    bySeverity,
    byCheck: groups.map((g) => ({ check: g.check, count: g.count })),
    groups,
  };
}

/** The findings the editor marks: all, unless there are very many (most severe kept). */
/**
 * A note about the check run rather than the text ("the same-topic check was skipped:
 * no embedder", "compared with 16 of 40 texts"): listed in the panel, never a marker,
 * since it would underline whatever line happens to come first.
 */
export function isRunNote(finding: Finding): boolean {
  return finding.code.endsWith('_skipped') || finding.code.endsWith('_partial');
}

export function markedFindings(findings: readonly CheckedFinding[], max: number): CheckedFinding[] {
  const marked = findings.filter((f) => !isRunNote(f.finding));
  if (marked.length <= max) return marked;
  return marked
    .sort((a, b) => severityRank(a.finding.severity) - severityRank(b.finding.severity) || a.span.from - b.span.from)
    .slice(0, max);
}

// Scores ------------------------------------------------------------------------

export type ScoreLevel = 'good' | 'ok' | 'bad';

export function scoreLevel(score: number): ScoreLevel {
  if (score >= 70) return 'good';
  if (score >= 40) return 'ok';
  return 'bad';
}

export function scoreEntries(scores: Record<string, number>): { key: string; value: number; level: ScoreLevel }[] {
  return Object.entries(scores)
    .filter(([, v]) => typeof v === 'number' && Number.isFinite(v))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => ({ key, value, level: scoreLevel(value) }));
}

// Ignoring -----------------------------------------------------------------------

export const IGNORE_CONTEXT_CHARS = 40;

/**
 * What `finding_ignore` stores to recognise a finding again: the source text of its
 * span and up to 40 characters (code points) before it.
 */
export function ignoreAnchor(text: string, span: Range): { matched: string; context: string } {
  const matched = text.slice(span.from, span.to);
  const before = Array.from(text.slice(Math.max(0, span.from - IGNORE_CONTEXT_CHARS * 2), span.from));
  return { matched, context: before.slice(-IGNORE_CONTEXT_CHARS).join('') };
}
