import {
  CREATE_OPTION_KEYS,
  type CreateOptions,
  checkInt,
  checkOptions,
  invalidArg,
  OPEN_OPTION_KEYS,
  type OpenOptions,
} from '@binio/core';
import { O } from '../linux/file-constants.js';

/** The four ways to open an existing file, plus create. */
export type OpenKind = 'read' | 'write' | 'readWrite' | 'append' | 'create';

/** What an open asks of the kernel, checked before it is asked. */
export interface OpenRequest {
  /** The path, free of NUL bytes. */
  path: string;
  /** `open(2)` flags, `O_CLOEXEC` always included. */
  flags: number;
  /** Permission bits for a created file. */
  mode: number;
  /** The handle may read. */
  readable: boolean;
  /** The handle may write. */
  writable: boolean;
  /** Every write goes to the end (`O_APPEND`). */
  append: boolean;
  /** `O_DIRECT`: buffers, offsets and lengths must be aligned. */
  direct: boolean;
  /** Abort signal (async opens). */
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

/** Refuses a non-string path and a path with a NUL byte (the C string would end early). */
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

/**
 * Turns an open call into `open(2)` arguments, refusing anything wrong
 * before the kernel sees it: unknown options, wrong types, `truncate` on a
 * read-only open (Linux would truncate anyway), mode bits beyond 0o7777.
 */
export function openRequest(
  kind: OpenKind,
  path: unknown,
  options: CreateOptions | OpenOptions | undefined,
): OpenRequest {
  const p = checkPath(path);
  const keys = kind === 'create' ? CREATE_OPTION_KEYS : OPEN_OPTION_KEYS;
  const o = checkOptions(
    options as CreateOptions | undefined,
    keys,
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
    if (kind === 'read') {
      throw invalidArg(
        'ERR_INVALID_ARG_VALUE',
        'truncate needs a writable open; openReadOnly cannot truncate',
      );
    }
    flags |= O.O_TRUNC;
  }
  const signal = o.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'signal must be an AbortSignal');
  }
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
