import { AT, errnoError, STATX, STATX_LAYOUT } from '@binio/engine-posix/linux';
import type { UringCore } from '../engine/core.js';
import { Kind } from '../engine/slots.js';
import { errno, statxRaw } from '../sys/libc.js';
import { Scratch } from '../sys/memory.js';
import { Op } from '../uring/abi.js';

// statx(fd, "", AT_EMPTY_PATH) describes the descriptor itself.
const EMPTY_PATH = new Scratch(8);
const MASK = STATX.STATX_BASIC_STATS | STATX.STATX_DIOALIGN;

/**
 * One STATX operation: of the open descriptor `fd`, or of `path` relative to
 * the working directory when `path` is a NUL-terminated C string buffer.
 * Returns the filled `struct statx` (decode it with `decodeStatx`).
 */
export function statxOp(
  core: UringCore,
  fd: number,
  where: string,
  cPath?: Scratch,
): Scratch | Promise<Scratch> {
  core.require(Op.STATX);
  const out = new Scratch(STATX_LAYOUT.size);
  const pathAddr = cPath ? cPath.address : EMPTY_PATH.address;
  const dirfd = cPath ? AT.AT_FDCWD : fd;
  if (core.iopoll) {
    // An IOPOLL ring refuses STATX (EINVAL): a plain statx(2).
    return core.plain(() => {
      const rc = statxRaw(dirfd, pathAddr, cPath ? 0 : AT.AT_EMPTY_PATH, MASK, out.address);
      if (rc < 0) throw errnoError(errno(), { syscall: 'statx', engine: 'uring', path: where });
      return out;
    });
  }
  const sync = core.mode === 'sync';
  const s = core.begin(sync ? Kind.SYNC : Kind.VOID, Op.STATX, dirfd, pathAddr, MASK, out.address, [
    out,
    cPath,
  ]);
  if (s < 0) return core.later(() => statxOp(core, fd, where, cPath) as Promise<Scratch>);
  if (!cPath) core.ring.setOpFlags(core.w, AT.AT_EMPTY_PATH);
  if (sync) {
    core.finishSync(s, Number.POSITIVE_INFINITY, where);
    return out;
  }
  return core.finishAsync<void>(s, Number.POSITIVE_INFINITY, undefined, where).then(() => out);
}
