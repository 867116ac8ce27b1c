/**
 * Execution modes. An engine is either synchronous (every operation returns
 * its result directly) or asynchronous (every operation returns a Promise).
 * Interfaces take the mode as a type parameter so that code can be written
 * once for both; see {@link drive}.
 */
export type Mode = 'sync' | 'async';

/**
 * The return type of an operation in mode `M`: `T` for a sync engine,
 * `Promise<T>` for an async one.
 */
export type Ret<M extends Mode, T> = M extends 'sync' ? T : Promise<T>;

/** True when `value` looks like a Promise (has a callable `then`). */
export function isPromiseLike<T = unknown>(value: unknown): value is PromiseLike<T> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
