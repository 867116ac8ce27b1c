import {
  type OpOptions,
  type ReadOptions,
  type WriteOptions,
  abortError,
  checkInt,
  checkOptions,
  invalidArg,
  retryLimit,
} from '@binio/core';
import type { WaitOptions } from './reactor/source.js';

/** What every waiting operation of this engine takes beyond core's options. */
export interface Waitable {
  /**
   * Milliseconds the operation may wait for readiness before it fails with
   * `ERR_TIMEOUT` (its buffers given back, progress kept). Default: no limit.
   */
  timeout?: number;
}

/** Core's {@link OpOptions} plus a {@link Waitable.timeout}. */
export interface EpollOpOptions extends OpOptions, Waitable {}
/** Core's {@link ReadOptions} plus a {@link Waitable.timeout}. */
export interface EpollReadOptions extends ReadOptions, Waitable {}
/** Core's {@link WriteOptions} plus a {@link Waitable.timeout}. */
export interface EpollWriteOptions extends WriteOptions, Waitable {}
/** Options of `accept`, `connect` and the readiness sources' waits. */
export interface EpollWaitOptions extends Waitable {
  /** Cancels the wait. */
  signal?: AbortSignal;
}

/** Keys of {@link EpollOpOptions}. */
export const OP_KEYS = ['retryOnInterrupt', 'signal', 'timeout'] as const;
/** Keys of stream reads and writes (`offset` is refused with a clear message). */
export const STREAM_KEYS = ['offset', 'maxBytes', 'retryOnInterrupt', 'signal', 'timeout'] as const;
/** Keys of {@link EpollWaitOptions}. */
export const WAIT_KEYS = ['signal', 'timeout'] as const;

/** The parsed form every operation uses. */
export interface Parsed extends WaitOptions {
  /** EINTR retries allowed. */
  retries: number;
  /** Byte cap (`maxBytes`), or Infinity. */
  max: number;
}

const NONE: Parsed = {
  retries: Number.POSITIVE_INFINITY,
  max: Number.POSITIVE_INFINITY,
  signal: undefined,
  timeout: undefined,
};

/**
 * Checks an operation's options before anything reaches the kernel:
 * unknown keys, a non-AbortSignal, an already aborted signal, a bad timeout
 * or `maxBytes`, and (for sockets) any `offset`.
 */
export function parseOptions(
  options: (EpollReadOptions & EpollWaitOptions) | undefined,
  keys: readonly string[],
  what: string,
): Parsed {
  if (options === undefined) return NONE;
  const o = checkOptions(options, keys, what);
  if (o.offset !== undefined) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `${what}: a socket has no file offset (ESPIPE); remove 'offset'`,
    );
  }
  const signal = o.signal;
  if (signal !== undefined) {
    if (!(signal instanceof AbortSignal))
      throw invalidArg('ERR_INVALID_ARG_TYPE', `${what}: signal must be an AbortSignal`);
    if (signal.aborted) throw abortError(signal, what);
  }
  const timeout =
    o.timeout === undefined ? undefined : checkInt(`${what}: timeout`, o.timeout, 1, 2 ** 31 - 1);
  const max =
    o.maxBytes === undefined
      ? Number.POSITIVE_INFINITY
      : checkInt(`${what}: maxBytes`, o.maxBytes, 0, 2 ** 31 - 1);
  return { retries: retryLimit(o.retryOnInterrupt), max, signal, timeout };
}

/** Runs `body`, turning a synchronous throw into a rejection: async methods never throw. */
export function rejecting<T>(body: () => Promise<T>): Promise<T> {
  try {
    return body();
  } catch (e) {
    return Promise.reject(e);
  }
}
