// Closing the window saves pending edits first. If that save fails the window stays
// open, so the error banner is seen and the text is not lost.
import { getCurrentWindow } from '@tauri-apps/api/window';

/** Installs the guard; returns a function that removes it. Outside Tauri (the mock dev
 * server in a browser) it does nothing. */
export function saveBeforeClose(flush: () => Promise<boolean>): () => void {
  if (!('__TAURI_INTERNALS__' in window)) return () => {};
  let unlisten: (() => void) | null = null;
  let stopped = false;
  void getCurrentWindow()
    .onCloseRequested(async (event) => {
      if (!(await flush())) event.preventDefault();
    })
    .then((fn) => {
      if (stopped) fn();
      else unlisten = fn;
    });
  return () => {
    stopped = true;
    unlisten?.();
  };
}
