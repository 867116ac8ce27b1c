import { abortError } from '@binio/core';
import { callAsync } from '../file/async-call.js';
import { close as closeFd } from '../libc/file-calls.js';
import { lastErrno } from '../libc/lib.js';
import { eventfd, eventfd_write, poll } from '../libc/socket-calls.js';
import { E } from '../linux/errno.js';
import { errnoError } from '../linux/error.js';
import { EFD, POLL } from '../linux/socket-constants.js';
import { closedWhileWaitingError } from './errors.js';
import { NativeBlock } from './memory.js';
import type { SocketState } from './state.js';

/**
 * Async mode's wait: parks one libuv thread-pool thread in `poll(2)` on the
 * socket and on an eventfd of this wait until the socket is ready for
 * `events` (`POLLIN`/`POLLOUT`), `signal` aborts, or the socket is closed.
 * The operation itself is then retried non-blocking on the main thread, so
 * the kernel never holds a caller's buffer on another thread and an abort
 * or a close can always wake the waiter (each wait has its own eventfd, so
 * no wake-up is consumed by another waiter). While it waits, the operation
 * occupies one pool thread (4 by default, shared with fs and dns) and one
 * of the engine's async call slots: the epoll engine waits on the event
 * loop instead.
 */
export function waitReady(
  state: SocketState,
  events: number,
  signal: AbortSignal | undefined,
  syscall: string,
): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal, syscall));
  const wake = eventfd(0, EFD.EFD_CLOEXEC | EFD.EFD_NONBLOCK) as number;
  if (wake < 0) return Promise.reject(errnoError(lastErrno(), { syscall: 'eventfd' }));
  // Two pollfds: the socket and the wake eventfd. Off-heap memory, alive
  // (closure) until the pool call returns.
  const fds = new NativeBlock(16);
  fds.i32[0] = state.fd;
  fds.view.setInt16(4, events, true);
  fds.i32[2] = wake;
  fds.view.setInt16(12, POLL.POLLIN, true);
  state.waiters++;
  state.waits.add(wake);
  const onAbort = () => eventfd_write(wake, 1);
  signal?.addEventListener('abort', onAbort, { once: true });
  return new Promise<void>((resolve, reject) => {
    const done = (err: unknown, result: number, errno: number) => {
      signal?.removeEventListener('abort', onAbort);
      state.waits.delete(wake);
      closeFd(wake);
      state.waiterDone();
      if (err) reject(err);
      else if (state.closed) reject(closedWhileWaitingError(state.what, syscall));
      else if (signal?.aborted) reject(abortError(signal, syscall));
      else if (result < 0 && errno !== E.EINTR) reject(errnoError(errno, { syscall: 'poll' }));
      // Ready, interrupted or woken for someone else: the caller retries.
      else resolve();
    };
    // The engine's shared queue of pool calls (koffi's cap on calls in flight).
    callAsync(poll, [fds.bytes, 2, -1], done);
  });
}
