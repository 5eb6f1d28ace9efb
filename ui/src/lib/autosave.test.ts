import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AutosaveQueue, type AutosaveSnapshot } from './autosave';
import type { IpcError, SaveOutcome } from './bindings';

function outcome(number: number, unchanged = false): SaveOutcome {
  return {
    unchanged,
    revision: {
      id: `r${number}`,
      document_id: 'd1',
      number,
      parent: number > 1 ? `r${number - 1}` : null,
      content_hash: `h${number}`,
      author: 'test',
      origin: 'human',
      message: null,
      created_at: 0,
      size: 0,
      stored_size: 0,
    },
  };
}

interface Call {
  content: string;
  message: string | null;
  resolve: (o: SaveOutcome) => void;
  reject: (e: IpcError) => void;
}

/** A fake `doc_save` whose calls stay pending until the test settles them. */
function manualBackend() {
  const calls: Call[] = [];
  let active = 0;
  let maxActive = 0;
  const save = (content: string, message: string | null) =>
    new Promise<SaveOutcome>((resolve, reject) => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      const done = () => (active -= 1);
      calls.push({
        content,
        message,
        resolve: (o) => (done(), resolve(o)),
        reject: (e) => (done(), reject(e)),
      });
    });
  return { save, calls, maxActive: () => maxActive };
}

/** A fake `doc_save` that succeeds at once with increasing revision numbers. */
function instantBackend(start = 1) {
  let next = start;
  const saves: { content: string; message: string | null }[] = [];
  const save = vi.fn(async (content: string, message: string | null) => {
    saves.push({ content, message });
    return outcome(next++);
  });
  return { save, saves };
}

describe('AutosaveQueue', () => {
  let states: AutosaveSnapshot[];
  const last = () => states[states.length - 1];

  beforeEach(() => {
    vi.useFakeTimers();
    states = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('debounces: saves once, 1.5 s after the last change, with the last content', async () => {
    const be = instantBackend(4);
    const q = new AutosaveQueue({ save: be.save, content: 'a', revision: 3, onState: (s) => states.push(s) });

    q.update('ab');
    await vi.advanceTimersByTimeAsync(1000);
    q.update('abc');
    await vi.advanceTimersByTimeAsync(1000);
    q.update('abcd');
    expect(last().state).toBe('dirty');
    await vi.advanceTimersByTimeAsync(1499);
    expect(be.save).not.toHaveBeenCalled();

    await vi.advanceTimersByTimeAsync(1);
    expect(be.saves).toEqual([{ content: 'abcd', message: null }]);
    expect(last()).toMatchObject({ state: 'saved', revision: 4, dirty: false });
  });

  it('does not save when the text is back to what is stored', async () => {
    const be = instantBackend();
    const q = new AutosaveQueue({ save: be.save, content: 'same', revision: 1, onState: (s) => states.push(s) });
    q.update('samey');
    q.update('same');
    await vi.advanceTimersByTimeAsync(5000);
    expect(be.save).not.toHaveBeenCalled();
    expect(q.snapshot.state).toBe('clean');
    expect(await q.flush()).toBe(true);
    expect(be.save).not.toHaveBeenCalled();
  });

  it('never runs two saves at once, and the next save takes the latest content', async () => {
    const be = manualBackend();
    const q = new AutosaveQueue({ save: be.save, content: '', revision: null, onState: (s) => states.push(s) });

    q.update('one');
    await vi.advanceTimersByTimeAsync(1500);
    expect(be.calls).toHaveLength(1);
    expect(last().state).toBe('saving');

    // More edits while the first save is still running: their timers fire, but wait.
    q.update('two');
    await vi.advanceTimersByTimeAsync(1500);
    q.update('three');
    await vi.advanceTimersByTimeAsync(1500);
    expect(be.calls).toHaveLength(1);

    be.calls[0].resolve(outcome(1));
    await vi.advanceTimersByTimeAsync(0);
    // Exactly one follow-up save, with the newest text; 'two' is skipped.
    expect(be.calls.map((c) => c.content)).toEqual(['one', 'three']);
    be.calls[1].resolve(outcome(2));
    await vi.advanceTimersByTimeAsync(5000);

    expect(be.calls).toHaveLength(2);
    expect(be.maxActive()).toBe(1);
    expect(last()).toMatchObject({ state: 'saved', revision: 2, dirty: false });
  });

  it('flush saves at once, waits for a running save, and reports whether all is stored', async () => {
    const be = manualBackend();
    const q = new AutosaveQueue({ save: be.save, content: 'x', revision: 1 });

    q.update('xy');
    await vi.advanceTimersByTimeAsync(1500);
    q.update('xyz');
    let flushed: boolean | undefined;
    void q.flush().then((ok) => (flushed = ok));
    await vi.advanceTimersByTimeAsync(0);
    expect(be.calls).toHaveLength(1); // still waiting for the running save
    expect(flushed).toBeUndefined();

    be.calls[0].resolve(outcome(2));
    await vi.advanceTimersByTimeAsync(0);
    expect(be.calls.map((c) => c.content)).toEqual(['xy', 'xyz']);
    be.calls[1].resolve(outcome(3));
    await vi.advanceTimersByTimeAsync(0);
    expect(flushed).toBe(true);
    expect(q.snapshot).toMatchObject({ state: 'saved', revision: 3 });
  });

  it('an error keeps the content dirty, reports it, and a later save recovers', async () => {
    const be = manualBackend();
    const errors: IpcError[] = [];
    const q = new AutosaveQueue({
      save: be.save,
      content: 'draft',
      revision: 7,
      retryMs: 5000,
      onState: (s) => states.push(s),
      onError: (e) => errors.push(e),
    });

    q.update('draft, edited');
    await vi.advanceTimersByTimeAsync(1500);
    be.calls[0].reject({ code: 'io', message: 'disk full' });
    await vi.advanceTimersByTimeAsync(0);

    expect(errors).toEqual([{ code: 'io', message: 'disk full' }]);
    expect(last()).toMatchObject({ state: 'error', dirty: true, revision: 7 });
    expect(q.content).toBe('draft, edited');

    // flush() reports that the text is not stored, so the caller keeps the document open.
    const flushed = q.flush();
    await vi.advanceTimersByTimeAsync(0);
    be.calls[1].reject({ code: 'io', message: 'disk full' });
    expect(await flushed).toBe(false);
    expect(q.snapshot.state).toBe('error');

    // The queue retries by itself after a pause, and recovers.
    await vi.advanceTimersByTimeAsync(10000);
    expect(be.calls).toHaveLength(3);
    expect(be.calls[2].content).toBe('draft, edited');
    be.calls[2].resolve(outcome(8));
    await vi.advanceTimersByTimeAsync(0);
    expect(last()).toMatchObject({ state: 'saved', revision: 8, dirty: false, error: null });
  });

  it('save version passes the message and takes over a pending autosave', async () => {
    const be = manualBackend();
    const saved: (string | null)[] = [];
    const q = new AutosaveQueue({
      save: be.save,
      content: '',
      revision: null,
      onSaved: (_o, m) => saved.push(m),
    });

    q.update('first');
    await vi.advanceTimersByTimeAsync(1500); // autosave of 'first' runs
    q.update('second');
    await vi.advanceTimersByTimeAsync(1500); // autosave of 'second' queued behind it
    const version = q.saveVersion('Lektorat fertig');

    be.calls[0].resolve(outcome(1));
    await vi.advanceTimersByTimeAsync(0);
    // The queued autosave stood aside: the named version stores 'second' itself.
    expect(be.calls.map((c) => [c.content, c.message])).toEqual([
      ['first', null],
      ['second', 'Lektorat fertig'],
    ]);
    be.calls[1].resolve(outcome(2));
    await expect(version).resolves.toMatchObject({ revision: { number: 2 } });
    expect(saved).toEqual([null, 'Lektorat fertig']);
  });

  it('a failed save version rejects with the IpcError and keeps the text dirty', async () => {
    const be = manualBackend();
    const q = new AutosaveQueue({ save: be.save, content: 'a', revision: 1 });
    q.update('ab');
    const version = q.saveVersion(null);
    await vi.advanceTimersByTimeAsync(0);
    be.calls[0].reject({ code: 'locked', message: 'database is locked' });
    await expect(version).rejects.toEqual({ code: 'locked', message: 'database is locked' });
    expect(q.snapshot).toMatchObject({ state: 'error', dirty: true });
  });

  it('ignores changes after dispose', async () => {
    const be = instantBackend();
    const q = new AutosaveQueue({ save: be.save, content: '', revision: null });
    q.update('typed');
    q.dispose();
    q.update('more');
    await vi.advanceTimersByTimeAsync(5000);
    expect(be.save).not.toHaveBeenCalled();
  });
});
