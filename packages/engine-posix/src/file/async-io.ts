import type { IoError } from '@binio/core';
import { pread, preadv2, pwrite, pwritev2, read, write } from '../libc/file-calls.js';
import { E } from '../linux/errno.js';
import { type AsyncCapable, callAsync } from './async-call.js';
import { syscallError } from './errors.js';
import type { Iovecs } from './iovec.js';
import { vectorError } from './rwf.js';

/**
 * The async mode's syscalls with the `retryOnInterrupt` policy: the same
 * calls as `sync-io.ts`, each run on the thread pool. An EINTR within the
 * allowed retries issues the call again; the result reaches `done` as a
 * byte count or an IoError.
 */
export type IoDone = (err: IoError | Error | null, n: number) => void;

/** Runs `fn(...args)` on the pool, retrying EINTR up to `retries` times. */
export function retryingAsync(
  fn: AsyncCapable,
  args: unknown[],
  retries: number,
  syscall: string,
  path: string,
  done: IoDone,
  fail: typeof syscallError = syscallError,
): void {
  let tries = 0;
  const attempt = () =>
    callAsync(fn, args, (err, n, errno) => {
      if (err) done(err as Error, 0);
      else if (n >= 0) done(null, n);
      else if (errno === E.EINTR && tries < retries) {
        tries++;
        attempt();
      } else done(fail(errno, syscall, path, tries), 0);
    });
  attempt();
}

/** One read (`offset` -1: the cursor) of up to `len` bytes into `buf`. */
export function readAsync(
  fd: number,
  buf: Uint8Array,
  len: number,
  offset: number,
  retries: number,
  path: string,
  done: IoDone,
): void {
  if (offset < 0) retryingAsync(read, [fd, buf, len], retries, 'read', path, done);
  else retryingAsync(pread, [fd, buf, len, offset], retries, 'pread', path, done);
}

/** One write (`offset` -1: the cursor) of up to `len` bytes from `buf`. */
export function writeAsync(
  fd: number,
  buf: Uint8Array,
  len: number,
  offset: number,
  retries: number,
  path: string,
  done: IoDone,
): void {
  if (offset < 0) retryingAsync(write, [fd, buf, len], retries, 'write', path, done);
  else retryingAsync(pwrite, [fd, buf, len, offset], retries, 'pwrite', path, done);
}

/** One vectored read or write; offset -1 is the cursor for preadv2/pwritev2; `flags` are `RWF_*` bits. */
export function vectorAsync(
  reading: boolean,
  fd: number,
  iov: Iovecs,
  offset: number,
  retries: number,
  path: string,
  flags: number,
  done: IoDone,
): void {
  const args = [fd, iov.array, iov.count, offset, flags];
  const fail =
    flags === 0
      ? syscallError
      : (errno: number, syscall: string, p: string, tries: number) =>
          vectorError(errno, syscall, p, tries, flags);
  if (reading) retryingAsync(preadv2, args, retries, 'preadv2', path, done, fail);
  else retryingAsync(pwritev2, args, retries, 'pwritev2', path, done, fail);
}

/** A promise for one call returning 0 or -1/errno, retried on EINTR. */
export function plainAsync(
  fn: AsyncCapable,
  args: unknown[],
  syscall: string,
  path: string,
): Promise<number> {
  return new Promise((resolve, reject) =>
    retryingAsync(fn, args, Number.POSITIVE_INFINITY, syscall, path, (err, n) =>
      err ? reject(err) : resolve(n),
    ),
  );
}
