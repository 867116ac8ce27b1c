import { lastErrno } from '../libc/lib.js';
import { E } from '../linux/errno.js';
import { errnoError } from '../linux/error.js';
import type { SocketState } from './state.js';
import { waitReady } from './wait.js';

/**
 * One try of a system call: returns its non-negative result, or a negative
 * number with errno set (read at once, before any other native call).
 */
export type Attempt = () => number;

/** How an operation retries and waits. */
export interface RunOptions {
  /** EINTR retries left (`retryLimit(retryOnInterrupt)`). */
  retries: number;
  /** Aborts a wait (async mode). */
  signal?: AbortSignal | undefined;
  /** Address for error messages. */
  address?: string | undefined;
}

/**
 * Sync mode: runs `attempt` until it succeeds, retrying EINTR within the
 * limit; any other failure (EAGAIN on a non-blocking socket included)
 * throws an IoError.
 */
export function runSync(syscall: string, attempt: Attempt, options: RunOptions): number {
  let retries = options.retries;
  for (;;) {
    const r = attempt();
    if (r >= 0) return r;
    const errno = lastErrno();
    if (errno === E.EINTR && retries-- > 0) continue;
    throw errnoError(errno, { syscall, address: options.address });
  }
}

/**
 * Async mode: tries `attempt` at once on the main thread (the socket is
 * non-blocking); when it would block, waits in `poll` on the thread pool for
 * `events` and tries again. A socket opened with `nonBlocking` surfaces the
 * EAGAIN instead of waiting.
 */
export async function runAsync(
  state: SocketState,
  syscall: string,
  events: number,
  attempt: Attempt,
  options: RunOptions,
): Promise<number> {
  let retries = options.retries;
  for (;;) {
    state.check(syscall);
    const r = attempt();
    if (r >= 0) return r;
    const errno = lastErrno();
    if (errno === E.EINTR && retries-- > 0) continue;
    if (errno === E.EAGAIN && !state.surfaceWouldBlock) {
      await waitReady(state, events, options.signal, syscall);
      continue;
    }
    throw errnoError(errno, { syscall, address: options.address });
  }
}

/** Runs `attempt` in the socket's mode: a number (sync) or a Promise of one (async). */
export function run(
  state: SocketState,
  syscall: string,
  events: number,
  attempt: Attempt,
  options: RunOptions,
): number | Promise<number> {
  return state.mode === 'sync'
    ? runSync(syscall, attempt, options)
    : runAsync(state, syscall, events, attempt, options);
}
