import type { Mode, Ret } from '@binio/core';

/**
 * Returns `body()`'s result in mode `mode`: as is for sync (errors throw),
 * as a Promise for async (errors, even ones raised before any await,
 * become rejections, so async callers never see a synchronous throw).
 */
export function inMode<M extends Mode, T>(mode: M, body: () => T | Promise<T>): Ret<M, T> {
  if (mode === 'sync') return body() as Ret<M, T>;
  try {
    return Promise.resolve(body()) as Ret<M, T>;
  } catch (e) {
    return Promise.reject(e) as Ret<M, T>;
  }
}

/**
 * Runs `result()` (a system call's outcome, a number or a pending one),
 * applies `ok` to it, and calls `fail` (cleanup: give buffers back) when it
 * fails, synchronously or later; sync results stay synchronous.
 */
export function andThen<T>(
  result: () => number | Promise<number>,
  ok: (n: number) => T,
  fail: () => void,
): T | Promise<T> {
  let r: number | Promise<number>;
  try {
    r = result();
  } catch (e) {
    fail();
    throw e;
  }
  if (typeof r === 'number') return ok(r);
  return r.then(ok, (e: unknown) => {
    fail();
    throw e;
  });
}

/** Runs `body`, calling `fail` before rethrowing a synchronous error. */
export function guard<T>(body: () => T, fail: () => void): T {
  try {
    return body();
  } catch (e) {
    fail();
    throw e;
  }
}
