// The facts panel's rows: the fact-check findings of a check report (check = facts), with
// the verdict, both values and the evidence span that the core put into `evidence`.
import type { Blocker, EvidenceSpan, FactsVerdict } from './bindings';
import type { CheckedFinding } from './checks';

export interface FactRow {
  index: number;
  verdict: FactsVerdict;
  code: string;
  /** The claim's sentence as the checked text has it. */
  text: string;
  claimValue: string | null;
  sourceValue: string | null;
  confidence: number;
  source: EvidenceSpan | null;
  message: string;
  finding: CheckedFinding;
}

const ORDER: Record<FactsVerdict, number> = { contradicted: 0, unverifiable: 1, supported: 2 };

function verdictOf(f: CheckedFinding): FactsVerdict {
  const v = (f.finding.evidence as { verdict?: FactsVerdict } | null)?.verdict;
  if (v === 'contradicted' || v === 'supported' || v === 'unverifiable') return v;
  return f.finding.severity === 'error' ? 'contradicted' : 'unverifiable';
}

/** Fact-check rows of `findings` (in editor positions of `text`), contradicted first. */
export function factRows(findings: CheckedFinding[], text: string): FactRow[] {
  const rows: FactRow[] = [];
  for (const f of findings) {
    if (f.finding.check !== 'facts') continue;
    const ev = (f.finding.evidence ?? {}) as {
      claim_value?: string | null;
      source_value?: string | null;
      confidence?: number;
      source?: EvidenceSpan | null;
    };
    rows.push({
      index: f.index,
      verdict: verdictOf(f),
      code: f.finding.code,
      text: text.slice(f.span.from, f.span.to),
      claimValue: ev.claim_value ?? null,
      sourceValue: ev.source_value ?? null,
      confidence: ev.confidence ?? 0,
      source: ev.source ?? null,
      message: f.finding.message.text,
      finding: f,
    });
  }
  return rows.sort((a, b) => ORDER[a.verdict] - ORDER[b.verdict] || a.finding.span.from - b.finding.span.from);
}

/** Counts per verdict. */
export function factCounts(rows: FactRow[]): Record<FactsVerdict, number> {
  const c: Record<FactsVerdict, number> = { contradicted: 0, unverifiable: 0, supported: 0 };
  for (const r of rows) c[r.verdict] += 1;
  return c;
}

/**
 * The review blocker a contradicted row stands for (contradicted claims block approval
 * until a reviewer waives them): the same code at the same place of the saved text, or
 * the same claim text when edits above it moved it since the last save.
 */
export function blockerOf(row: FactRow, blocking: Blocker[]): Blocker | null {
  if (row.verdict !== 'contradicted') return null;
  const start = row.finding.finding.span.start;
  return (
    blocking.find((b) => b.finding.code === row.code && b.finding.span.start === start) ??
    blocking.find((b) => b.finding.code === row.code && b.matched === row.text) ??
    null
  );
}
