import { type Capability, IoError } from '@binio/core';
import { Op, Register, SqeFlag } from '../uring/abi.js';
import { enableRing, type RestrictionEntry, registerRestrictions } from '../uring/register.js';
import type { Ring } from '../uring/ring.js';

/** The opcodes each capability needs. Capabilities not listed need none of their own. */
const OPS_FOR: Partial<Record<Capability, readonly number[]>> = {
  'file.openReadOnly': [Op.OPENAT, Op.STATX],
  'file.openWriteOnly': [Op.OPENAT, Op.STATX],
  'file.openReadWrite': [Op.OPENAT, Op.STATX],
  'file.openAppend': [Op.OPENAT, Op.STATX],
  'file.create': [Op.OPENAT, Op.STATX],
  'file.close': [Op.CLOSE],
  'handle.reader': [Op.READ, Op.READ_FIXED],
  'handle.offsetReader': [Op.READ, Op.READ_FIXED],
  'handle.writer': [Op.WRITE, Op.WRITE_FIXED],
  'handle.offsetWriter': [Op.WRITE, Op.WRITE_FIXED],
  'handle.vectored': [Op.READV, Op.WRITEV],
  'handle.preferredBlockSize': [Op.STATX],
  'handle.notifyReadAmount': [Op.FADVISE],
  'handle.notifyWriteAmount': [Op.FALLOCATE],
  'handle.sync': [Op.FSYNC],
  // SENDMSG/RECVMSG: sendMsg/recvMsg on streams (TCP and Unix).
  'tcp.connect': [Op.CONNECT, Op.SEND, Op.RECV, Op.SHUTDOWN, Op.CLOSE, Op.SENDMSG, Op.RECVMSG],
  'tcp.listen': [Op.ACCEPT, Op.SEND, Op.RECV, Op.SHUTDOWN, Op.CLOSE, Op.SENDMSG, Op.RECVMSG],
  // socket(), bind() and close() of datagram sockets are plain calls.
  'udp.send': [Op.SENDMSG],
  'udp.recv': [Op.RECVMSG],
  'udp.batch': [Op.SENDMSG, Op.RECVMSG],
};

/**
 * What every restricted ring keeps: NOP, and ASYNC_CANCEL, without which an
 * AbortSignal or closing the engine could not stop an operation.
 */
const ALWAYS: readonly number[] = [Op.NOP, Op.ASYNC_CANCEL];

/** The opcodes a set of capabilities needs, as a 256-entry table (1 = allowed). */
export function allowedOps(caps: readonly Capability[]): Uint8Array {
  const allowed = new Uint8Array(256);
  for (const op of ALWAYS) allowed[op] = 1;
  for (const c of caps) for (const op of OPS_FOR[c] ?? []) allowed[op] = 1;
  return allowed;
}

/**
 * Applies the restrictions to a ring created disabled, then starts it: only
 * the allowed opcodes, the SQE flags binio uses, and the one register
 * operation the engine needs at run time (fixed-file updates).
 */
export function restrictAndEnable(ring: Ring, allowed: Uint8Array): void {
  const entries: RestrictionEntry[] = [];
  for (let op = 0; op < 256; op++) if (allowed[op] === 1) entries.push({ kind: 'sqeOp', op });
  entries.push({ kind: 'registerOp', op: Register.FILES_UPDATE2 });
  entries.push({
    kind: 'sqeFlagsAllowed',
    flags:
      SqeFlag.FIXED_FILE | SqeFlag.IO_LINK | SqeFlag.IO_HARDLINK | SqeFlag.ASYNC | SqeFlag.IO_DRAIN,
  });
  registerRestrictions(ring, entries);
  enableRing(ring);
}

/** Refuses capabilities the engine cannot offer at all. */
export function checkAsked(asked: readonly Capability[], offered: ReadonlySet<Capability>): void {
  const missing = asked.filter((c) => !offered.has(c));
  if (missing.length > 0) {
    throw new IoError({
      code: 'ERR_MISSING_CAPABILITY',
      engine: 'uring',
      message: `The uring engine cannot offer ${missing.map((m) => `'${m}'`).join(', ')}; it offers: ${[...offered].sort().join(', ')}`,
    });
  }
}
