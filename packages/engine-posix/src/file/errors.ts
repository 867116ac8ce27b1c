import { IoError } from '@binio/core';
import { E } from '../linux/errno.js';
import { errnoError } from '../linux/error.js';

/**
 * The errors the file half raises itself. Each says what was refused and
 * why, so a caller can fix the call without reading the source.
 */

/**
 * `EBADF` for an operation on a closed handle (raised before any syscall).
 * `engine` names the engine in the error (engine-uring shares this rule).
 */
export function closedError(op: string, path: string, engine = 'posix'): IoError {
  return new IoError({
    code: 'EBADF',
    errno: E.EBADF,
    syscall: op,
    engine,
    path,
    message: `EBADF: cannot ${op} '${path}': the file handle is closed`,
  });
}

/**
 * `EBADF` for reading a write-only handle or writing a read-only one (before
 * any syscall). `engine` names the engine in the error.
 */
export function directionError(
  op: string,
  path: string,
  need: 'reading' | 'writing',
  engine = 'posix',
): IoError {
  return new IoError({
    code: 'EBADF',
    errno: E.EBADF,
    syscall: op,
    engine,
    path,
    message: `EBADF: cannot ${op} '${path}': the file was not opened for ${need}`,
  });
}

/** A failed syscall; an EINTR that used up its retries says so. */
export function syscallError(
  errno: number,
  syscall: string,
  path: string,
  retried: number,
): IoError {
  const err = errnoError(errno, { syscall, path });
  if (errno !== E.EINTR) return err;
  const why =
    retried > 0 ? `gave up after ${retried} retries (retryOnInterrupt)` : 'retryOnInterrupt is off';
  return explained(err, syscall, path, ` (${why})`);
}

/** `err` (a syscall's error) with `more` appended to its message. */
export function explained(err: IoError, syscall: string, path: string, more: string): IoError {
  return new IoError({
    code: err.code,
    errno: err.errno,
    syscall,
    engine: 'posix',
    path,
    message: `${err.message}${more}`,
  });
}

/** `ERR_UNSUPPORTED` for a combination the kernel would silently get wrong. */
export function unsupportedError(message: string, path: string): IoError {
  return new IoError({ code: 'ERR_UNSUPPORTED', engine: 'posix', path, message });
}

/** `ERR_CLOSED` for using an engine after `close()`. */
export function engineClosedError(op: string): IoError {
  return new IoError({
    code: 'ERR_CLOSED',
    engine: 'posix',
    message: `Cannot ${op}: the posix engine is closed`,
  });
}

/** `EIO` for a write that moved no bytes (a loop would never end). */
export function noProgressError(syscall: string, path: string): IoError {
  return new IoError({
    code: 'EIO',
    errno: E.EIO,
    syscall,
    engine: 'posix',
    path,
    message: `EIO: ${syscall} '${path}' wrote 0 bytes; stopping instead of looping forever`,
  });
}
