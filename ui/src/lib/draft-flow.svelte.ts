// The brief → draft flow of the draft panel: pick or create a brief, fill it in (saved
// as a versioned brief file), write the outline (streamed, then editable), write the
// draft section by section into a new document (streamed into the editor, saved as
// an `ai` revision), write one section again, cancel at any time (Esc).
import { EditorView as CmView, type EditorView } from '@codemirror/view';
import type {
  BriefEntry,
  BriefProblem,
  BriefTemplate,
  DocumentId,
  DraftProgress,
  DraftSaved,
  Outline,
  SaveOutcome,
} from './bindings';
import { briefValues, defaultValues, fieldProblems, saveValues, type BriefValues } from './draft-brief';
import { DraftStream, outlineFromText, sectionRange } from './draft-stream';
import type { MessageKey, Params } from './i18n';
import * as ipc from './ipc';
import { toIpcError } from './ipc-error';
import { docText } from './doctext';

/** What the flow needs from the workbench and the editor. */
export interface DraftHost {
  view(): EditorView | null;
  currentDoc(): DocumentId | null;
  /** Creates and opens a document; its id, or null when that failed. */
  createDocument(title: string): Promise<DocumentId | null>;
  /** Saves pending edits; false if that failed. */
  flush(): Promise<boolean>;
  setGenerating(on: boolean): void;
  adopt(docId: DocumentId, content: string, outcome: SaveOutcome): void;
  revert(docId: DocumentId): Promise<void>;
  notify(kind: 'info' | 'error', key: MessageKey | null, params?: Params, text?: string): void;
}

export type Stage = 'briefs' | 'brief' | 'outline' | 'done';
export type Running = 'outline' | 'draft' | 'section';

export interface Progress {
  index: number;
  total: number;
  heading: string;
}

export class DraftFlow {
  stage = $state<Stage>('briefs');
  templates = $state.raw<BriefTemplate[]>([]);
  briefs = $state.raw<BriefEntry[]>([]);
  /** The template chosen for a new brief. */
  newTemplate = $state(0);

  briefPath = $state<string | null>(null);
  template = $state.raw<BriefTemplate | null>(null);
  values = $state.raw<BriefValues>({});
  problems = $state.raw<BriefProblem[]>([]);
  showAll = $state(false);
  revisions = $state(0);

  outline = $state.raw<Outline | null>(null);
  /** The outline as the model writes it. */
  outlineText = $state('');
  running = $state<Running | null>(null);
  progress = $state.raw<Progress | null>(null);
  result = $state.raw<DraftSaved | null>(null);
  /** The document the draft went into. */
  draftDoc = $state<DocumentId | null>(null);
  busy = $state(false);
  error = $state<string | null>(null);

  private stream: DraftStream | null = null;
  private run: number | null = null;
  private pendingTitle: string | null = null;
  /** The document the running generation writes into; its text is shown only there. */
  private target: DocumentId | null = null;
  private unlisten: (() => void) | null = null;

  constructor(private readonly host: DraftHost) {}

  /** Subscribes to generation events; returns the unsubscribe function. */
  listen(): () => void {
    let gone = false;
    void ipc.onDraftEvent((p) => this.onEvent(p)).then((f) => {
      if (gone) f();
      else this.unlisten = f;
    });
    return () => {
      gone = true;
      this.unlisten?.();
      this.unlisten = null;
    };
  }

  async load(): Promise<void> {
    try {
      const [templates, briefs] = await Promise.all([ipc.briefTemplates(), ipc.briefList()]);
      this.templates = templates;
      this.briefs = briefs;
    } catch (e) {
      this.error = toIpcError(e).message;
    }
  }

  // Briefs --------------------------------------------------------------------

  newBrief(index = this.newTemplate): void {
    const template = this.templates[index];
    if (!template) return;
    this.template = template;
    this.values = defaultValues(template);
    this.briefPath = null;
    this.problems = [];
    this.showAll = false;
    this.revisions = 0;
    this.outline = null;
    this.result = null;
    this.error = null;
    this.stage = 'brief';
  }

  async openBrief(path: string): Promise<void> {
    this.error = null;
    try {
      const opened = await ipc.briefOpen(path);
      const template = opened.template ?? this.templates.find((t) => t.id === opened.brief.template) ?? null;
      if (!template) {
        this.error = path;
        return;
      }
      this.template = template;
      this.values = briefValues(opened.brief, template);
      this.briefPath = opened.path;
      this.problems = opened.problems;
      this.revisions = opened.revisions;
      this.showAll = opened.problems.length > 0;
      this.outline = null;
      this.result = null;
      this.stage = 'brief';
    } catch (e) {
      this.error = toIpcError(e).message;
    }
  }

  back(): void {
    if (this.running) return;
    this.stage = 'briefs';
    void this.load();
  }

  /** Saves the brief; true when it is complete (no problems). */
  async saveBrief(): Promise<boolean> {
    const template = this.template;
    if (!template || this.busy) return false;
    this.busy = true;
    this.error = null;
    try {
      const saved = await ipc.briefSave(this.briefPath, saveValues(template, this.values));
      this.briefPath = saved.path;
      this.problems = saved.problems;
      this.showAll = true;
      this.revisions = saved.outcome.revision.number;
      this.host.notify('info', 'brief_saved', { n: saved.outcome.revision.number });
      void ipc.briefList().then((b) => (this.briefs = b));
      return fieldProblems(template, this.values, saved.problems).size === 0;
    } catch (e) {
      this.error = toIpcError(e).message;
      return false;
    } finally {
      this.busy = false;
    }
  }

  // Outline -------------------------------------------------------------------

  async writeOutline(): Promise<void> {
    if (this.running) return;
    if (!(await this.saveBrief()) || !this.briefPath) {
      this.showAll = true;
      return;
    }
    this.start('outline');
    this.outlineText = '';
    try {
      this.outline = await ipc.draftOutline(this.briefPath);
      this.stage = 'outline';
    } catch (e) {
      this.failed(e);
    } finally {
      this.stop();
    }
  }

  setOutline(outline: Outline): void {
    this.outline = outline;
  }

  // Draft ---------------------------------------------------------------------

  async writeDraft(): Promise<void> {
    const outline = this.outline;
    const brief = this.briefPath;
    if (this.running || !outline || !brief) return;
    const clean: Outline = {
      ...outline,
      title: outline.title.trim() || (this.values.title as string) || '—',
      sections: outline.sections.filter((s) => s.heading.trim() !== ''),
    };
    if (clean.sections.length === 0) return;
    const id = await this.host.createDocument(clean.title);
    if (!id) return;
    this.draftDoc = id;
    this.start('draft');
    this.target = id;
    this.pendingTitle = clean.title;
    this.stream = null;
    this.progress = { index: 0, total: clean.sections.length, heading: clean.sections[0]?.heading ?? '' };
    this.host.setGenerating(true);
    try {
      const saved = await ipc.draftWrite(id, brief, clean);
      this.finish(id, saved);
      this.outline = clean;
      this.host.notify('info', 'draft_done', { n: saved.outcome.revision.number });
    } catch (e) {
      this.host.setGenerating(false);
      await this.host.revert(id);
      this.failed(e);
    } finally {
      this.stop();
    }
  }

  /** The outline to regenerate sections of the open document with. */
  sectionsOf(text: string): Outline {
    const fromText = outlineFromText(text);
    // The outline it was written from has the key points; use it while headings match.
    const known = this.outline;
    if (known && this.draftDoc === this.host.currentDoc()) {
      return {
        ...fromText,
        sections: fromText.sections.map((s) => known.sections.find((k) => k.heading === s.heading) ?? s),
      };
    }
    return fromText;
  }

  async regenerate(index: number): Promise<void> {
    const id = this.host.currentDoc();
    const view = this.host.view();
    if (this.running || !id || !view) return;
    if (!(await this.host.flush())) return;
    const text = docText(view.state.doc);
    const outline = this.sectionsOf(text);
    const section = outline.sections[index];
    if (!section) return;
    const range = sectionRange(text, section.heading);
    this.start('section');
    this.target = id;
    this.stream = new DraftStream(text.length, range);
    this.pendingTitle = null;
    this.progress = { index, total: outline.sections.length, heading: section.heading };
    this.host.setGenerating(true);
    try {
      const saved = await ipc.draftSection(id, outline, index);
      this.finish(id, saved);
      this.host.notify('info', 'draft_done', { n: saved.outcome.revision.number });
    } catch (e) {
      this.host.setGenerating(false);
      await this.host.revert(id);
      this.failed(e);
    } finally {
      this.stop();
    }
  }

  cancel(): void {
    if (this.running) void ipc.draftCancel();
  }

  // Internals -----------------------------------------------------------------

  private start(kind: Running): void {
    this.running = kind;
    this.run = null;
    this.error = null;
    this.result = null;
  }

  private stop(): void {
    this.running = null;
    this.target = null;
    this.progress = null;
    this.stream = null;
  }

  private finish(id: DocumentId, saved: DraftSaved): void {
    this.host.setGenerating(false);
    this.host.adopt(id, saved.content, saved.outcome);
    this.result = saved;
    this.stage = 'done';
  }

  private failed(e: unknown): void {
    const error = toIpcError(e);
    if (error.code === 'cancelled') {
      this.host.notify('info', 'draft_cancelled');
    } else {
      this.error = error.message;
      this.host.notify('error', null, undefined, error.message);
    }
  }

  private onEvent(p: DraftProgress): void {
    if (!this.running) return;
    // The first event names this run; events of an earlier run are late and dropped.
    if (this.run === null) this.run = p.run;
    if (p.run !== this.run) return;
    const event = p.event;
    if (event.kind === 'outline_token') {
      this.outlineText += event.text;
      return;
    }
    if (event.kind === 'section_started' && this.progress) {
      this.progress = { ...this.progress, index: event.index, heading: event.heading };
    }
    if (this.running === 'outline') return;
    const view = this.host.view();
    // Another document was opened meanwhile: the draft is still saved, just not shown.
    if (!view || this.host.currentDoc() !== this.target) return;
    if (!this.stream) {
      this.stream = new DraftStream(view.state.doc.length);
    }
    const changes = [];
    if (this.pendingTitle !== null) {
      changes.push(this.stream.title(this.pendingTitle));
      this.pendingTitle = null;
    }
    const c = this.stream.apply(event);
    if (c) changes.push(c);
    for (const change of changes) {
      const at = change.from + change.insert.length;
      view.dispatch({ changes: change, effects: CmView.scrollIntoView(at, { y: 'nearest' }) });
    }
  }
}
