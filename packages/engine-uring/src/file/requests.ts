import { type CreateOptions, IoError, invalidArg, type OpenOptions } from '@binio/core';
import {
  checkSignal,
  type OpenKind,
  type OpenRequest,
  openRequest as posixOpenRequest,
} from '@binio/engine-posix/file';

/*
 * Argument checks of the file operations, refusing bad input before
 * anything reaches the ring. The rules themselves (open flags, paths,
 * read/write options, handle-state errors, capabilities) are
 * engine-posix's, imported from `@binio/engine-posix/file`, so that both
 * engines refuse alike; what is here is only what differs from posix.
 */

export type { OpenKind, OpenRequest };

/**
 * Turns an open call into `openat` arguments (engine-posix's rules), then
 * refuses an already aborted signal with `ERR_ABORTED` (syscall `openat`).
 */
export function openRequest(
  kind: OpenKind,
  path: unknown,
  options: CreateOptions | OpenOptions | undefined,
): OpenRequest {
  const req = posixOpenRequest(kind, path, options);
  checkSignal(req.signal, 'openat');
  return req;
}

/** The refusal of an absolute-offset write on an append handle. */
export function appendOffsetError(path: string): IoError {
  return invalidArg(
    'ERR_INVALID_ARG_VALUE',
    `Cannot write at an offset to '${path}': it was opened for appending, and Linux appends whatever offset is given`,
    { engine: 'uring', path },
  );
}

/** `ERR_MISALIGNED` for an `O_DIRECT` transfer the kernel would refuse. */
export function misalignedError(
  what: string,
  value: number,
  align: number,
  op: string,
  path: string,
): IoError {
  return new IoError({
    code: 'ERR_MISALIGNED',
    engine: 'uring',
    path,
    syscall: op,
    message:
      `O_DIRECT ${op} on '${path}' refused before submission: the ${what} (${value}) is not a multiple of ${align} bytes; ` +
      (what === 'buffer address'
        ? 'use a buffer from the engine (getBuffer())'
        : 'use whole, aligned blocks'),
  });
}
