import { IoError, invalidArg } from '@binio/core';
import { errnoError } from '@binio/engine-posix/linux';

/** The engine's name in errors. */
export const ENGINE = 'epoll';

/** An IoError for a failed system call, from the shared errno table. */
export function sysError(errno: number, syscall: string, address?: string): IoError {
  return errnoError(errno, { syscall, engine: ENGINE, address });
}

/** `EBADF` for an operation on a handle that close() closed (no call is made). */
export function closedError(what: string, syscall: string): IoError {
  return new IoError({
    code: 'EBADF',
    errno: 9,
    syscall,
    engine: ENGINE,
    message: `EBADF: ${syscall} on a closed ${what}; it was closed by close() and cannot be used again`,
  });
}

/** `EBADF` for an operation that was parked when its handle was closed. */
export function closedWhileWaiting(what: string): (syscall: string) => IoError {
  return (syscall) =>
    new IoError({
      code: 'EBADF',
      errno: 9,
      syscall,
      engine: ENGINE,
      message: `EBADF: ${syscall} was waiting on a ${what} that close() closed meanwhile`,
    });
}

/** `ERR_CLOSED` for anything asked of a closed engine. */
export function engineClosedError(action: string): IoError {
  return new IoError({
    code: 'ERR_CLOSED',
    engine: ENGINE,
    message: `Cannot ${action}: the epoll engine is closed`,
  });
}

/** `ERR_INVALID_ARG_TYPE` for a handle that is not one of this engine's. */
export function foreignHandle(expected: string, got: unknown): IoError {
  const name =
    typeof got === 'object' && got !== null ? (got as object).constructor?.name : typeof got;
  return invalidArg(
    'ERR_INVALID_ARG_TYPE',
    `Expected a ${expected} of this epoll engine, got ${got === null ? 'null' : name}`,
  );
}
