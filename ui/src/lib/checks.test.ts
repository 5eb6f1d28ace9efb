import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CheckReport, Finding, IpcError } from './bindings';
import {
  CheckQueue,
  checkDelay,
  convertFindings,
  ignoreAnchor,
  markedFindings,
  scoreEntries,
  scoreLevel,
  summarize,
  type CheckQueueState,
} from './checks';
import { utf16ToByte } from './offsets';

function report(text: string, findings: Finding[] = []): CheckReport {
  return { content_hash: `hash:${text}`, findings, scores: {} };
}

/** A finding over `text.slice(from, to)` (UTF-16 positions), reported in bytes. */
function finding(text: string, from: number, to: number, over: Partial<Finding> = {}): Finding {
  return {
    check: 'style',
    code: 'WaermewerkAlbtal.Anrede',
    severity: 'warning',
    message: { key: 'k', args: {}, text: 'msg' },
    span: { start: utf16ToByte(text, from), end: utf16ToByte(text, to), line: 1, column: from + 1 },
    fix: null,
    evidence: null,
    ...over,
  };
}

interface Pending {
  text: string;
  resolve: (r: CheckReport) => void;
  reject: (e: IpcError) => void;
}

function manualChecker() {
  const calls: Pending[] = [];
  let active = 0;
  let maxActive = 0;
  const check = (text: string) =>
    new Promise<CheckReport>((resolve, reject) => {
      active++;
      maxActive = Math.max(maxActive, active);
      calls.push({
        text,
        resolve: (r) => (active--, resolve(r)),
        reject: (e) => (active--, reject(e)),
      });
    });
  return { check, calls, maxActive: () => maxActive };
}

describe('CheckQueue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup() {
    const backend = manualChecker();
    const results: { text: string; report: CheckReport }[] = [];
    const states: CheckQueueState[] = [];
    const queue = new CheckQueue({
      check: backend.check,
      onResult: (text, r) => results.push({ text, report: r }),
      onState: (s) => states.push(s),
    });
    return { backend, results, states, queue };
  }

  it('checks 400 ms after the last change, once', async () => {
    const { backend, results, queue } = setup();
    queue.update('a');
    await vi.advanceTimersByTimeAsync(300);
    queue.update('ab');
    await vi.advanceTimersByTimeAsync(300);
    queue.update('abc');
    await vi.advanceTimersByTimeAsync(399);
    expect(backend.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(backend.calls.map((c) => c.text)).toEqual(['abc']);
    backend.calls[0].resolve(report('abc'));
    await vi.advanceTimersByTimeAsync(0);
    expect(results.map((r) => r.text)).toEqual(['abc']);
  });

  it('keeps one check in flight, queues the newest text and drops stale results', async () => {
    const { backend, results, queue, states } = setup();
    queue.update('one');
    await vi.advanceTimersByTimeAsync(400);
    expect(states[states.length - 1].running).toBe(true);
    queue.update('two');
    await vi.advanceTimersByTimeAsync(400);
    queue.update('three');
    await vi.advanceTimersByTimeAsync(400);
    expect(backend.calls.map((c) => c.text)).toEqual(['one']); // still waiting for 'one'

    backend.calls[0].resolve(report('one'));
    await vi.advanceTimersByTimeAsync(0);
    expect(results).toHaveLength(0); // 'one' is not what the editor holds any more
    expect(backend.calls.map((c) => c.text)).toEqual(['one', 'three']); // 'two' skipped

    backend.calls[1].resolve(report('three'));
    await vi.advanceTimersByTimeAsync(0);
    expect(results.map((r) => r.text)).toEqual(['three']);
    expect(backend.maxActive()).toBe(1);
    expect(states[states.length - 1]).toMatchObject({ running: false, stale: false });
  });

  it('waits for the quiet time again if the text changes while a check runs', async () => {
    const { backend, results, queue } = setup();
    queue.update('one');
    await vi.advanceTimersByTimeAsync(400);
    queue.update('two'); // timer pending when 'one' returns
    backend.calls[0].resolve(report('one'));
    await vi.advanceTimersByTimeAsync(0);
    expect(backend.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(400);
    expect(backend.calls.map((c) => c.text)).toEqual(['one', 'two']);
    backend.calls[1].resolve(report('two'));
    await vi.advanceTimersByTimeAsync(0);
    expect(results.map((r) => r.text)).toEqual(['two']);
  });

  it('does not check the same text twice unless asked, and checks at once when asked', async () => {
    const { backend, queue } = setup();
    queue.checkNow('text');
    expect(backend.calls).toHaveLength(1);
    backend.calls[0].resolve(report('text'));
    await vi.advanceTimersByTimeAsync(0);
    queue.update('text');
    await vi.advanceTimersByTimeAsync(1000);
    expect(backend.calls).toHaveLength(1);
    queue.checkNow(); // e.g. after an ignore
    expect(backend.calls.map((c) => c.text)).toEqual(['text', 'text']);
  });

  it('runs a requested check after the one in flight', async () => {
    const { backend, queue } = setup();
    queue.checkNow('text');
    queue.checkNow();
    expect(backend.calls).toHaveLength(1);
    backend.calls[0].resolve(report('text'));
    await vi.advanceTimersByTimeAsync(0);
    expect(backend.calls).toHaveLength(2);
  });

  it('reports errors and recovers with the next change', async () => {
    const { backend, results, queue, states } = setup();
    queue.checkNow('a');
    backend.calls[0].reject({ code: 'check', message: 'kaputt' });
    await vi.advanceTimersByTimeAsync(0);
    expect(states[states.length - 1]).toMatchObject({ running: false, error: { message: 'kaputt' } });
    queue.update('ab');
    await vi.advanceTimersByTimeAsync(400);
    backend.calls[1].resolve(report('ab'));
    await vi.advanceTimersByTimeAsync(0);
    expect(results.map((r) => r.text)).toEqual(['ab']);
    expect(states[states.length - 1].error).toBeNull();
  });

  it('delivers nothing after dispose', async () => {
    const { backend, results, queue } = setup();
    queue.checkNow('a');
    queue.dispose();
    backend.calls[0].resolve(report('a'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(results).toHaveLength(0);
  });

  it('waits longer before checking huge texts', () => {
    expect(checkDelay(10)).toBe(400);
    expect(checkDelay(1_000_000)).toBeGreaterThan(400);
    expect(checkDelay(10_000_000)).toBeGreaterThan(2000);
    expect(checkDelay(50_000_000)).toBe(3000);
  });
});

describe('findings in editor positions', () => {
  it('converts spans and fixes from bytes, and widens empty spans to the line', () => {
    const text = '---\ntitle: "Wärme\n---\nDu sparst 🔥 mit dir.';
    const du = text.indexOf('Du');
    const dir = text.indexOf('dir');
    const fm = text.indexOf('title');
    const findings = convertFindings(text, [
      finding(text, fm, fm, { check: 'document', code: 'doc.front_matter', severity: 'error' }),
      finding(text, dir, dir + 3, {
        fix: {
          label: 'Ersetzen durch „Ihnen“',
          edits: [{ start: utf16ToByte(text, dir), end: utf16ToByte(text, dir + 3), replacement: 'Ihnen' }],
        },
      }),
      finding(text, du, du + 2),
    ]);
    expect(findings[0].span).toEqual({ from: fm, to: fm });
    expect(text.slice(findings[0].mark.from, findings[0].mark.to)).toBe('title: "Wärme');
    expect(text.slice(findings[1].span.from, findings[1].span.to)).toBe('dir');
    expect(findings[1].fix).toEqual({ label: 'Ersetzen durch „Ihnen“', changes: [{ from: dir, to: dir + 3, insert: 'Ihnen' }] });
    expect(findings[2].mark).toEqual({ from: du, to: du + 2 });
    expect(findings.map((f) => f.index)).toEqual([0, 1, 2]);
  });

  it('takes the matched text and up to 40 characters before it for an ignore', () => {
    const text = `${'ä'.repeat(50)}🔥 Du`;
    const from = text.indexOf('Du');
    const anchor = ignoreAnchor(text, { from, to: from + 2 });
    expect(anchor.matched).toBe('Du');
    expect(Array.from(anchor.context)).toHaveLength(40);
    expect(anchor.context.endsWith('ä🔥 ')).toBe(true);
    expect(ignoreAnchor('Du', { from: 0, to: 2 }).context).toBe('');
  });
});

describe('grouping and counting', () => {
  const text = 'x'.repeat(200);
  const f = (from: number, over: Partial<Finding>) => finding(text, from, from + 1, over);
  const findings = convertFindings(text, [
    f(50, { code: 'A.One', severity: 'warning' }),
    f(10, { code: 'A.One', severity: 'warning' }),
    f(30, { code: 'A.Two', severity: 'error' }),
    f(5, { check: 'seo', code: 'seo.title', severity: 'info' }),
    f(7, { check: 'seo', code: 'seo.title', severity: 'suggestion' }),
    f(0, { check: 'document', code: 'doc.front_matter', severity: 'error' }),
  ]);

  it('groups by check, then rule, with counts and the worst severity', () => {
    const s = summarize(findings);
    expect(s.total).toBe(6);
    expect(s.bySeverity).toEqual({ error: 2, warning: 2, suggestion: 1, info: 1 });
    expect(s.byCheck).toEqual([
      { check: 'document', count: 1 },
      { check: 'style', count: 3 },
      { check: 'seo', count: 2 },
    ]);
    const style = s.groups[1];
    expect(style.severity).toBe('error');
    // The error rule first, then by count; findings by position.
    expect(style.codes.map((c) => [c.code, c.items.length, c.severity])).toEqual([
      ['A.Two', 1, 'error'],
      ['A.One', 2, 'warning'],
    ]);
    expect(style.codes[1].items.map((i) => i.span.from)).toEqual([10, 50]);
    expect(s.groups[2].codes[0].severity).toBe('suggestion');
  });

  it('counts nothing for a clean report', () => {
    expect(summarize([])).toMatchObject({ total: 0, groups: [], byCheck: [] });
  });

  it('marks the most severe findings first when there are too many', () => {
    const marked = markedFindings(findings, 2);
    expect(marked.map((m) => m.finding.severity)).toEqual(['error', 'error']);
    expect(markedFindings(findings, 10)).toHaveLength(6);
  });

  it('lists notes about the check run in the panel but never marks them', () => {
    const withNote = convertFindings(text, [
      f(3, { check: 'style', code: 'A.One', severity: 'warning' }),
      f(0, { check: 'duplicates', code: 'dup.same_topic_skipped', severity: 'info' }),
      f(0, { check: 'duplicates', code: 'dup.same_topic_partial', severity: 'info' }),
    ]);
    expect(summarize(withNote).total).toBe(3);
    expect(markedFindings(withNote, 10).map((m) => m.finding.code)).toEqual(['A.One']);
  });
});

describe('scores', () => {
  it('turns scores into traffic lights: ≥ 70 good, ≥ 40 ok, else bad', () => {
    expect(scoreLevel(70)).toBe('good');
    expect(scoreLevel(69.9)).toBe('ok');
    expect(scoreLevel(40)).toBe('ok');
    expect(scoreLevel(39)).toBe('bad');
    expect(scoreEntries({ 'seo.readability': 35, seo: 88, broken: Number.NaN })).toEqual([
      { key: 'seo', value: 88, level: 'good' },
      { key: 'seo.readability', value: 35, level: 'bad' },
    ]);
  });
});
