import { readFileSync } from 'node:fs';
import { ioctlPtr, statx } from '../libc/file-calls.js';
import { lastErrno } from '../libc/lib.js';
import { AT, BLK, S_IF, STATX } from '../linux/file-constants.js';
import { decodeStatx, STATX_LAYOUT, type StatxInfo } from '../linux/file-layouts.js';
import { callAsync } from './async-call.js';
import type { DirectAlignment } from './direct.js';
import { syscallError } from './errors.js';

/** What the engine asks `statx` for: the basic stats and the O_DIRECT alignment. */
export const STATX_MASK = STATX.STATX_BASIC_STATS | STATX.STATX_BTIME | STATX.STATX_DIOALIGN;

// Sync mode runs on the JS thread only, so one scratch struct serves every call.
const scratch = new Uint8Array(STATX_LAYOUT.size);
const u64 = new BigUint64Array(1);
const i32 = new Int32Array(1);

/** `statx` on an open descriptor (`AT_EMPTY_PATH`), on the JS thread. */
export function statxSync(fd: number, path: string): StatxInfo {
  if (statx(fd, '', AT.AT_EMPTY_PATH, STATX_MASK, scratch) < 0)
    throw syscallError(lastErrno(), 'statx', path, 0);
  return decodeStatx(scratch);
}

/** `statx` on an open descriptor, on the thread pool. */
export function statxAsync(fd: number, path: string): Promise<StatxInfo> {
  const buf = new Uint8Array(STATX_LAYOUT.size);
  return new Promise((resolve, reject) => {
    callAsync(statx, [fd, '', AT.AT_EMPTY_PATH, STATX_MASK, buf], (err, r, errno) => {
      if (err) reject(err);
      else if (r < 0) reject(syscallError(errno, 'statx', path, 0));
      else resolve(decodeStatx(buf));
    });
  });
}

/** True for a block device. */
export function isBlockDevice(info: StatxInfo): boolean {
  return (info.mode & S_IF.S_IFMT) === S_IF.S_IFBLK;
}

/**
 * Size of a file in bytes; for a block device (whose `st_size` is 0) the
 * device size from `BLKGETSIZE64`. The ioctl reads a number the kernel
 * keeps in memory, so it runs on the JS thread in both modes.
 */
export function sizeOf(info: StatxInfo, fd: number, path: string): number {
  if (!isBlockDevice(info)) return info.size;
  if (ioctlPtr(fd, BLK.BLKGETSIZE64, u64) < 0)
    throw syscallError(lastErrno(), 'ioctl(BLKGETSIZE64)', path, 0);
  return Number(u64[0]);
}

/** The logical block size of a block device (`BLKSSZGET`). */
export function logicalBlockSize(fd: number, path: string): number {
  if (ioctlPtr(fd, BLK.BLKSSZGET, i32) < 0)
    throw syscallError(lastErrno(), 'ioctl(BLKSSZGET)', path, 0);
  return i32[0]!;
}

/** The logical block size of the device holding a file, from sysfs; undefined when there is none (tmpfs). */
function sysfsBlockSize(info: StatxInfo): number | undefined {
  const dev = `/sys/dev/block/${info.dev.major}:${info.dev.minor}`;
  // A partition has no queue/ of its own: its disk's is one level up.
  for (const p of [`${dev}/queue/logical_block_size`, `${dev}/../queue/logical_block_size`]) {
    try {
      const n = Number(readFileSync(p, 'utf8').trim());
      if (Number.isInteger(n) && n > 0) return n;
    } catch {
      // Not there: try the next place.
    }
  }
  return undefined;
}

/**
 * The `O_DIRECT` alignment of an open file: `STATX_DIOALIGN` where the file
 * system reports it, `BLKSSZGET` for a block device, else the device's
 * logical block size from sysfs, else a page (4096) — strict, never wrong.
 */
export function directAlignment(info: StatxInfo, fd: number, path: string): DirectAlignment {
  if (isBlockDevice(info)) {
    const lbs = logicalBlockSize(fd, path);
    return { memory: info.dioMemAlign > 0 ? info.dioMemAlign : lbs, offset: lbs };
  }
  if ((info.mask & STATX.STATX_DIOALIGN) !== 0 && info.dioOffsetAlign > 0) {
    return { memory: Math.max(info.dioMemAlign, 1), offset: info.dioOffsetAlign };
  }
  const lbs = sysfsBlockSize(info) ?? 4096;
  return { memory: lbs, offset: lbs };
}
