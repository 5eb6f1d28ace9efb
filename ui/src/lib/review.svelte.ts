// The review desk: who is acting (identity unlocked with a key from the keychain), the
// workspace's members, the review state of the open document, the guided path, and the
// review panel's actions on the editor (go to a blocker, comment on the selection,
// comment marks, compare with the last approved revision). Every rule (roles, four eyes,
// gates, states) is enforced by the core; this class carries requests and answers.
import { EditorSelection } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import type {
  Blocker,
  DocumentId,
  IdentityView,
  IpcError,
  ReviewOverview,
  Role,
  Verdict,
} from './bindings';
import { docText } from './doctext';
import * as ipc from './ipc';
import { toIpcError } from './ipc-error';
import { revealFinding } from './lint';
import type { MessageKey, Params } from './i18n';
import { t } from './locale.svelte';
import { byteOffsetToUtf16, utf16ToByte, utf8Length } from './offsets';
import { type AnchoredComment, markedRanges, type ReviewComment, selectionQuote, showComments } from './review-comments';
import { guidedPath, type GuidedPath, type PathTarget } from './review-path';
import { frontMatterBlock } from './seo';
import { selectFrontMatterValue } from './seo-editor';
import type { Workbench } from './workbench.svelte';

export class ReviewDesk {
  identity = $state.raw<IdentityView | null>(null);
  overview = $state.raw<ReviewOverview | null>(null);
  /** Where each comment sits in the editor's text. */
  anchored = $state.raw<AnchoredComment[]>([]);
  /** The review panel is open. */
  open = $state(false);
  membersOpen = $state(false);
  busy = $state(false);
  error = $state.raw<IpcError | null>(null);
  private docId: DocumentId | null = null;
  private seq = 0;

  constructor(
    private readonly wb: Workbench,
    private readonly view: () => EditorView | null,
  ) {}

  /** Where the open document stands on brief → … → published. */
  readonly path: GuidedPath | null = $derived.by(() => this.computePath());

  private computePath(): GuidedPath | null {
    const doc = this.wb.editorDoc;
    if (!doc) return null;
    const result = this.wb.checkResult;
    const fresh = result && result.docId === doc.docId ? result : null;
    const overview = this.overview;
    return guidedPath({
      text: fresh?.text ?? doc.text,
      findings: fresh?.findings ?? null,
      waivers: (overview?.waivers ?? []).filter((w) => w.revoked_at === null),
      state: overview?.state ?? null,
      approvalValid: overview?.approval_valid ?? false,
      dirty: this.wb.save.dirty,
      gates: overview?.gates,
    });
  }

  // Identity and members ------------------------------------------------------

  async loadIdentity(): Promise<void> {
    try {
      this.identity = await ipc.identityState();
    } catch (e) {
      this.fail(e);
    }
  }

  /** Proves possession of `member`'s key and acts as them from now on. */
  async unlock(member: string): Promise<boolean> {
    const ok = await this.act(async () => {
      this.identity = await ipc.identityUnlock(member);
      // Revisions are saved under the proved member from now on.
      if (this.identity.acting) this.wb.author = this.identity.acting.id;
    });
    if (ok) {
      this.note('identity_unlocked', { name: this.identity?.acting?.name ?? member });
      await this.reload();
    }
    return ok;
  }

  async addMember(id: string, name: string, roles: Role[]): Promise<boolean> {
    const ok = await this.act(async () => {
      await ipc.memberAdd(id, name, roles);
      this.identity = await ipc.identityState();
    });
    if (ok) this.note('members_added', { name });
    return ok;
  }

  async setRoles(id: string, roles: Role[]): Promise<boolean> {
    const ok = await this.act(async () => {
      await ipc.memberSetRoles(id, roles);
      this.identity = await ipc.identityState();
    });
    if (ok) this.note('members_roles_saved', { name: id });
    return ok;
  }

  // The document's review -----------------------------------------------------

  /** Follows the open document (null: none). */
  async follow(docId: DocumentId | null): Promise<void> {
    if (docId === this.docId) return;
    this.docId = docId;
    this.overview = null;
    this.anchored = [];
    if (docId) await this.reload();
  }

  async reload(): Promise<void> {
    const docId = this.docId;
    if (!docId) return;
    const seq = ++this.seq;
    try {
      const overview = await ipc.reviewStatus(docId);
      if (seq === this.seq && this.docId === docId) {
        this.overview = overview;
        this.error = null;
        this.markComments();
      }
    } catch (e) {
      if (seq === this.seq) this.error = toIpcError(e);
    }
  }

  toggle(): void {
    if (this.open) this.open = false;
    else this.show();
  }

  show(): void {
    this.open = true;
    void this.reload();
  }

  async submit(): Promise<void> {
    if (await this.saved()) {
      if (await this.withDoc((id) => ipc.reviewSubmit(id))) this.note('review_submitted', {});
    }
  }

  async decide(verdict: Verdict, comment: string): Promise<boolean> {
    if (!(await this.saved())) return false;
    const ok = await this.withDoc((id) => ipc.reviewDecide(id, verdict, comment));
    if (ok) {
      const n = this.overview?.head?.number ?? 0;
      this.note(verdict === 'approve' ? 'review_approved' : 'review_changes_requested', { n });
    }
    return ok;
  }

  async waive(b: Blocker, reason: string): Promise<boolean> {
    if (!reason) {
      this.note('review_reason_required', {});
      return false;
    }
    const ok = await this.withDoc((id) => ipc.reviewWaive(id, b.finding.code, b.finding.span.start, reason));
    if (ok) {
      this.note('review_waive_done', {});
      this.wb.recheck();
    }
    return ok;
  }

  /** Comments on the editor's selection, in the saved text. */
  async commentSelection(body: string): Promise<boolean> {
    const view = this.view();
    const sel = view ? selectionQuote(view) : null;
    if (!view || !sel) {
      this.note('review_comment_select_first', {});
      return false;
    }
    if (!(await this.saved())) return false;
    const text = docText(view.state.doc);
    const start = utf16ToByte(text, sel.from);
    const end = utf16ToByte(text, sel.from + sel.quote.length);
    return this.withDoc((id) => ipc.reviewComment(id, start, end, body));
  }

  /** Shows the last approved revision next to the current text (the history's compare view). */
  compare(): void {
    const approved = this.overview?.last_approved;
    if (approved) void this.wb.selectRevision(approved);
  }

  async publish(dir: string): Promise<boolean> {
    if (!dir) {
      this.note('review_path_required', {});
      return false;
    }
    const id = this.docId;
    if (!id) return false;
    return this.act(async () => {
      const out = await ipc.reviewPublish(id, dir);
      this.note('review_published', { files: [out.markdown, out.html, out.evidence].join(', ') });
      await this.reload();
    });
  }

  async exportBundle(path: string): Promise<boolean> {
    const id = this.docId;
    if (!id || !(await this.saved())) return false;
    return this.act(async () => {
      const written = await ipc.reviewExportBundle(id, path);
      this.note('review_bundle_exported', { path: written });
    });
  }

  /** The reviewer's side of a bundle from another computer: decide, write the decision file. */
  async decideBundle(bundle: string, verdict: Verdict, comment: string, out: string): Promise<boolean> {
    return this.act(async () => {
      const written = await ipc.reviewDecideBundle(bundle, verdict, comment, out);
      this.note('review_decision_written', { path: written });
    });
  }

  async importDecision(path: string): Promise<boolean> {
    return this.act(async () => {
      const overview = await ipc.reviewImportDecision(path);
      if (overview.document_id === this.docId) {
        this.overview = overview;
        this.markComments();
      }
      this.note('review_decision_imported', { decision: t(`review_state_${overview.state}` as MessageKey) });
    });
  }

  // The editor ----------------------------------------------------------------

  /** Takes the user where a blocker of the guided path is resolved. */
  go(target: PathTarget): void {
    const view = this.view();
    if (this.wb.diff) this.wb.closeDiff();
    switch (target.kind) {
      case 'review':
        this.show();
        return;
      case 'editor':
        view?.focus();
        return;
      case 'finding': {
        const f = this.wb.checkResult?.findings.find((x) => x.index === target.index);
        if (view && f) revealFinding(view, f);
        return;
      }
      case 'field':
        if (view && !selectFrontMatterValue(view, target.key)) addField(view, target.key);
        if (view) this.note('path_field_added', { field: target.key });
        return;
    }
  }

  /** Selects a blocking finding of the review panel in the editor (its text, as checked now). */
  reveal(b: Blocker): void {
    const view = this.view();
    const f = this.wb.checkResult?.findings.find(
      (x) => x.finding.code === b.finding.code && this.wb.checkResult?.text.slice(x.span.from, x.span.to) === b.matched,
    );
    if (this.wb.diff) this.wb.closeDiff();
    if (view && f) revealFinding(view, f);
  }

  /** Selects the text a comment is on. */
  selectComment(id: string): void {
    const view = this.view();
    if (!view) return;
    const range = markedRanges(view).get(id);
    if (!range) return;
    if (this.wb.diff) this.wb.closeDiff();
    view.dispatch({ selection: EditorSelection.single(range.from, range.to), scrollIntoView: true });
    view.focus();
  }

  /** Marks the comments in the editor (again: after a reload or a new editor state). */
  markComments(): void {
    const view = this.view();
    const overview = this.overview;
    if (!view || !overview || overview.document_id !== this.wb.editorDoc?.docId) return;
    this.anchored = showComments(view, this.commentsFor(docText(view.state.doc)));
  }

  /** The document's comments with positions near where they belong in `text`. */
  commentsFor(text: string): ReviewComment[] {
    const overview = this.overview;
    if (!overview) return [];
    const len = utf8Length(text);
    return overview.comments.map((a) => ({
      id: a.comment.id,
      author: a.comment.author,
      body: a.comment.body,
      quote: a.comment.quote,
      // The core's anchor in the saved text (context-matched), else where it was written.
      from: byteOffsetToUtf16(text, Math.min(a.anchor?.start ?? a.comment.start, len)),
      resolved: a.comment.resolved_by !== null,
    }));
  }

  // Internals -----------------------------------------------------------------

  /** Decisions and comments are about the saved text: save what the editor holds first. */
  private async saved(): Promise<boolean> {
    const ok = await this.wb.flush();
    if (!ok) this.wb.notify('error', { key: 'notice_unsaved_blocked' });
    return ok;
  }

  private async withDoc(f: (id: DocumentId) => Promise<ReviewOverview>): Promise<boolean> {
    const id = this.docId;
    if (!id) return false;
    return this.act(async () => {
      const overview = await f(id);
      if (this.docId === id) {
        this.overview = overview;
        this.markComments();
      }
    });
  }

  private async act(f: () => Promise<void>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    try {
      await f();
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    } finally {
      this.busy = false;
    }
  }

  private note(key: MessageKey, params: Params): void {
    this.wb.notify('info', { key, params });
  }

  private fail(e: unknown): void {
    this.wb.fail(e);
  }
}

/** Adds `key: ` to the front matter (creating it if needed) and puts the cursor after it. */
function addField(view: EditorView, key: string): void {
  const text = docText(view.state.doc);
  const block = frontMatterBlock(text);
  const line = `${key}: `;
  const at = block ? block.yamlEnd : 0;
  const insert = block ? `${line}\n` : `---\n${line}\n---\n\n`;
  const cursor = at + (block ? line.length : 4 + line.length);
  view.dispatch({ changes: { from: at, insert }, selection: EditorSelection.cursor(cursor), scrollIntoView: true, userEvent: 'input' });
  view.focus();
}
