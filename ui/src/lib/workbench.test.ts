// The UI flows against the in-memory backend of src/dev/mock-backend.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handle, resetMockBackend, setMockFailSaves } from '../dev/mock-backend';
import { Workbench } from './workbench.svelte';

const calls: { cmd: string; args: Record<string, unknown> }[] = [];

vi.mock('./ipc', () => {
  const call =
    (cmd: string, ...names: string[]) =>
    (...values: unknown[]) => {
      const args = Object.fromEntries(names.map((n, i) => [n, values[i]]));
      calls.push({ cmd, args });
      return handle(cmd, args);
    };
  return {
    appState: call('app_state'),
    workspaceOpen: call('workspace_open', 'path'),
    workspaceCreate: call('workspace_create', 'path'),
    workspaceOpenDemo: call('workspace_open_demo'),
    docList: call('doc_list'),
    docCreate: call('doc_create', 'title'),
    docOpen: call('doc_open', 'id'),
    docSave: call('doc_save', 'id', 'content', 'message'),
    docHistory: call('doc_history', 'id'),
    revisionRead: call('revision_read', 'id', 'rev'),
    docRestore: call('doc_restore', 'id', 'rev'),
    docDiff: call('doc_diff', 'id', 'from', 'to'),
    docCheck: call('doc_check', 'content', 'id'),
    findingIgnore: (id: string, req: Record<string, unknown>) => {
      const args = { id, ...req };
      calls.push({ cmd: 'finding_ignore', args });
      return handle('finding_ignore', args);
    },
    findingUnignore: call('finding_unignore', 'id', 'ignore'),
    docIgnores: call('doc_ignores', 'id'),
  };
});

async function started(): Promise<Workbench> {
  const wb = new Workbench();
  await wb.init();
  return wb;
}

function docId(wb: Workbench, titleStart: string): string {
  const doc = wb.docs.find((d) => d.title.startsWith(titleStart));
  if (!doc) throw new Error(`no document ${titleStart}`);
  return doc.id;
}

describe('Workbench', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    resetMockBackend();
    calls.length = 0;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens the demo workspace on first start and the newest document', async () => {
    const wb = await started();
    expect(calls.map((c) => c.cmd).slice(0, 3)).toEqual(['app_state', 'workspace_open_demo', 'doc_list']);
    expect(wb.workspace?.name).toBe('Demo-Redaktion');
    expect(wb.docs).toHaveLength(3);
    expect(wb.current?.id).toBe(wb.docs[0].id);
    expect(wb.save).toMatchObject({ state: 'clean', revision: null });
  });

  it('autosaves 1.5 s after typing and counts the new version in the list', async () => {
    const wb = await started();
    const id = docId(wb, 'Leitartikel');
    await wb.openDocument(id);
    expect(wb.save).toMatchObject({ state: 'clean', revision: 4 });

    wb.edit(id, 'Neuer Text');
    expect(wb.save.state).toBe('dirty');
    await vi.advanceTimersByTimeAsync(1500);
    expect(calls.filter((c) => c.cmd === 'doc_save').map((c) => c.args)).toEqual([
      { id, content: 'Neuer Text', message: null },
    ]);
    expect(wb.save).toMatchObject({ state: 'saved', revision: 5 });
    expect(wb.docs[0]).toMatchObject({ id, revisions: 5 });
  });

  it('saves pending edits before switching documents', async () => {
    const wb = await started();
    const a = docId(wb, 'Leitartikel');
    const b = docId(wb, 'Interview');
    await wb.openDocument(a);
    wb.edit(a, 'Eilig geändert');
    calls.length = 0;

    await wb.openDocument(b);
    expect(calls.map((c) => c.cmd).filter((c) => c !== 'doc_check')).toEqual(['doc_save', 'doc_open']);
    expect(calls[0].args).toEqual({ id: a, content: 'Eilig geändert', message: null });
    expect(wb.current?.id).toBe(b);
    expect(wb.editorDoc).toMatchObject({ docId: b, mode: 'reset' });
  });

  it('keeps the document and its text open when saving fails', async () => {
    const wb = await started();
    const a = docId(wb, 'Leitartikel');
    await wb.openDocument(a);
    setMockFailSaves(true);
    wb.edit(a, 'Nicht verlieren');

    await wb.openDocument(docId(wb, 'Interview'));
    expect(wb.current?.id).toBe(a);
    expect(wb.save).toMatchObject({ state: 'error', dirty: true });
    expect(wb.notices.map((n) => n.text ?? n.key)).toEqual([
      'Die Datenbank ist schreibgeschützt',
      'notice_unsaved_blocked',
    ]);

    // Once the backend recovers, the automatic retry stores the text.
    setMockFailSaves(false);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(wb.save).toMatchObject({ state: 'saved', revision: 5, dirty: false });
    const saved = await handle('doc_open', { id: a });
    expect((saved as { head: { content: string } }).head.content).toBe('Nicht verlieren');
  });

  it('compares a revision with the head and restores it into the editor', async () => {
    const wb = await started();
    const id = docId(wb, 'Leitartikel');
    await wb.openDocument(id);
    await wb.openHistory();
    expect(wb.history.map((r) => r.number)).toEqual([1, 2, 3, 4]);

    await wb.selectRevision(wb.history[0]);
    expect(wb.diff?.loading).toBe(false);
    expect(wb.diff?.left?.meta.number).toBe(1);
    expect(wb.diff?.right?.meta.number).toBe(4);
    expect(wb.diff?.summary?.inserted_words).toBeGreaterThan(0);
    const oldText = wb.diff?.left?.content;

    await wb.restoreSelected();
    expect(calls.some((c) => c.cmd === 'doc_restore')).toBe(true);
    expect(wb.diff).toBeNull();
    expect(wb.editorDoc).toMatchObject({ docId: id, text: oldText, mode: 'replace' });
    expect(wb.save).toMatchObject({ state: 'saved', revision: 5, dirty: false });
    expect(wb.history.map((r) => r.number)).toEqual([1, 2, 3, 4, 5]);
    expect(wb.notices.at(-1)).toMatchObject({ key: 'notice_restored', params: { from: 1, to: 5 } });
  });

  it('saves a named version, and says so when nothing changed', async () => {
    const wb = await started();
    const id = docId(wb, 'Interview');
    await wb.openDocument(id);
    wb.edit(id, 'Neue Antwort');
    expect(await wb.saveVersion('  Antwort ergänzt ')).toBe(true);
    expect(calls.filter((c) => c.cmd === 'doc_save').map((c) => c.args.message)).toEqual(['Antwort ergänzt']);
    expect(wb.notices.at(-1)).toMatchObject({ key: 'notice_version_saved', params: { n: 3 } });

    expect(await wb.saveVersion('')).toBe(true);
    expect(calls.filter((c) => c.cmd === 'doc_save').at(-1)?.args.message).toBeNull();
    expect(wb.notices.at(-1)).toMatchObject({ key: 'notice_version_unchanged', params: { n: 3 } });
  });

  it('creates a document and opens it', async () => {
    const wb = await started();
    expect(await wb.createDocument('   ')).toBe(false);
    expect(await wb.createDocument('Glosse')).toBe(true);
    expect(wb.current?.title).toBe('Glosse');
    expect(wb.docs.some((d) => d.title === 'Glosse')).toBe(true);
    expect(wb.editorDoc).toMatchObject({ text: '', mode: 'reset' });
  });

  it('checks the opened document at once and the text 400 ms after typing, with the document id', async () => {
    const wb = await started();
    const id = docId(wb, 'Interview');
    await wb.openDocument(id);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.filter((c) => c.cmd === 'doc_check').at(-1)?.args.id).toBe(id);
    expect(wb.checkResult?.findings).toEqual([]);

    const text = '---\ntitle: "Wärme\n---\nDu sparst 🔥 mit dir.';
    wb.edit(id, text);
    await vi.advanceTimersByTimeAsync(399);
    expect(wb.checkResult?.text).not.toBe(text);
    await vi.advanceTimersByTimeAsync(1);
    expect(wb.checkResult?.text).toBe(text);
    const codes = wb.checkResult?.findings.map((f) => f.finding.code);
    expect(codes).toEqual(['doc.front_matter', 'WaermewerkAlbtal.Anrede', 'WaermewerkAlbtal.Anrede']);
    const dir = wb.checkResult!.findings[2];
    expect(text.slice(dir.span.from, dir.span.to)).toBe('dir');
    expect(wb.check).toMatchObject({ running: false, stale: false, error: null });
  });

  it('ignores a finding with a reason, re-checks without it, and shows it again on unignore', async () => {
    const wb = await started();
    const id = docId(wb, 'Interview');
    await wb.openDocument(id);
    const text = 'Du und du.';
    wb.edit(id, text);
    await vi.advanceTimersByTimeAsync(400);
    const [first] = wb.checkResult!.findings;
    wb.openChecks();
    wb.requestIgnore(first, 'here');
    expect(wb.ignoreDraft).toMatchObject({ index: first.index, scope: 'here' });

    expect(await wb.ignoreFinding(first, 'here', '   ')).toBe(false);
    expect(calls.some((c) => c.cmd === 'finding_ignore')).toBe(false);

    expect(await wb.ignoreFinding(first, 'here', ' Zitat ')).toBe(true);
    expect(calls.find((c) => c.cmd === 'finding_ignore')?.args).toEqual({
      id,
      code: 'WaermewerkAlbtal.Anrede',
      scope: 'here',
      matched: 'Du',
      context: '',
      reason: 'Zitat',
    });
    expect(wb.ignoreDraft).toBeNull();
    await vi.advanceTimersByTimeAsync(0);
    expect(wb.checkResult?.findings.map((f) => text.slice(f.span.from, f.span.to))).toEqual(['du']);
    expect(wb.ignores).toHaveLength(1);

    await wb.unignore(wb.ignores[0]);
    await vi.advanceTimersByTimeAsync(0);
    expect(wb.ignores).toHaveLength(0);
    expect(wb.checkResult?.findings).toHaveLength(2);
  });

  it('keeps the checks and the history panel apart', async () => {
    const wb = await started();
    await wb.openDocument(docId(wb, 'Interview'));
    wb.toggleChecks();
    expect(wb.checksOpen).toBe(true);
    await wb.openHistory();
    expect(wb.checksOpen).toBe(false);
    expect(wb.historyOpen).toBe(true);
    wb.openChecks();
    expect(wb.historyOpen).toBe(false);
  });
});
