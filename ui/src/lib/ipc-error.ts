import type { IpcError } from './bindings';

/** True when `e` has the shape of the `IpcError` a command rejects with. */
export function isIpcError(e: unknown): e is IpcError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { code?: unknown }).code === 'string' &&
    typeof (e as { message?: unknown }).message === 'string'
  );
}

/** Turns whatever a rejected promise carries into an `IpcError`. */
export function toIpcError(e: unknown): IpcError {
  if (isIpcError(e)) return { code: e.code, message: e.message };
  if (e instanceof Error) return { code: 'client', message: e.message };
  if (typeof e === 'string') return { code: 'client', message: e };
  return { code: 'client', message: String(e) };
}
