import {
  type IoError,
  invalidArg,
  READ_OPTION_KEYS,
  type ReadOptions,
  type WriteOptions,
} from '@binio/core';
import { E } from '../linux/errno.js';
import { RWF } from '../linux/file-constants.js';
import { explained, syscallError } from './errors.js';

/**
 * Per-call `preadv2`/`pwritev2` flags (`RWF_*`) by name, for `readv`/`writev`
 * and for `readInto`/`write` (which then make one `preadv2`/`pwritev2`
 * instead of `pread`/`pwrite`). Reads take the ones that mean something for
 * a read; a write-only flag on a read is refused rather than passed to a
 * kernel that ignores it.
 */

/** Flags a read takes: `hipri` (`RWF_HIPRI`, polled O_DIRECT IO), `nowait` (`RWF_NOWAIT`: fail with `EAGAIN` instead of waiting for the disk). */
export type ReadFlag = 'hipri' | 'nowait';
/** Flags a write takes: the read ones plus `dsync`/`sync` (this write is durable when it returns, as `O_DSYNC`/`O_SYNC`) and `append` (`RWF_APPEND`: appended at the end, whatever the offset). */
export type WriteFlag = ReadFlag | 'dsync' | 'sync' | 'append';

/** `readv`/`readInto` options: core's read options plus `flags`. */
export interface RwfReadOptions extends ReadOptions {
  /** `RWF_*` flags of this call, by name (default none). */
  flags?: readonly ReadFlag[];
}

/** `writev`/`write` options: core's write options plus `flags`. */
export interface RwfWriteOptions extends WriteOptions {
  /** `RWF_*` flags of this call, by name (default none). */
  flags?: readonly WriteFlag[];
}

const READ_FLAGS: Record<ReadFlag, number> = { hipri: RWF.RWF_HIPRI, nowait: RWF.RWF_NOWAIT };
const WRITE_FLAGS: Record<WriteFlag, number> = {
  ...READ_FLAGS,
  dsync: RWF.RWF_DSYNC,
  sync: RWF.RWF_SYNC,
  append: RWF.RWF_APPEND,
};

/** Option keys of `readv`/`writev`. */
export const VECTOR_OPTION_KEYS = [...READ_OPTION_KEYS, 'flags'] as const;

/** The `flags` option as `RWF_*` bits; refuses anything but an array of known names (before any call). */
export function rwfFlags(value: unknown, reading: boolean): number {
  if (value === undefined) return 0;
  const op = reading ? 'readv' : 'writev';
  const known: Record<string, number> = reading ? READ_FLAGS : WRITE_FLAGS;
  if (!Array.isArray(value)) {
    throw invalidArg(
      'ERR_INVALID_ARG_TYPE',
      `${op}: flags must be an array of ${Object.keys(known).join(', ')}`,
    );
  }
  let bits = 0;
  for (const name of value) {
    const bit = typeof name === 'string' && Object.hasOwn(known, name) ? known[name] : undefined;
    if (bit === undefined) {
      const writeOnly = reading && typeof name === 'string' && Object.hasOwn(WRITE_FLAGS, name);
      throw invalidArg(
        'ERR_INVALID_ARG_VALUE',
        `${op}: unknown flag ${JSON.stringify(name)}${writeOnly ? ' for a read (it applies to writes)' : ''}; ${op} takes ${Object.keys(known).join(', ')}`,
      );
    }
    bits |= bit;
  }
  return bits;
}

/**
 * The error of a failed `preadv2`/`pwritev2`. With `nowait`, `EAGAIN` means
 * the call would have had to wait (data not cached, or a lock) and
 * `EOPNOTSUPP` that this file cannot do non-blocking IO: both say so.
 */
export function vectorError(
  errno: number,
  syscall: string,
  path: string,
  retried: number,
  flags: number,
): IoError {
  const err = syscallError(errno, syscall, path, retried);
  if ((flags & RWF.RWF_NOWAIT) === 0) return err;
  let why: string | undefined;
  if (errno === E.EAGAIN)
    why = 'with RWF_NOWAIT the call would have had to wait (data not in the page cache, or a lock)';
  else if (errno === E.EOPNOTSUPP) why = 'this file or file system does not support RWF_NOWAIT';
  return why === undefined ? err : explained(err, syscall, path, `: ${why}`);
}
