import { IoError } from '@binio/core';
import { errnoEntry } from './errno.js';

/** Where a failure happened, for the error's fields. */
export interface ErrnoContext {
  /** System call name. */
  syscall: string;
  /** Engine name (default `posix`). */
  engine?: string;
  /** Path involved. */
  path?: string;
  /** Socket address involved, formatted. */
  address?: string;
}

/**
 * An {@link IoError} for a failed system call: `code` and `message` from the
 * errno table (`errno` may be given positive or negative, as io_uring
 * completions report it).
 */
export function errnoError(errno: number, ctx: ErrnoContext): IoError {
  const e = errnoEntry(Math.abs(errno));
  let message = `${e.code}: ${e.message}, ${ctx.syscall}`;
  if (ctx.path !== undefined) message += ` '${ctx.path}'`;
  if (ctx.address !== undefined) message += ` ${ctx.address}`;
  return new IoError({
    code: e.code,
    errno: e.errno,
    message,
    syscall: ctx.syscall,
    engine: ctx.engine ?? 'posix',
    path: ctx.path,
    address: ctx.address,
  });
}
