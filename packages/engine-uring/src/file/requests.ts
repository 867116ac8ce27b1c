import {
  abortError,
  CREATE_OPTION_KEYS,
  type CreateOptions,
  checkInt,
  checkOffset,
  checkOptions,
  IoError,
  invalidArg,
  OPEN_OPTION_KEYS,
  type OpenOptions,
  retryLimit,
} from '@binio/core';
import { E, O } from '@binio/engine-posix/linux';

/*
 * Argument checks of the file operations, refusing bad input before
 * anything reaches the ring. They follow engine-posix's file layer rule for
 * rule (same errors, same messages) so that both engines refuse alike.
 * TODO(lead): engine-posix keeps these in src/file (open-flags.ts,
 * options.ts, errors.ts), not exported; once they are exported from
 * `@binio/engine-posix/linux` (or a `./file` subpath), import them here.
 */

/** The ways to open a file. */
export type OpenKind = 'read' | 'write' | 'readWrite' | 'append' | 'create';

/** An open, checked. */
export interface OpenRequest {
  /** The path, free of NUL bytes. */
  path: string;
  /** `openat` flags, `O_CLOEXEC` always included. */
  flags: number;
  /** Permission bits of a created file. */
  mode: number;
  /** The handle may read. */
  readable: boolean;
  /** The handle may write. */
  writable: boolean;
  /** Every write goes to the end (`O_APPEND`). */
  append: boolean;
  /** `O_DIRECT`. */
  direct: boolean;
  /** Aborts the open. */
  signal: AbortSignal | undefined;
}

const ACCESS: Record<OpenKind, number> = {
  read: O.O_RDONLY,
  write: O.O_WRONLY,
  readWrite: O.O_RDWR,
  append: O.O_WRONLY | O.O_APPEND,
  create: O.O_RDWR | O.O_CREAT,
};

function checkBool(name: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean')
    throw invalidArg('ERR_INVALID_ARG_TYPE', `${name} must be a boolean, got ${typeof v}`);
  return v;
}

/** Refuses a non-string, empty or NUL-containing path. */
export function checkPath(path: unknown): string {
  if (typeof path !== 'string')
    throw invalidArg('ERR_INVALID_ARG_TYPE', `path must be a string, got ${typeof path}`);
  if (path.length === 0) throw invalidArg('ERR_INVALID_ARG_VALUE', 'path must not be empty');
  if (path.includes('\0')) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `path must not contain NUL bytes: '${path.replace(/\0/g, '\\0')}'`,
    );
  }
  return path;
}

/** Turns an open call into `openat` arguments, refusing anything wrong first. */
export function openRequest(
  kind: OpenKind,
  path: unknown,
  options: CreateOptions | OpenOptions | undefined,
): OpenRequest {
  const p = checkPath(path);
  const o = checkOptions(
    options as CreateOptions | undefined,
    kind === 'create' ? CREATE_OPTION_KEYS : OPEN_OPTION_KEYS,
    kind === 'create' ? 'create' : 'open',
  );
  let flags = ACCESS[kind] | O.O_CLOEXEC;
  const direct = checkBool('direct', o.direct);
  if (direct) flags |= O.O_DIRECT;
  if (o.sync !== undefined) {
    if (o.sync === 'data') flags |= O.O_DSYNC;
    else if (o.sync === 'full') flags |= O.O_SYNC;
    else
      throw invalidArg(
        'ERR_INVALID_ARG_VALUE',
        `sync must be 'data' or 'full', got ${String(o.sync)}`,
      );
  }
  if (checkBool('noFollow', o.noFollow)) flags |= O.O_NOFOLLOW;
  let mode = 0;
  if (kind === 'create') {
    mode = o.mode === undefined ? 0o666 : checkInt('mode', o.mode, 0, 0o7777);
    const exclusive = o.exclusive === undefined ? true : checkBool('exclusive', o.exclusive);
    const truncate = o.truncate === undefined ? true : checkBool('truncate', o.truncate);
    if (exclusive) flags |= O.O_EXCL;
    else if (truncate) flags |= O.O_TRUNC;
  } else if (checkBool('truncate', o.truncate)) {
    if (kind === 'read')
      throw invalidArg(
        'ERR_INVALID_ARG_VALUE',
        'truncate needs a writable open; openReadOnly cannot truncate',
      );
    flags |= O.O_TRUNC;
  }
  const signal = checkSignal(o.signal, 'openat');
  return {
    path: p,
    flags,
    mode,
    readable: kind === 'read' || kind === 'readWrite' || kind === 'create',
    writable: kind !== 'read',
    append: kind === 'append',
    direct,
    signal,
  };
}

/** Refuses a non-AbortSignal and an already aborted one (`ERR_ABORTED`). */
export function checkSignal(signal: unknown, syscall: string): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal))
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'signal must be an AbortSignal');
  if (signal.aborted) throw abortError(signal, syscall);
  return signal;
}

/** Parsed read/write options. */
export interface IoOptions {
  /** Absolute offset, or −1 for the cursor. */
  offset: number;
  /** Byte cap (Infinity when none). */
  max: number;
  /** EINTR retries allowed (Infinity: unlimited). */
  retries: number;
  /** Abort signal, not yet aborted. */
  signal: AbortSignal | undefined;
}

// One scratch result: callers copy the fields out at once, so a call with
// good options allocates nothing.
const parsed: IoOptions = { offset: -1, max: 0, retries: 0, signal: undefined };

/** Checks read/write options (unknown keys refused) into a shared scratch object. */
export function ioOptions(
  options:
    | { offset?: unknown; maxBytes?: unknown; retryOnInterrupt?: unknown; signal?: unknown }
    | undefined,
  allowed: readonly string[],
  what: string,
): IoOptions {
  parsed.offset = -1;
  parsed.max = Number.POSITIVE_INFINITY;
  parsed.retries = Number.POSITIVE_INFINITY;
  parsed.signal = undefined;
  if (options === undefined) return parsed;
  if (typeof options !== 'object' || options === null) checkOptions(options, allowed, what);
  for (const key in options) if (!allowed.includes(key)) checkOptions(options, allowed, what);
  if (options.offset !== undefined) parsed.offset = checkOffset(options.offset)!;
  if (options.maxBytes !== undefined)
    parsed.max = checkInt('maxBytes', options.maxBytes, 0, Number.MAX_SAFE_INTEGER);
  if (options.retryOnInterrupt !== undefined)
    parsed.retries = retryLimit(options.retryOnInterrupt as boolean | number);
  if (options.signal !== undefined) parsed.signal = checkSignal(options.signal, what);
  return parsed;
}

/** `EBADF` for an operation on a closed handle. */
export function closedError(op: string, path: string): IoError {
  return new IoError({
    code: 'EBADF',
    errno: E.EBADF,
    syscall: op,
    engine: 'uring',
    path,
    message: `EBADF: cannot ${op} '${path}': the file handle is closed`,
  });
}

/** `EBADF` for reading a write-only handle or writing a read-only one. */
export function directionError(op: string, path: string, need: 'reading' | 'writing'): IoError {
  return new IoError({
    code: 'EBADF',
    errno: E.EBADF,
    syscall: op,
    engine: 'uring',
    path,
    message: `EBADF: cannot ${op} '${path}': the file was not opened for ${need}`,
  });
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
