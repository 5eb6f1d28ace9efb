// Application state and the flows between the UI and the Tauri commands: opening
// workspaces and documents, autosave, named versions, history, diff and restore, and
// the checks of the editor's text (findings, ignores).
import { AutosaveQueue, type AutosaveSnapshot } from './autosave';
import {
  CheckQueue,
  convertFindings,
  ignoreAnchor,
  type CheckedFinding,
  type CheckQueueState,
  type CheckResult,
} from './checks';
import type {
  DocumentId,
  DocumentSummary,
  IpcError,
  Revision,
  RevisionMeta,
  SaveOutcome,
  WordDiff,
  WorkspaceInfo,
} from './bindings';
import type { MessageKey, Params } from './i18n';
import * as ipc from './ipc';
import type { Ignore, IgnoreScope } from './ipc';
import { toIpcError } from './ipc-error';

/** What the editor should show; a new `key` makes the editor load `text`. */
export interface EditorDoc {
  key: string;
  docId: DocumentId;
  text: string;
  /** 'reset' starts a fresh undo history; 'replace' swaps the text as one undoable change. */
  mode: 'reset' | 'replace';
}

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  /** Raw text from the backend (errors) … */
  text?: string;
  /** … or a message key, translated when shown. */
  key?: MessageKey;
  params?: Params;
}

export interface DiffState {
  rev: RevisionMeta;
  loading: boolean;
  left: Revision | null;
  right: Revision | null;
  summary: WordDiff | null;
}

const CLEAN: AutosaveSnapshot = { state: 'clean', revision: null, dirty: false, error: null };
const CHECK_IDLE: CheckQueueState = { running: false, stale: false, length: 0, error: null };

/** The finding whose ignore form is open, and for which scope. */
export interface IgnoreDraft {
  index: number;
  scope: IgnoreScope;
  /** Recognises the same finding in the next report (whose indices may differ). */
  key: string;
}

function findingKey(text: string, f: CheckedFinding): string {
  const { matched, context } = ignoreAnchor(text, f.span);
  return `${f.finding.code}\u0000${matched}\u0000${context}`;
}
const NOTICE_TTL_MS = { info: 5000, error: 12000 } as const;

export class Workbench {
  ready = $state(false);
  workspace = $state.raw<WorkspaceInfo | null>(null);
  author = $state('');
  docs = $state.raw<DocumentSummary[]>([]);
  current = $state.raw<DocumentSummary | null>(null);
  editorDoc = $state.raw<EditorDoc | null>(null);
  /** Incremented to move the keyboard focus into the editor. */
  editorFocus = $state(0);
  opening = $state(false);
  /** A workspace is being opened (its documents are not listed yet). */
  switching = $state(false);
  save = $state.raw<AutosaveSnapshot>(CLEAN);
  notices = $state<Notice[]>([]);

  historyOpen = $state(false);
  historyLoading = $state(false);
  history = $state.raw<RevisionMeta[]>([]);
  diff = $state.raw<DiffState | null>(null);
  restoring = $state(false);

  checksOpen = $state(false);
  check = $state.raw<CheckQueueState>(CHECK_IDLE);
  /** The newest report for the editor's text, in editor positions. */
  checkResult = $state.raw<CheckResult | null>(null);
  ignores = $state.raw<Ignore[]>([]);
  ignoresError = $state.raw<IpcError | null>(null);
  ignoreDraft = $state.raw<IgnoreDraft | null>(null);
  ignoreBusy = $state(false);
  /** A model is writing into the editor: its changes are neither saved nor checked. */
  generating = $state(false);

  private queue: AutosaveQueue | null = null;
  private checkQueue: CheckQueue | null = null;
  private checkSeq = 0;
  private openSeq = 0;
  private diffSeq = 0;
  private noticeSeq = 0;
  private loadSeq = 0;
  private restoreSeq = 0;

  /** First start: the remembered workspace, or the bundled demo. */
  async init(): Promise<void> {
    try {
      const state = await ipc.appState();
      this.author = state.author;
      const workspace = state.workspace ?? (await ipc.workspaceOpenDemo());
      await this.enterWorkspace(workspace);
    } catch (e) {
      this.fail(e);
    } finally {
      this.ready = true;
    }
  }

  async openWorkspace(path: string, create: boolean): Promise<boolean> {
    if (!(await this.leaveDocument())) return false;
    this.switching = true;
    try {
      const workspace = create ? await ipc.workspaceCreate(path) : await ipc.workspaceOpen(path);
      this.closeDocument();
      this.historyOpen = false;
      await this.enterWorkspace(workspace);
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    } finally {
      this.switching = false;
    }
  }

  private async enterWorkspace(workspace: WorkspaceInfo): Promise<void> {
    this.workspace = workspace;
    this.docs = [];
    this.docs = await ipc.docList();
    const first = this.docs[0];
    if (first) await this.openDocument(first.id, false);
  }

  /** Re-reads the document list (the CLI or another window may have changed it). */
  async refreshDocs(): Promise<void> {
    if (!this.workspace || this.switching) return;
    try {
      this.docs = await ipc.docList();
    } catch (e) {
      this.fail(e);
    }
  }

  async openDocument(id: DocumentId, focus = true): Promise<void> {
    if (this.current?.id === id && !this.opening) return;
    const seq = ++this.openSeq;
    if (!(await this.leaveDocument()) || seq !== this.openSeq) return;
    this.opening = true;
    try {
      const opened = await ipc.docOpen(id);
      if (seq !== this.openSeq) return;
      this.closeDocument();
      this.current = opened.document;
      this.replaceSummary(opened.document);
      this.startQueue(opened.document.id, opened.head?.content ?? '', opened.head?.meta.number ?? null);
      this.startChecks(opened.document.id, opened.head?.content ?? '');
      if (this.checksOpen) void this.loadIgnores();
      this.editorDoc = {
        key: `${id}:${seq}`,
        docId: id,
        text: opened.head?.content ?? '',
        mode: 'reset',
      };
      if (focus) this.editorFocus++;
      if (this.historyOpen) void this.loadHistory();
    } catch (e) {
      if (seq === this.openSeq) this.fail(e);
    } finally {
      if (seq === this.openSeq) this.opening = false;
    }
  }

  async createDocument(title: string): Promise<boolean> {
    const trimmed = title.trim();
    if (!trimmed) {
      this.notify('info', { key: 'notice_title_required' });
      return false;
    }
    if (!(await this.leaveDocument())) return false;
    try {
      const doc = await ipc.docCreate(trimmed);
      this.docs = [doc, ...this.docs.filter((d) => d.id !== doc.id)];
      await this.openDocument(doc.id, true);
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    }
  }

  /** The editor's text changed. */
  edit(docId: DocumentId, text: string): void {
    if (this.current?.id !== docId) return;
    // Streamed model text is not the user's: the draft is saved as an `ai` revision.
    if (this.generating) return;
    this.queue?.update(text);
    this.checkQueue?.update(text);
  }

  /** A revision saved outside the editor (a generated draft) becomes the editor's text. */
  adoptRevision(docId: DocumentId, content: string, outcome: SaveOutcome): void {
    if (this.current?.id !== docId) return;
    this.queue?.replace(content, outcome.revision.number);
    this.applySaved(docId, outcome);
    this.editorDoc = { key: `${docId}:adopt:${++this.restoreSeq}`, docId, text: content, mode: 'replace' };
    this.checkQueue?.update(content);
    if (this.historyOpen) void this.loadHistory();
  }

  /** Puts the saved text back in the editor (after a generation was cancelled or failed). */
  async revertToSaved(docId: DocumentId): Promise<void> {
    try {
      const opened = await ipc.docOpen(docId);
      if (this.current?.id !== docId) return;
      const text = opened.head?.content ?? '';
      this.queue?.replace(text, opened.head?.meta.number ?? null);
      this.editorDoc = { key: `${docId}:revert:${++this.restoreSeq}`, docId, text, mode: 'replace' };
      this.checkQueue?.update(text);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Saves pending edits now (window blur, before leaving a document). */
  async flush(): Promise<boolean> {
    return this.queue ? this.queue.flush() : true;
  }

  async saveVersion(message: string): Promise<boolean> {
    const queue = this.queue;
    if (!queue) return false;
    const text = message.trim();
    try {
      const outcome = await queue.saveVersion(text === '' ? null : text);
      this.notify('info', {
        key: outcome.unchanged ? 'notice_version_unchanged' : 'notice_version_saved',
        params: { n: outcome.revision.number },
      });
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    }
  }

  // History -------------------------------------------------------------------

  async toggleHistory(): Promise<void> {
    if (this.historyOpen) this.closeHistory();
    else await this.openHistory();
  }

  async openHistory(): Promise<void> {
    if (!this.current) return;
    this.closeChecks();
    this.historyOpen = true;
    await this.flush();
    await this.loadHistory();
  }

  closeHistory(): void {
    this.historyOpen = false;
    this.closeDiff();
  }

  closeDiff(): void {
    this.diffSeq++;
    if (this.diff) {
      this.diff = null;
      this.refocusEditor();
    }
  }

  async loadHistory(): Promise<void> {
    const doc = this.current;
    if (!doc) return;
    const seq = ++this.loadSeq;
    this.historyLoading = true;
    try {
      const revisions = await ipc.docHistory(doc.id);
      if (seq === this.loadSeq && this.current?.id === doc.id) this.history = revisions;
    } catch (e) {
      this.fail(e);
    } finally {
      if (seq === this.loadSeq) this.historyLoading = false;
    }
  }

  /** Shows the selected revision next to the current head. */
  async selectRevision(rev: RevisionMeta): Promise<void> {
    const doc = this.current;
    if (!doc) return;
    const seq = ++this.diffSeq;
    this.diff = { rev, loading: true, left: null, right: null, summary: null };
    try {
      // The head must hold what the editor shows before comparing against it.
      await this.flush();
      const headId = this.current?.head ?? this.history[this.history.length - 1]?.id;
      if (!headId || seq !== this.diffSeq) return;
      const [left, right, summary] = await Promise.all([
        ipc.revisionRead(doc.id, rev.id),
        headId === rev.id ? null : ipc.revisionRead(doc.id, headId),
        headId === rev.id ? null : ipc.docDiff(doc.id, rev.id, headId),
      ]);
      if (seq !== this.diffSeq) return;
      this.diff = { rev, loading: false, left, right: right ?? left, summary };
    } catch (e) {
      if (seq === this.diffSeq) {
        this.diff = null;
        this.fail(e);
      }
    }
  }

  async restoreSelected(): Promise<void> {
    const doc = this.current;
    const target = this.diff?.rev;
    if (!doc || !target || this.restoring) return;
    this.restoring = true;
    try {
      if (!(await this.flush())) {
        this.notify('error', { key: 'notice_unsaved_blocked' });
        return;
      }
      const outcome = await ipc.docRestore(doc.id, target.id);
      const opened = await ipc.docOpen(doc.id);
      if (this.current?.id !== doc.id) return;
      const text = opened.head?.content ?? '';
      this.queue?.replace(text, outcome.revision.number);
      this.current = opened.document;
      this.replaceSummary(opened.document);
      this.editorDoc = { key: `${doc.id}:restore:${++this.restoreSeq}`, docId: doc.id, text, mode: 'replace' };
      this.diff = null;
      this.editorFocus++;
      await this.loadHistory();
      this.notify(
        'info',
        outcome.unchanged
          ? { key: 'notice_restore_unchanged', params: { n: target.number } }
          : { key: 'notice_restored', params: { from: target.number, to: outcome.revision.number } },
      );
    } catch (e) {
      this.fail(e);
    } finally {
      this.restoring = false;
    }
  }

  // Checks --------------------------------------------------------------------

  toggleChecks(): void {
    if (this.checksOpen) this.closeChecks();
    else this.openChecks();
  }

  /** Opens the checks panel (in place of the history). */
  openChecks(): void {
    if (!this.current) return;
    if (this.historyOpen) this.closeHistory();
    const wasOpen = this.checksOpen;
    this.checksOpen = true;
    if (!wasOpen) void this.loadIgnores();
  }

  closeChecks(): void {
    this.checksOpen = false;
    this.ignoreDraft = null;
  }

  /** Checks the editor's text again now. */
  recheck(): void {
    this.checkQueue?.checkNow();
  }

  /** Opens the reason form of a finding (from the panel or the editor's tooltip). */
  requestIgnore(finding: CheckedFinding, scope: IgnoreScope): void {
    const result = this.checkResult;
    if (!result) return;
    this.openChecks();
    this.ignoreDraft = { index: finding.index, scope, key: findingKey(result.text, finding) };
  }

  cancelIgnore(): void {
    this.ignoreDraft = null;
  }

  async ignoreFinding(finding: CheckedFinding, scope: IgnoreScope, reason: string): Promise<boolean> {
    const doc = this.current;
    const result = this.checkResult;
    const why = reason.trim();
    if (!doc || !result || this.ignoreBusy) return false;
    if (!why) {
      this.notify('info', { key: 'notice_reason_required' });
      return false;
    }
    this.ignoreBusy = true;
    try {
      const anchor = ignoreAnchor(result.text, finding.span);
      const ignore = await ipc.findingIgnore(doc.id, {
        code: finding.finding.code,
        scope,
        ...anchor,
        reason: why,
      });
      if (this.current?.id !== doc.id) return true;
      this.ignores = [...this.ignores.filter((i) => i.id !== ignore.id), ignore];
      this.ignoreDraft = null;
      this.notify('info', { key: 'notice_ignored' });
      this.recheck();
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    } finally {
      this.ignoreBusy = false;
    }
  }

  async unignore(ignore: Ignore): Promise<void> {
    const doc = this.current;
    if (!doc) return;
    try {
      await ipc.findingUnignore(doc.id, ignore.id);
      if (this.current?.id !== doc.id) return;
      this.ignores = this.ignores.filter((i) => i.id !== ignore.id);
      this.notify('info', { key: 'notice_unignored' });
      this.recheck();
    } catch (e) {
      this.fail(e);
    }
  }

  async loadIgnores(): Promise<void> {
    const doc = this.current;
    if (!doc) return;
    try {
      const ignores = await ipc.docIgnores(doc.id);
      if (this.current?.id !== doc.id) return;
      this.ignores = ignores;
      this.ignoresError = null;
    } catch (e) {
      if (this.current?.id === doc.id) this.ignoresError = toIpcError(e);
    }
  }

  // Notices -------------------------------------------------------------------

  notify(kind: Notice['kind'], body: Omit<Notice, 'id' | 'kind'>): void {
    const last = this.notices[this.notices.length - 1];
    if (last && last.kind === kind && last.text === body.text && last.key === body.key) {
      return; // The same message again (e.g. a retried autosave): keep one.
    }
    const id = ++this.noticeSeq;
    this.notices = [...this.notices.slice(-3), { id, kind, ...body }];
    setTimeout(() => this.dismiss(id), NOTICE_TTL_MS[kind]);
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  fail(e: unknown): IpcError {
    const error = toIpcError(e);
    this.notify('error', { text: error.message });
    return error;
  }

  // Internals -----------------------------------------------------------------

  /** Saves the open document before another one replaces it; false keeps it open. */
  private async leaveDocument(): Promise<boolean> {
    if (!this.queue) return true;
    const ok = await this.queue.flush();
    if (!ok) this.notify('error', { key: 'notice_unsaved_blocked' });
    return ok;
  }

  private closeDocument(): void {
    this.queue?.dispose();
    this.queue = null;
    this.checkQueue?.dispose();
    this.checkQueue = null;
    this.check = CHECK_IDLE;
    this.checkResult = null;
    this.ignores = [];
    this.ignoresError = null;
    this.ignoreDraft = null;
    this.current = null;
    this.editorDoc = null;
    this.save = CLEAN;
    this.history = [];
    this.diff = null;
  }

  private startQueue(docId: DocumentId, content: string, revision: number | null): void {
    const queue = new AutosaveQueue({
      content,
      revision,
      save: (text, message) => ipc.docSave(docId, text, message),
      onState: (snapshot) => {
        if (this.queue === queue) this.save = snapshot;
      },
      onSaved: (outcome) => this.applySaved(docId, outcome),
      onError: (error) => {
        if (this.queue === queue) this.notify('error', { text: error.message });
      },
    });
    this.queue = queue;
    this.save = queue.snapshot;
  }

  /** Checks the document's text now and then after every change. */
  private startChecks(docId: DocumentId, content: string): void {
    const queue = new CheckQueue({
      check: (text) => ipc.docCheck(text, docId),
      onResult: (text, report) => {
        if (this.checkQueue !== queue) return;
        const findings = convertFindings(text, report.findings);
        this.checkResult = { seq: ++this.checkSeq, docId, text, report, findings };
        const draft = this.ignoreDraft;
        // The form belongs to a finding of the previous report: follow it, or close it.
        if (draft) {
          const same = findings.find((f) => findingKey(text, f) === draft.key);
          this.ignoreDraft = same ? { ...draft, index: same.index } : null;
        }
      },
      onState: (state) => {
        if (this.checkQueue === queue) this.check = state;
      },
    });
    this.checkQueue = queue;
    queue.checkNow(content);
  }

  private applySaved(docId: DocumentId, outcome: SaveOutcome): void {
    if (outcome.unchanged) return;
    const meta = outcome.revision;
    const doc = this.docs.find((d) => d.id === docId) ?? (this.current?.id === docId ? this.current : null);
    if (!doc) return;
    const updated: DocumentSummary = {
      ...doc,
      head: meta.id,
      updated_at: meta.created_at,
      revisions: Math.max(doc.revisions + 1, meta.number),
    };
    this.replaceSummary(updated);
    if (this.current?.id === docId) {
      this.current = updated;
      if (this.history.length > 0 || this.historyOpen) {
        this.history = [...this.history.filter((r) => r.id !== meta.id), meta];
      }
    }
  }

  private replaceSummary(doc: DocumentSummary): void {
    const others = this.docs.filter((d) => d.id !== doc.id);
    this.docs = [doc, ...others].sort((a, b) => b.updated_at - a.updated_at);
  }

  private refocusEditor(): void {
    if (this.editorDoc) this.editorFocus++;
  }
}
