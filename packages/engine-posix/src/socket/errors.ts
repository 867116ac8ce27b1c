import { IoError, invalidArg } from '@binio/core';
import { E } from '../linux/errno.js';

/**
 * The socket half's refusals, each raised before anything reaches the kernel.
 * Failed system calls use the shared `errnoError` instead.
 */

/** `EBADF` for an operation on a socket that was closed (by binio, so no call is made). */
export function closedError(what: string, syscall: string): IoError {
  return new IoError({
    code: 'EBADF',
    errno: E.EBADF,
    syscall,
    engine: 'posix',
    message: `EBADF: ${syscall} on a closed ${what}; it was closed by close() and cannot be used again`,
  });
}

/** `EBADF` for an operation that was waiting when its socket was closed. */
export function closedWhileWaitingError(what: string, syscall: string): IoError {
  return new IoError({
    code: 'EBADF',
    errno: E.EBADF,
    syscall,
    engine: 'posix',
    message: `EBADF: ${syscall} was waiting on a ${what} that close() closed meanwhile`,
  });
}

/** `ERR_INVALID_ARG_TYPE` for a handle that is not one of this engine's sockets. */
export function foreignHandle(expected: string, got: unknown): IoError {
  const name =
    typeof got === 'object' && got !== null ? (got as object).constructor?.name : typeof got;
  return invalidArg(
    'ERR_INVALID_ARG_TYPE',
    `Expected a ${expected} created by this posix engine, got ${got === null ? 'null' : name}`,
  );
}
