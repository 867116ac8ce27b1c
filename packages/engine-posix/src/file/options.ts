import {
  abortError,
  checkInt,
  checkOffset,
  checkOptions,
  invalidArg,
  READ_OPTION_KEYS,
  retryLimit,
  WRITE_OPTION_KEYS,
} from '@binio/core';

/**
 * Option checks on the per-call path. They refuse exactly what core's
 * `checkOptions`/`checkOffset`/`retryLimit` refuse, with core's errors, but
 * cost no allocation when the options are good: `for…in` over a small
 * object walks V8's enum cache, where `Object.keys` would build an array on
 * every read.
 */

/**
 * Throws core's `checkOptions` error unless every key of `options` is in
 * `allowed` (an object or `undefined` passes; anything else is refused).
 */
export function checkKeys(
  options: object | undefined,
  allowed: readonly string[],
  what: string,
): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) {
    checkOptions(options, allowed, what);
    return;
  }
  for (const key in options) {
    if (!allowed.includes(key)) checkOptions(options, allowed, what);
  }
}

/**
 * True when `options` is an object whose only enumerable keys (if any) are
 * `offset` and `maxBytes`: the options of the sync read's hot path.
 */
export function offsetAndMaxOnly(options: object): boolean {
  if (typeof options !== 'object' || options === null) return false;
  for (const key in options) if (key !== 'offset' && key !== 'maxBytes') return false;
  return true;
}

/** `maxBytes`: `Infinity` when absent, else a non-negative safe integer. */
export function maxBytesOption(value: unknown): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  return checkInt('maxBytes', value, 0, Number.MAX_SAFE_INTEGER);
}

/** `retryOnInterrupt` as a retry count (`Infinity` by default). */
export function retriesOption(value: unknown): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  return retryLimit(value as boolean | number);
}

/** Refuses a non-AbortSignal and an already aborted signal (`ERR_ABORTED`). */
export function checkSignal(signal: unknown, syscall: string): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) {
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'signal must be an AbortSignal');
  }
  if (signal.aborted) throw abortError(signal, syscall);
  return signal;
}

/** A byte count for hints and reservations: a non-negative safe integer. */
export function checkByteCount(name: string, value: unknown): number {
  return checkInt(name, value, 0, Number.MAX_SAFE_INTEGER);
}

/** Parsed read/write options; see {@link ioOptions}. */
export interface IoOptions {
  /** Absolute offset, or -1 for the cursor. */
  offset: number;
  /** Byte cap (`Infinity` when none). */
  max: number;
  /** EINTR retries allowed. */
  retries: number;
  /** Abort signal, if any (not yet aborted). */
  signal: AbortSignal | undefined;
}

// One scratch result: callers copy the fields into locals at once, so the
// per-call path allocates nothing.
const parsed: IoOptions = { offset: -1, max: 0, retries: 0, signal: undefined };

/**
 * Checks read/write options (`READ_OPTION_KEYS`) and returns them parsed in
 * a shared scratch object: copy the fields out before the next call.
 */
export function ioOptions(
  options:
    | { offset?: unknown; maxBytes?: unknown; retryOnInterrupt?: unknown; signal?: unknown }
    | undefined,
  allowed: readonly string[],
  what: string,
): IoOptions {
  parsed.offset = -1;
  parsed.max = Number.POSITIVE_INFINITY;
  parsed.retries = Number.POSITIVE_INFINITY;
  parsed.signal = undefined;
  if (options === undefined) return parsed;
  if (typeof options !== 'object' || options === null) checkOptions(options, allowed, what);
  for (const key in options) {
    // Identity compares of interned strings: cheaper than allowed.includes(key).
    if (key !== 'offset' && key !== 'maxBytes' && key !== 'retryOnInterrupt' && key !== 'signal') {
      checkKeys(options, allowed, what);
    } else if (
      allowed !== READ_OPTION_KEYS &&
      allowed !== WRITE_OPTION_KEYS &&
      !allowed.includes(key)
    ) {
      checkKeys(options, allowed, what);
    }
  }
  if (options.offset !== undefined) parsed.offset = checkOffset(options.offset)!;
  if (options.maxBytes !== undefined) parsed.max = maxBytesOption(options.maxBytes);
  if (options.retryOnInterrupt !== undefined)
    parsed.retries = retriesOption(options.retryOnInterrupt);
  if (options.signal !== undefined) parsed.signal = checkSignal(options.signal, what);
  return parsed;
}
