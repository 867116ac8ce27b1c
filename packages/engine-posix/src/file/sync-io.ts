import { pread, preadv2, pwrite, pwritev2, read, write } from '../libc/file-calls.js';
import { lastErrno } from '../libc/lib.js';
import { E } from '../linux/errno.js';
import { syscallError } from './errors.js';
import type { Iovecs } from './iovec.js';
import { vectorError } from './rwf.js';

/**
 * The sync mode's transfer syscalls with the `retryOnInterrupt` policy:
 * each returns the byte count or throws the errno as an IoError. `offset`
 * -1 means the cursor (`read`/`write`); otherwise `pread`/`pwrite`.
 * `retries` is how many EINTRs may be retried (`Infinity` by default).
 * No allocation, no closure: these run on every sync read and write.
 */

/** One read of up to `len` bytes into `buf` (`already`: EINTRs retried before this call). */
export function readRetrying(
  fd: number,
  buf: Uint8Array,
  len: number,
  offset: number,
  retries: number,
  path: string,
  already = 0,
): number {
  let tries = 0;
  for (;;) {
    const n: number = offset < 0 ? read(fd, buf, len) : pread(fd, buf, len, offset);
    if (n >= 0) return n;
    const errno = lastErrno();
    if (errno !== E.EINTR || tries >= retries) {
      throw syscallError(errno, offset < 0 ? 'read' : 'pread', path, tries + already);
    }
    tries++;
  }
}

/**
 * The rest of a read whose first attempt failed with `errno`: retries EINTR
 * as allowed and returns the count, or throws. Kept apart so the first
 * attempt can sit inline on the hot path.
 */
export function readAfterFailure(
  errno: number,
  fd: number,
  buf: Uint8Array,
  len: number,
  offset: number,
  retries: number,
  path: string,
): number {
  if (errno !== E.EINTR || retries < 1)
    throw syscallError(errno, offset < 0 ? 'read' : 'pread', path, 0);
  return readRetrying(fd, buf, len, offset, retries - 1, path, 1);
}

/** One write of up to `len` bytes from `buf`. */
export function writeRetrying(
  fd: number,
  buf: Uint8Array,
  len: number,
  offset: number,
  retries: number,
  path: string,
): number {
  let tries = 0;
  for (;;) {
    const n: number = offset < 0 ? write(fd, buf, len) : pwrite(fd, buf, len, offset);
    if (n >= 0) return n;
    const errno = lastErrno();
    if (errno !== E.EINTR || tries >= retries)
      throw syscallError(errno, offset < 0 ? 'write' : 'pwrite', path, tries);
    tries++;
  }
}

/**
 * One vectored read (`reading`) or write; `preadv2`/`pwritev2` take offset
 * -1 as the cursor, and `flags` (`RWF_*`, checked by the caller) as they are.
 */
export function vectorRetrying(
  reading: boolean,
  fd: number,
  iov: Iovecs,
  offset: number,
  retries: number,
  path: string,
  flags: number,
): number {
  let tries = 0;
  for (;;) {
    const n: number = reading
      ? preadv2(fd, iov.array, iov.count, offset, flags)
      : pwritev2(fd, iov.array, iov.count, offset, flags);
    if (n >= 0) return n;
    const errno = lastErrno();
    if (errno !== E.EINTR || tries >= retries)
      throw vectorError(errno, reading ? 'preadv2' : 'pwritev2', path, tries, flags);
    tries++;
  }
}

/** A call returning 0 or -1/errno (fsync, fallocate, …), retried on EINTR. */
export function plainRetrying(
  call: () => number,
  syscall: string,
  retries: number,
  path: string,
): void {
  let tries = 0;
  for (;;) {
    if (call() >= 0) return;
    const errno = lastErrno();
    if (errno !== E.EINTR || tries >= retries) throw syscallError(errno, syscall, path, tries);
    tries++;
  }
}
