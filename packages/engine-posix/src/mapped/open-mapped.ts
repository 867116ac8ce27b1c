import { checkOptions, invalidArg } from '@binio/core';
import { callAsync } from '../file/async-call.js';
import type { FileHost } from '../file/base.js';
import { syscallError } from '../file/errors.js';
import { checkPath } from '../file/open-flags.js';
import { statxSync } from '../file/stat.js';
import { close, openat } from '../libc/file-calls.js';
import { lastErrno } from '../libc/lib.js';
import { MAP_FAILED, mmap } from '../libc/memory-calls.js';
import { AT, MMAN, O } from '../linux/file-constants.js';
import { MappedFile } from './mapped-file.js';

/** Options of `openMapped`. */
export interface MapOptions {
  /** `O_NOFOLLOW`: refuse a symbolic link as the last component. */
  noFollow?: boolean;
  /** `MAP_POPULATE`: read the whole file into memory while mapping. */
  populate?: boolean;
}

const MAP_OPTION_KEYS = ['noFollow', 'populate'] as const;

interface MapRequest {
  path: string;
  flags: number;
  mapFlags: number;
}

/** Checks `openMapped`'s arguments before anything reaches the kernel. */
export function mapRequest(path: unknown, options: MapOptions | undefined): MapRequest {
  const p = checkPath(path);
  const o = checkOptions(options, MAP_OPTION_KEYS, 'openMapped');
  for (const k of MAP_OPTION_KEYS) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') {
      throw invalidArg('ERR_INVALID_ARG_TYPE', `${k} must be a boolean, got ${typeof o[k]}`);
    }
  }
  return {
    path: p,
    flags: O.O_RDONLY | O.O_CLOEXEC | (o.noFollow ? O.O_NOFOLLOW : 0),
    mapFlags: MMAN.MAP_PRIVATE | (o.populate ? MMAN.MAP_POPULATE : 0),
  };
}

function openFd(req: MapRequest): number {
  const fd = openat(AT.AT_FDCWD, req.path, req.flags, 0);
  if (fd < 0) throw syscallError(lastErrno(), 'openat', req.path, 0);
  return fd;
}

/**
 * Maps a whole file on the JS thread. The descriptor is closed right after
 * `mmap` (the mapping keeps the file), on success and on failure alike.
 */
export function openMappedSync(req: MapRequest, host: FileHost): MappedFile<'sync'> {
  const fd = openFd(req);
  try {
    const length = statxSync(fd, req.path).size;
    if (length === 0) return new MappedFile('sync', req.path, 0n, 0, host);
    const address = mmap(
      null,
      length,
      MMAN.PROT_READ | MMAN.PROT_WRITE,
      req.mapFlags,
      fd,
      0,
    ) as bigint;
    if (address === MAP_FAILED) throw syscallError(lastErrno(), 'mmap', req.path, 0);
    return new MappedFile('sync', req.path, address, length, host);
  } finally {
    close(fd);
  }
}

/**
 * Maps a whole file with the open and the `mmap` (which reads the file with
 * `populate`) on the thread pool.
 */
export async function openMappedAsync(
  req: MapRequest,
  host: FileHost,
): Promise<MappedFile<'async'>> {
  const fd = await new Promise<number>((resolve, reject) =>
    callAsync(openat, [AT.AT_FDCWD, req.path, req.flags, 0], (err, r, errno) =>
      err ? reject(err) : r < 0 ? reject(syscallError(errno, 'openat', req.path, 0)) : resolve(r),
    ),
  );
  try {
    const length = statxSync(fd, req.path).size;
    if (length === 0) return new MappedFile('async', req.path, 0n, 0, host);
    const address = await new Promise<bigint>((resolve, reject) =>
      callAsync(
        mmap,
        [null, length, MMAN.PROT_READ | MMAN.PROT_WRITE, req.mapFlags, fd, 0],
        (err, _n, errno, raw) => {
          if (err) reject(err);
          else if (raw === MAP_FAILED) reject(syscallError(errno, 'mmap', req.path, 0));
          else resolve(raw as bigint);
        },
      ),
    );
    return new MappedFile('async', req.path, address, length, host);
  } finally {
    close(fd);
  }
}
