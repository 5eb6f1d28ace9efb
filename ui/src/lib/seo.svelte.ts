// The SEO panel's state: while the panel is open, the editor's text is analysed after
// every pause in typing (the check queue of the checks panel: debounced, one request in
// flight, the newest text wins, stale reports dropped).
import type { DocumentId, SeoOverview } from './bindings';
import { CheckQueue, type CheckQueueState } from './checks';
import { convertSeo, type SeoResult } from './seo';

const IDLE: CheckQueueState = { running: false, stale: false, length: 0, error: null };

export class SeoPanel {
  open = $state(false);
  check = $state.raw<CheckQueueState>(IDLE);
  /** The newest report for the editor's text (kept while the panel is closed, marked stale on reopening). */
  result = $state.raw<SeoResult | null>(null);

  private docId: DocumentId | null = null;
  private text = '';
  private queue: CheckQueue<SeoOverview> | null = null;
  private seq = 0;

  constructor(private readonly analyse: (text: string, docId: DocumentId) => Promise<SeoOverview>) {}

  /** The editor loaded a document (or none): earlier reports no longer apply. */
  load(docId: DocumentId | null, text: string): void {
    if (docId === this.docId && text === this.text && this.result) return;
    this.stop();
    this.docId = docId;
    this.text = text;
    this.result = null;
    if (this.open) this.start();
  }

  /** The editor's text changed. */
  edit(docId: DocumentId, text: string): void {
    if (docId !== this.docId) return;
    this.text = text;
    this.queue?.update(text);
  }

  toggle(): void {
    if (this.open) this.close();
    else this.show();
  }

  show(): void {
    if (this.open) return;
    this.open = true;
    this.start();
  }

  close(): void {
    this.open = false;
    this.stop();
  }

  /** Analyses the current text now (e.g. after the keyphrase was set from the panel). */
  refresh(): void {
    this.queue?.checkNow(this.text);
  }

  private start(): void {
    const docId = this.docId;
    if (docId === null) return;
    const queue: CheckQueue<SeoOverview> = new CheckQueue<SeoOverview>({
      check: (text) => this.analyse(text, docId),
      onResult: (text, overview) => {
        if (this.queue !== queue) return;
        this.result = { seq: ++this.seq, docId, ...convertSeo(text, overview) };
      },
      onState: (state) => {
        if (this.queue === queue) this.check = state;
      },
    });
    this.queue = queue;
    queue.checkNow(this.text);
  }

  private stop(): void {
    this.queue?.dispose();
    this.queue = null;
    this.check = IDLE;
  }
}
