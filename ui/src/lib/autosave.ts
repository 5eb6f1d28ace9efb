// The save queue behind one open document: debounced autosave, explicit "save version",
// and flushes before the document is left. At most one save is in flight at any time;
// a save that starts always takes the newest content, so intermediate states are skipped.
import type { IpcError, SaveOutcome } from './bindings';
import { toIpcError } from './ipc-error';

export type SaveState = 'clean' | 'dirty' | 'saving' | 'saved' | 'error';

export interface AutosaveSnapshot {
  state: SaveState;
  /** Number of the head revision as far as this queue knows (null: no revision yet). */
  revision: number | null;
  /** True while the editor holds text that is not stored yet. */
  dirty: boolean;
  /** The last save's error; cleared by the next successful save. */
  error: IpcError | null;
}

export interface AutosaveOptions {
  /** Stores `content`; `message` is null for autosaves. */
  save: (content: string, message: string | null) => Promise<SaveOutcome>;
  /** The content the document was opened with (the head's content, or ''). */
  content: string;
  /** The head revision's number, if the document has one. */
  revision: number | null;
  /** Quiet time after the last change before an autosave, in ms. */
  delayMs?: number;
  /** First retry after a failed autosave, in ms; doubles on each failure up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  onState?: (snapshot: AutosaveSnapshot) => void;
  onSaved?: (outcome: SaveOutcome, message: string | null) => void;
  /** Called for failed autosaves; a failed `saveVersion` rejects instead. */
  onError?: (error: IpcError) => void;
}

export const AUTOSAVE_DELAY_MS = 1500;

export class AutosaveQueue {
  private current: string;
  private saved: string;
  private revision: number | null;
  private savedOnce = false;
  private inFlight = false;
  private error: IpcError | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Tail of the exclusive chain; never rejects. */
  private chain: Promise<void> = Promise.resolve();
  /** An autosave that is queued on the chain but has not started yet. */
  private queuedAutosave: Promise<void> | null = null;
  /** "Save version" requests waiting on the chain; they supersede queued autosaves. */
  private versionRequests = 0;
  private failures = 0;
  private disposed = false;

  private readonly delayMs: number;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;

  constructor(private readonly opts: AutosaveOptions) {
    this.current = opts.content;
    this.saved = opts.content;
    this.revision = opts.revision;
    this.delayMs = opts.delayMs ?? AUTOSAVE_DELAY_MS;
    this.retryMs = opts.retryMs ?? 5000;
    this.maxRetryMs = opts.maxRetryMs ?? 60000;
  }

  get snapshot(): AutosaveSnapshot {
    const dirty = this.current !== this.saved;
    let state: SaveState;
    if (this.inFlight) state = 'saving';
    else if (dirty) state = this.error ? 'error' : 'dirty';
    else state = this.savedOnce ? 'saved' : 'clean';
    return { state, revision: this.revision, dirty, error: this.error };
  }

  get content(): string {
    return this.current;
  }

  /** The editor's text changed. Restarts the debounce timer. */
  update(content: string): void {
    if (this.disposed || content === this.current) return;
    this.current = content;
    this.clearTimer();
    if (this.current !== this.saved) this.startTimer(this.delayMs);
    this.emit();
  }

  /**
   * Saves now if anything is unsaved and waits until no save is in flight.
   * Resolves true when everything the editor holds is stored.
   */
  async flush(): Promise<boolean> {
    this.clearTimer();
    if (this.current !== this.saved) await this.enqueueAutosave();
    else await this.chain;
    return this.current === this.saved;
  }

  /** Saves the current content as a named version. Rejects with an `IpcError` on failure. */
  saveVersion(message: string | null): Promise<SaveOutcome> {
    if (this.disposed) return Promise.reject(toIpcError('document closed'));
    this.clearTimer();
    this.versionRequests += 1;
    return this.exclusive(async () => {
      this.versionRequests -= 1;
      try {
        return await this.perform(this.current, message);
      } catch (e) {
        this.failures += 1;
        this.scheduleRetry();
        throw e;
      }
    });
  }

  /** Replaces the known state after the content was changed elsewhere (e.g. a restore). */
  replace(content: string, revision: number | null): void {
    this.clearTimer();
    this.current = content;
    this.saved = content;
    this.revision = revision;
    this.savedOnce = true;
    this.error = null;
    this.failures = 0;
    this.emit();
  }

  /** Stops timers; later changes are ignored. Call `flush()` first to keep the text. */
  dispose(): void {
    this.disposed = true;
    this.clearTimer();
  }

  private enqueueAutosave(): Promise<void> {
    if (this.queuedAutosave) return this.queuedAutosave;
    const run = this.exclusive(async () => {
      this.queuedAutosave = null;
      // A waiting "save version" stores the same (newest) text with its message.
      if (this.versionRequests > 0) return;
      if (this.current === this.saved) return;
      try {
        await this.perform(this.current, null);
        this.failures = 0;
      } catch (e) {
        this.failures += 1;
        this.opts.onError?.(toIpcError(e));
        this.scheduleRetry();
      }
    });
    this.queuedAutosave = run;
    return run;
  }

  private async perform(content: string, message: string | null): Promise<SaveOutcome> {
    this.inFlight = true;
    this.emit();
    try {
      const outcome = await this.opts.save(content, message);
      this.saved = content;
      this.revision = outcome.revision.number;
      this.savedOnce = true;
      this.error = null;
      this.opts.onSaved?.(outcome, message);
      return outcome;
    } catch (e) {
      this.error = toIpcError(e);
      throw this.error;
    } finally {
      this.inFlight = false;
      this.emit();
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** After a failure, tries again later (backing off) unless a change already restarted the timer. */
  private scheduleRetry(): void {
    if (this.disposed || this.timer !== null || this.current === this.saved) return;
    this.startTimer(Math.min(this.retryMs * 2 ** Math.max(0, this.failures - 1), this.maxRetryMs));
  }

  private startTimer(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.enqueueAutosave();
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private emit(): void {
    this.opts.onState?.(this.snapshot);
  }
}
