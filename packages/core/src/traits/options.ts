import { invalidArg } from '../errors.js';
import type { RetryOnInterrupt } from '../errors.js';
import { describe } from '../buffers/check.js';

/** Options every operation accepts. */
export interface OpOptions {
  /** Retry on EINTR: `true` (default) without limit, `false` never, or at most N times. */
  retryOnInterrupt?: RetryOnInterrupt;
  /** Aborts the operation (async engines); a settled operation ignores it. */
  signal?: AbortSignal;
}

/** Options of a read. */
export interface ReadOptions extends OpOptions {
  /**
   * Absolute file offset to read at (pread): the file's cursor does not move.
   * Without it, the read starts at the cursor and moves it.
   */
  offset?: number;
  /** Read at most this many bytes (default: the buffer's free capacity). */
  maxBytes?: number;
}

/** Options of a write. */
export interface WriteOptions extends OpOptions {
  /** Absolute file offset to write at (pwrite): the cursor does not move. */
  offset?: number;
  /** Write at most this many bytes of the source (the proposal's `write(buf, count)`). */
  maxBytes?: number;
}

/**
 * Throws `ERR_INVALID_ARG_VALUE` naming the first key of `options` that is not
 * in `allowed`: unknown options are refused, never ignored.
 */
export function checkOptions<T extends object>(
  options: T | undefined,
  allowed: readonly string[],
  what: string,
): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null) {
    throw invalidArg('ERR_INVALID_ARG_TYPE', `${what} options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw invalidArg(
        'ERR_INVALID_ARG_VALUE',
        `Unknown ${what} option '${key}' (known: ${allowed.join(', ')})`,
      );
    }
  }
  return options;
}

/** Keys of {@link ReadOptions}. */
export const READ_OPTION_KEYS = ['offset', 'maxBytes', 'retryOnInterrupt', 'signal'] as const;
/** Keys of {@link WriteOptions}. */
export const WRITE_OPTION_KEYS = READ_OPTION_KEYS;

/**
 * Validates a file offset: `undefined` (use the cursor) or a safe
 * non-negative integer. Throws `ERR_OUT_OF_RANGE`/`ERR_INVALID_ARG_TYPE`.
 */
export function checkOffset(offset: unknown): number | undefined {
  if (offset === undefined) return undefined;
  if (typeof offset !== 'number' || !Number.isInteger(offset)) {
    throw invalidArg('ERR_INVALID_ARG_TYPE', `offset must be an integer, got ${describe(offset)}`);
  }
  if (offset < 0 || offset > Number.MAX_SAFE_INTEGER) {
    throw invalidArg('ERR_OUT_OF_RANGE', `offset must be a non-negative safe integer, got ${offset}`);
  }
  return offset;
}
