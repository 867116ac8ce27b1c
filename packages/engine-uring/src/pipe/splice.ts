import {
  checkInt,
  checkOffset,
  checkOptions,
  IoError,
  invalidArg,
  type Ret,
  type RetryOnInterrupt,
  retryLimit,
} from '@binio/core';
import { checkSignal, directionError } from '@binio/engine-posix/file';
import { E, SPLICE_F } from '@binio/engine-posix/linux';
import type { UringCore } from '../engine/core.js';
import { Kind } from '../engine/slots.js';
import { UringFile } from '../file/file.js';
import { Op } from '../uring/abi.js';
import { SQE } from '../uring/layout.js';

/*
 * SPLICE and TEE through the ring: bytes move between descriptors inside
 * the kernel (one side must be a pipe), never through JavaScript memory, so
 * there is no buffer to lend or settle. Every argument is checked before an
 * SQE is taken, so refused input leaves nothing on the ring.
 */

/** One side of a splice: a handle with a descriptor (file, stream, …) or a raw descriptor (a pipe end). */
export type SpliceEnd = number | { readonly fd: number };

/** Options of {@link splice} and {@link tee}. */
export interface SpliceOptions {
  /** SPLICE_F_MORE: more data follows (a socket may wait to fill a segment). */
  more?: boolean;
  /** Retry after EINTR: `true` (default), `false`, or a retry count. */
  retryOnInterrupt?: RetryOnInterrupt;
  /** Cancels the operation (async engines). */
  signal?: AbortSignal;
}

const KEYS = ['more', 'retryOnInterrupt', 'signal'] as const;
/** `len` is 32 bits in the SQE; the kernel moves at most MAX_RW_COUNT at once anyway. */
const MAX_LEN = 0x7ffff000;
const ALL_ONES = 0xffffffff;

interface Checked {
  fdIn: number;
  fdOut: number;
  len: number;
  flags: number;
  retries: number;
  signal: AbortSignal | undefined;
  where: string;
}

function endFd(end: SpliceEnd, role: 'from' | 'to', op: string): { fd: number; name: string } {
  if (typeof end === 'number') {
    if (!Number.isInteger(end) || end < 0 || end > 0x7fffffff) {
      throw invalidArg(
        'ERR_INVALID_ARG_VALUE',
        `${op}: '${role}' must be a descriptor (a non-negative integer), got ${end}`,
      );
    }
    return { fd: end, name: `fd ${end}` };
  }
  if (end === null || typeof end !== 'object' || typeof (end as { fd?: unknown }).fd !== 'number') {
    throw invalidArg(
      'ERR_INVALID_ARG_TYPE',
      `${op}: '${role}' must be a descriptor or a handle with one (file, stream)`,
    );
  }
  const name = end instanceof UringFile ? end.path : `fd ${end.fd}`;
  if (end.fd < 0) {
    throw new IoError({
      code: 'EBADF',
      errno: E.EBADF,
      syscall: op,
      engine: 'uring',
      message: `EBADF: cannot ${op}: the '${role}' handle is closed`,
    });
  }
  if (end instanceof UringFile) {
    const need = role === 'from' ? 'handle.reader' : 'handle.writer';
    if (!end.capabilities.has(need)) {
      throw directionError(op, end.path, role === 'from' ? 'reading' : 'writing', 'uring');
    }
  }
  return { fd: end.fd, name };
}

function check(
  op: 'splice' | 'tee',
  from: SpliceEnd,
  to: SpliceEnd,
  length: unknown,
  options: SpliceOptions | undefined,
): Checked {
  const o = checkOptions(options, KEYS, op);
  const a = endFd(from, 'from', op);
  const b = endFd(to, 'to', op);
  const len = checkInt('length', length, 0, MAX_LEN);
  if (o.more !== undefined && typeof o.more !== 'boolean') {
    throw invalidArg('ERR_INVALID_ARG_TYPE', `${op}: 'more' must be a boolean`);
  }
  return {
    fdIn: a.fd,
    fdOut: b.fd,
    len,
    flags: SPLICE_F.SPLICE_F_MOVE | (o.more ? SPLICE_F.SPLICE_F_MORE : 0),
    retries: retryLimit(o.retryOnInterrupt),
    signal: checkSignal(o.signal, op),
    where: `${a.name} → ${b.name}`,
  };
}

/** −1 (no offset: the pipe, or the descriptor's position) or a checked offset. */
function offsetOf(offset: number | undefined | null): number {
  return offset === undefined || offset === null ? -1 : checkOffset(offset)!;
}

function submit(
  core: UringCore,
  op: number,
  c: Checked,
  offIn: number,
  offOut: number,
): number | Promise<number> {
  const sync = core.mode === 'sync';
  const s = core.begin(sync ? Kind.SYNC : Kind.VALUE, op, c.fdOut, 0, c.len, offOut, undefined);
  if (s < 0) {
    if (sync) {
      throw new IoError({
        code: 'EBUSY',
        engine: 'uring',
        message: 'EBUSY: no free slot in the sync engine',
      });
    }
    return core.later(() => submit(core, op, c, offIn, offOut) as Promise<number>);
  }
  const ring = core.ring;
  const w = core.w;
  // splice_off_in shares `addr`; −1 (all ones) means "no offset".
  const at = w + SQE.addr / 4;
  ring.sqe32[at] = offIn < 0 ? ALL_ONES : offIn >>> 0;
  ring.sqe32[at + 1] = offIn < 0 ? ALL_ONES : (offIn / 4294967296) >>> 0;
  ring.setSpliceFdIn(w, c.fdIn);
  ring.setOpFlags(w, c.flags);
  if (sync) return core.finishSync(s, c.retries, c.where);
  return core.finishAsync<number>(s, c.retries, c.signal, c.where);
}

/**
 * IORING_OP_SPLICE: moves up to `length` bytes from `from` to `to`, one of
 * which must be a pipe; returns the bytes moved (0: end of input). An offset
 * is for a file side (pread/pwrite-like, the position is untouched);
 * `undefined` uses the descriptor as it is (required for a pipe).
 */
export function splice<M extends 'sync' | 'async'>(
  core: UringCore,
  from: SpliceEnd,
  fromOffset: number | undefined | null,
  to: SpliceEnd,
  toOffset: number | undefined | null,
  length: number,
  options?: SpliceOptions,
): Ret<M, number> {
  core.assertOpen('splice');
  core.require(Op.SPLICE);
  const c = check('splice', from, to, length, options);
  const offIn = offsetOf(fromOffset);
  const offOut = offsetOf(toOffset);
  if (c.len === 0) return (core.mode === 'sync' ? 0 : Promise.resolve(0)) as Ret<M, number>;
  return submit(core, Op.SPLICE, c, offIn, offOut) as Ret<M, number>;
}

/**
 * IORING_OP_TEE: duplicates up to `length` bytes from pipe `from` into pipe
 * `to` without consuming them from `from`; returns the bytes duplicated.
 */
export function tee<M extends 'sync' | 'async'>(
  core: UringCore,
  from: SpliceEnd,
  to: SpliceEnd,
  length: number,
  options?: SpliceOptions,
): Ret<M, number> {
  core.assertOpen('tee');
  core.require(Op.TEE);
  const c = check('tee', from, to, length, options);
  if (c.len === 0) return (core.mode === 'sync' ? 0 : Promise.resolve(0)) as Ret<M, number>;
  // TEE has no offsets: both `off` and `splice_off_in` stay 0.
  return submit(core, Op.TEE, c, 0, 0) as Ret<M, number>;
}
