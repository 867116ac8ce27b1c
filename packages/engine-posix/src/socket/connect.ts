import { invalidArg, type SocketAddress } from '@binio/core';
import { lastErrno } from '../libc/lib.js';
import {
  connect as connectCall,
  getpeername as getpeernameCall,
  getsockopt,
  poll,
} from '../libc/socket-calls.js';
import { E } from '../linux/errno.js';
import { errnoError } from '../linux/error.js';
import { POLL, SO, SOL_SOCKET } from '../linux/socket-constants.js';
import { NativeBlock } from './memory.js';
import { encodeSockaddr, SOCKADDR_MAX } from './sockaddr.js';
import type { SocketState } from './state.js';
import { waitReady } from './wait.js';

// Name and option scratch, used synchronously on the main thread.
const scratch = new NativeBlock(SOCKADDR_MAX + 16);
const VAL_AT = SOCKADDR_MAX;

/** The pending error of a socket (`SO_ERROR`): how a non-blocking connect ended. */
export function pendingError(fd: number): number {
  scratch.i32[VAL_AT >>> 2] = 0;
  scratch.u32[(VAL_AT + 4) >>> 2] = 4;
  if (
    (getsockopt(
      fd,
      SOL_SOCKET,
      SO.SO_ERROR,
      scratch.address + VAL_AT,
      scratch.address + VAL_AT + 4,
    ) as number) < 0
  ) {
    return lastErrno();
  }
  return scratch.i32[VAL_AT >>> 2]!;
}

/**
 * Connects `state`'s socket to `address`. Sync mode blocks in `connect`
 * (and, on a non-blocking socket or after EINTR, in `poll` until the
 * handshake ends). Async mode starts the non-blocking connect, waits for
 * `POLLOUT` on the thread pool and reads `SO_ERROR`; `signal` aborts it.
 */
export function connectSocket(
  state: SocketState,
  address: SocketAddress,
  signal: AbortSignal | undefined,
): void | Promise<void> {
  const fd = state.check('connect');
  const len = encodeSockaddr(address, scratch.bytes, 0);
  const r = connectCall(fd, scratch.address, len) as number;
  if (r === 0) return;
  const errno = lastErrno();
  const failed = (e: number) => errnoError(e, { syscall: 'connect', address: String(address) });
  // EAGAIN (a Unix listener's backlog is full, non-blocking) is not waitable: it fails.
  if (errno !== E.EINPROGRESS && errno !== E.EINTR) throw failed(errno);
  if (state.mode === 'sync') {
    // The handshake goes on in the kernel: wait for it to end, then ask how.
    const pfd = new NativeBlock(8);
    pfd.i32[0] = fd;
    pfd.view.setInt16(4, POLL.POLLOUT, true);
    for (;;) {
      const p = poll(pfd.bytes, 1, -1) as number;
      if (p >= 0) break;
      const e = lastErrno();
      if (e !== E.EINTR) throw errnoError(e, { syscall: 'poll' });
    }
    const err = pendingError(fd);
    if (err !== 0) throw failed(err);
    return;
  }
  return (async () => {
    for (;;) {
      await waitReady(state, POLL.POLLOUT, signal, 'connect');
      const err = pendingError(fd);
      if (err !== 0) throw failed(err);
      // POLLOUT without an error: connected (a spurious wake-up re-polls).
      if (isConnected(fd)) return;
    }
  })();
}

// getpeername succeeds once the handshake is complete.
function isConnected(fd: number): boolean {
  scratch.u32[(VAL_AT + 4) >>> 2] = SOCKADDR_MAX;
  return (getpeernameCall(fd, scratch.address, scratch.address + VAL_AT + 4) as number) === 0;
}

/** Refuses a listen backlog outside 0–65535 before any call. */
export function checkBacklog(backlog: unknown): number {
  if (backlog === undefined) return 511;
  if (typeof backlog !== 'number' || !Number.isInteger(backlog) || backlog < 0 || backlog > 65535) {
    throw invalidArg(
      'ERR_OUT_OF_RANGE',
      `backlog must be an integer in [0, 65535], got ${String(backlog)}`,
    );
  }
  return backlog;
}
