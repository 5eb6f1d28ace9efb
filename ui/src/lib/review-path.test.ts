import { describe, expect, it } from 'vitest';
import type { Finding } from './bindings';
import { convertFindings } from './checks';
import { utf16ToByte } from './offsets';
import { bodyText, guidedPath, isBlocking, missingFields, type PathInput } from './review-path';

const FULL = `---
title: "Wärmepumpe im Altbau"
description: "Was Sie vor dem Umstieg wissen sollten."
keyphrase: Wärmepumpe Altbau
lang: de
---

# Wärmepumpe im Altbau

Die AlbAir 9 kostet 12.900 Euro.
`;

function at(text: string, needle: string, over: Partial<Finding>): Finding {
  const from = text.indexOf(needle);
  return {
    check: 'style',
    code: 'Brand.Word',
    severity: 'warning',
    message: { key: 'k', args: {}, text: 'msg' },
    span: { start: utf16ToByte(text, from), end: utf16ToByte(text, from + needle.length), line: 1, column: 1 },
    fix: null,
    evidence: null,
    ...over,
  };
}

function input(over: Partial<PathInput> = {}): PathInput {
  return { text: FULL, findings: [], waivers: [], state: 'draft', approvalValid: false, dirty: false, ...over };
}

describe('guided path', () => {
  it('starts at the brief and names each missing field with its place', () => {
    const text = '---\ntitle: Nur ein Titel\nlang: de\ndescription: ""\n---\nText\n';
    expect(missingFields(text)).toEqual(['description', 'keyphrase']);
    const path = guidedPath(input({ text }));
    expect(path.current).toBe('brief');
    expect(path.steps.map((s) => s.status)).toEqual(['current', 'todo', 'todo', 'todo', 'todo', 'todo']);
    expect(path.blockers.map((b) => b.target)).toEqual([
      { kind: 'field', key: 'description' },
      { kind: 'field', key: 'keyphrase' },
    ]);
    expect(path.blockers[0]?.key).toBe('path_missing_field');
  });

  it('wants a body after the brief, and template fields count as brief fields', () => {
    const noBody = FULL.slice(0, FULL.indexOf('# Wärme'));
    expect(bodyText(noBody)).toBe('');
    expect(guidedPath(input({ text: noBody })).current).toBe('draft');
    const extra = guidedPath(input({ requiredFields: ['audience'] }));
    expect(extra.current).toBe('brief');
    expect(extra.blockers).toEqual([{ key: 'path_missing_field', params: { field: 'audience' }, target: { kind: 'field', key: 'audience' } }]);
  });

  it('stops at the checks for a contradicted claim and an error-level style finding, until waived', () => {
    const findings = convertFindings(FULL, [
      at(FULL, '12.900 Euro', { check: 'facts', code: 'facts.contradicted', severity: 'warning' }),
      at(FULL, 'AlbAir', { code: 'Brand.Name', severity: 'error' }),
      at(FULL, 'kostet', { code: 'Brand.Word', severity: 'warning' }),
      at(FULL, 'Altbau', { check: 'seo', code: 'seo.keyphrase', severity: 'error' }),
      at(FULL, 'Wärmepumpe im', { check: 'duplicates', code: 'dup.passage', severity: 'warning', evidence: { coverage: 0.3 } }),
      at(FULL, 'Die AlbAir', { check: 'duplicates', code: 'dup.same_topic', severity: 'warning', evidence: { coverage: 0.9 } }),
    ]);
    expect(findings.map((f) => [f.finding.code, isBlocking(f)])).toEqual([
      ['facts.contradicted', true],
      ['Brand.Name', true],
      ['Brand.Word', false],
      ['seo.keyphrase', false],
      ['dup.passage', false],
      ['dup.same_topic', false],
    ]);
    // Above the workspace's coverage threshold a copied passage blocks; style errors can be let through.
    const dup = findings[4] as (typeof findings)[number];
    expect(isBlocking(dup, { block_style_errors: true, duplicate_coverage: 0.25 })).toBe(true);
    expect(isBlocking(findings[1] as (typeof findings)[number], { block_style_errors: false, duplicate_coverage: 0.5 })).toBe(false);
    const path = guidedPath(input({ findings }));
    expect(path.current).toBe('checks');
    expect(path.blockers.map((b) => [b.key, b.target])).toEqual([
      ['path_contradicted', { kind: 'finding', index: 0 }],
      ['path_blocking_finding', { kind: 'finding', index: 1 }],
    ]);
    const waived = guidedPath(input({ findings, waivers: [{ code: 'facts.contradicted', matched: '12.900 Euro' }] }));
    expect(waived.blockers.map((b) => b.key)).toEqual(['path_blocking_finding']);
    // A waiver covers the text it was given for, not the same code elsewhere.
    const other = guidedPath(input({ findings, waivers: [{ code: 'Brand.Name', matched: 'Albair' }] }));
    expect(other.blockers).toHaveLength(2);
  });

  it('waits for the first check before passing the checks step', () => {
    const path = guidedPath(input({ findings: null }));
    expect(path.current).toBe('checks');
    expect(path.blockers[0]?.key).toBe('path_checks_running');
  });

  it('follows the review state to approval and publication', () => {
    expect(guidedPath(input()).blockers[0]?.key).toBe('path_not_submitted');
    expect(guidedPath(input({ state: 'in_review' })).blockers[0]).toEqual({
      key: 'path_waiting_review',
      params: {},
      target: { kind: 'review' },
    });
    expect(guidedPath(input({ state: 'changes_requested' })).blockers[0]?.key).toBe('path_changes_requested');
    const approved = guidedPath(input({ state: 'approved', approvalValid: true }));
    expect(approved.current).toBe('published');
    expect(approved.steps.filter((s) => s.status === 'done').map((s) => s.id)).toEqual([
      'brief',
      'draft',
      'checks',
      'review',
      'approved',
    ]);
    // An unsaved edit of an approved text: the approval will not hold.
    const edited = guidedPath(input({ state: 'approved', approvalValid: true, dirty: true }));
    expect(edited.current).toBe('approved');
    expect(edited.blockers[0]?.key).toBe('path_edit_voids');
    const published = guidedPath(input({ state: 'published', findings: null }));
    expect(published.steps.every((s) => s.status === 'done')).toBe(true);
    expect(published.blockers).toEqual([]);
  });
});
