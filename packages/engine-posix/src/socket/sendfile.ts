import { checkOptions, invalidArg, retryLimit } from '@binio/core';
import { callAsync } from '../file/async-call.js';
import { lastErrno } from '../libc/lib.js';
import { sendfile } from '../libc/socket-calls.js';
import { E } from '../linux/errno.js';
import { errnoError } from '../linux/error.js';
import { MAX_RW_COUNT } from '../linux/file-constants.js';
import { POLL } from '../linux/socket-constants.js';
import { opOptions } from './datagram-io.js';
import { closedError } from './errors.js';
import { NativeBlock } from './memory.js';
import type { SocketState } from './state.js';
import type { SendFileOptions } from './stream.js';
import { waitReady } from './wait.js';

const KEYS = ['offset', 'length', 'retryOnInterrupt', 'signal'] as const;

function fileDescriptor(file: unknown): number {
  if (typeof file === 'number') {
    if (!Number.isInteger(file) || file < 0 || file > 0x7fffffff) {
      throw invalidArg(
        'ERR_OUT_OF_RANGE',
        `sendFile: the file descriptor must be a non-negative integer, got ${file}`,
      );
    }
    return file;
  }
  if (
    typeof file === 'object' &&
    file !== null &&
    typeof (file as { fd?: unknown }).fd === 'number'
  ) {
    const handle = file as { fd: number; closed?: unknown };
    if (handle.closed === true || handle.fd < 0) throw closedError('file', 'sendfile');
    return fileDescriptor(handle.fd);
  }
  throw invalidArg(
    'ERR_INVALID_ARG_TYPE',
    'sendFile: file must be a descriptor number or a handle with an fd',
  );
}

function safeCount(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > Number.MAX_SAFE_INTEGER) {
    throw invalidArg(
      'ERR_OUT_OF_RANGE',
      `sendFile: ${name} must be a non-negative safe integer, got ${String(v)}`,
    );
  }
  return v;
}

/**
 * `sendfile(2)` from `file` to the socket until `length` bytes went (or the
 * file ended). Sync mode calls it directly; async mode runs each call on the
 * thread pool (the file read may wait on the disk) against the non-blocking
 * socket, and waits for `POLLOUT` when the socket's buffer is full.
 */
export function sendFileTo(
  state: SocketState,
  file: number | { readonly fd: number },
  options: SendFileOptions | undefined,
): number | Promise<number> {
  const fd = state.check('sendfile');
  const inFd = fileDescriptor(file);
  if (options !== undefined) checkOptions(options, KEYS, 'sendFile');
  const offset = safeCount(options?.offset, 'offset');
  const length = safeCount(options?.length, 'length');
  const o = opOptions(
    options === undefined
      ? undefined
      : { retryOnInterrupt: options.retryOnInterrupt, signal: options.signal },
    'sendFile',
  );
  let retries = retryLimit(options?.retryOnInterrupt);
  // The kernel advances this off_t; the file's own cursor stays put.
  const off = offset === undefined ? undefined : new NativeBlock(8);
  off?.setU64(0, offset!);
  let sent = 0;
  const want = () => Math.min(MAX_RW_COUNT, length === undefined ? MAX_RW_COUNT : length - sent);
  const done = () => length !== undefined && sent >= length;

  if (state.mode === 'sync') {
    while (!done()) {
      const r = sendfile(fd, inFd, off === undefined ? null : off.bytes, want()) as number;
      if (r > 0) sent += r;
      else if (r === 0) break;
      else {
        const errno = lastErrno();
        if (errno === E.EINTR && retries-- > 0) continue;
        if (errno === E.EAGAIN && sent > 0) break;
        throw errnoError(errno, { syscall: 'sendfile' });
      }
    }
    return sent;
  }

  // A pool call counts as a waiter: close() keeps the descriptor (and its
  // number) until the call is back, so it can never hit a reused number.
  const call = () =>
    new Promise<number>((resolve, reject) => {
      state.waiters++;
      callAsync(
        sendfile,
        [fd, inFd, off === undefined ? null : off.bytes, want()],
        (err, r, errno) => {
          state.waiterDone();
          if (err) reject(err);
          else resolve(r < 0 ? -errno : r);
        },
      );
    });
  const loop = async (): Promise<number> => {
    while (!done()) {
      state.check('sendfile');
      const r = await call();
      if (r > 0) sent += r;
      else if (r === 0) break;
      else if (-r === E.EINTR && retries-- > 0) continue;
      else if (-r === E.EAGAIN && !state.surfaceWouldBlock)
        await waitReady(state, POLL.POLLOUT, o.signal, 'sendfile');
      else if (-r === E.EAGAIN && sent > 0) break;
      else throw errnoError(-r, { syscall: 'sendfile' });
    }
    return sent;
  };
  return loop();
}
