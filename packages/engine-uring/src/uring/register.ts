import { errnoError, IOVEC_LAYOUT } from '@binio/engine-posix/linux';
import { errno, ioUringRegister } from '../sys/libc.js';
import { addressOf, Scratch } from '../sys/memory.js';
import { IO_URING_OP_SUPPORTED, Register, Restriction } from './abi.js';
import {
  BUF_REG,
  PROBE,
  PROBE_OP,
  RESTRICTION,
  RSRC_REGISTER,
  RSRC_UPDATE,
  RSRC_UPDATE2,
} from './layout.js';
import type { Ring } from './ring.js';

/*
 * io_uring_register(2) calls: each builds its argument in native memory,
 * makes one call and turns a failure into an IoError naming the opcode.
 */

const REGISTER_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(Register).map(([k, v]) => [v, `io_uring_register(${k})`]),
);

function register(ring: Ring, opcode: number, arg: number, nr: number): number {
  const r = ioUringRegister(ring.fd, opcode, arg, nr);
  if (r < 0)
    throw errnoError(errno(), {
      syscall: REGISTER_NAMES[opcode] ?? 'io_uring_register',
      engine: 'uring',
    });
  return r;
}

const PROBE_OPS = 256;

/**
 * The opcodes the running kernel supports (`IORING_REGISTER_PROBE`): entry
 * `op` is 1 when supported.
 */
export function probeOps(ring: Ring): Uint8Array {
  const buf = new Scratch(PROBE.size + PROBE_OPS * PROBE_OP.size);
  register(ring, Register.PROBE, buf.address, PROBE_OPS);
  const out = new Uint8Array(PROBE_OPS);
  const len = buf.view.getUint8(PROBE.opsLen);
  for (let i = 0; i < len; i++) {
    const at = PROBE.ops + i * PROBE_OP.size;
    const flags = buf.view.getUint16(at + PROBE_OP.flags, true);
    if (flags & IO_URING_OP_SUPPORTED) out[buf.view.getUint8(at + PROBE_OP.op)] = 1;
  }
  return out;
}

/**
 * Registers the ring's own descriptor with the calling thread's io_uring
 * context (`IORING_REGISTER_RING_FDS`, Linux 5.18): `io_uring_enter` can
 * then name the ring by the returned index with
 * `IORING_ENTER_REGISTERED_RING` and skip looking the descriptor up (and
 * counting a reference on it) on every enter. The index is the thread's
 * (binio enters only from the thread that made the ring). Returns
 * undefined when the kernel refuses (older kernels, a full table).
 */
export function registerRingFd(ring: Ring): number | undefined {
  const arg = new Scratch(RSRC_UPDATE.size);
  arg.view.setUint32(RSRC_UPDATE.offset, 0xffffffff, true); // any free index
  arg.view.setBigUint64(RSRC_UPDATE.data, BigInt(ring.fd), true);
  if (ioUringRegister(ring.fd, Register.RING_FDS, arg.address, 1) !== 1) return undefined;
  return arg.view.getUint32(RSRC_UPDATE.offset, true);
}

/** Undoes {@link registerRingFd} (`IORING_UNREGISTER_RING_FDS`); the ring stays alive while registered. */
export function unregisterRingFd(ring: Ring, index: number): void {
  const arg = new Scratch(RSRC_UPDATE.size);
  arg.view.setUint32(RSRC_UPDATE.offset, index, true);
  register(ring, Register.UNREGISTER_RING_FDS, arg.address, 1);
}

/** Has the kernel signal `efd` when completions are posted (`IORING_REGISTER_EVENTFD`). */
export function registerEventfd(ring: Ring, efd: number): void {
  const arg = new Scratch(4);
  arg.view.setInt32(0, efd, true);
  register(ring, Register.EVENTFD, arg.address, 1);
}

/**
 * Registers fixed buffers (`IORING_REGISTER_BUFFERS`): one iovec per buffer,
 * so buffer `i` is `buf_index` `i`. The kernel pins the pages until the
 * ring closes or they are unregistered.
 */
export function registerBuffers(ring: Ring, buffers: readonly Uint8Array[]): void {
  const iov = new Scratch(buffers.length * IOVEC_LAYOUT.size);
  for (let i = 0; i < buffers.length; i++) {
    const b = buffers[i]!;
    iov.view.setBigUint64(
      i * IOVEC_LAYOUT.size + IOVEC_LAYOUT.offsets.iov_base,
      BigInt(addressOf(b)),
      true,
    );
    iov.view.setBigUint64(
      i * IOVEC_LAYOUT.size + IOVEC_LAYOUT.offsets.iov_len,
      BigInt(b.byteLength),
      true,
    );
  }
  register(ring, Register.BUFFERS, iov.address, buffers.length);
}

/** Registers a sparse table of `count` fixed-file slots (`IORING_REGISTER_FILES2`). */
export function registerSparseFiles(ring: Ring, count: number): void {
  const arg = new Scratch(RSRC_REGISTER.size);
  arg.view.setUint32(RSRC_REGISTER.nr, count, true);
  arg.view.setUint32(RSRC_REGISTER.flags, 1 /* IORING_RSRC_REGISTER_SPARSE */, true);
  register(ring, Register.FILES2, arg.address, RSRC_REGISTER.size);
}

/** Puts `fd` in fixed-file slot `slot` (−1 empties it) (`IORING_REGISTER_FILES_UPDATE2`). */
export function updateFile(ring: Ring, slot: number, fd: number): void {
  const fds = new Scratch(4);
  fds.view.setInt32(0, fd, true);
  const arg = new Scratch(RSRC_UPDATE2.size);
  arg.view.setUint32(RSRC_UPDATE2.offset, slot, true);
  arg.view.setBigUint64(RSRC_UPDATE2.data, BigInt(fds.address), true);
  arg.view.setUint32(RSRC_UPDATE2.nr, 1, true);
  register(ring, Register.FILES_UPDATE2, arg.address, RSRC_UPDATE2.size);
}

/** One restriction: which opcodes and SQE flags a ring accepts. */
export type RestrictionEntry =
  | { kind: 'sqeOp'; op: number }
  | { kind: 'registerOp'; op: number }
  | { kind: 'sqeFlagsAllowed'; flags: number }
  | { kind: 'sqeFlagsRequired'; flags: number };

/**
 * Installs restrictions (`IORING_REGISTER_RESTRICTIONS`) on a ring created
 * disabled (`IORING_SETUP_R_DISABLED`); {@link enableRing} then starts it.
 * Anything not listed is refused by the kernel with EACCES from then on.
 */
export function registerRestrictions(ring: Ring, entries: readonly RestrictionEntry[]): void {
  const buf = new Scratch(entries.length * RESTRICTION.size);
  entries.forEach((e, i) => {
    const at = i * RESTRICTION.size;
    const code =
      e.kind === 'sqeOp'
        ? Restriction.SQE_OP
        : e.kind === 'registerOp'
          ? Restriction.REGISTER_OP
          : e.kind === 'sqeFlagsAllowed'
            ? Restriction.SQE_FLAGS_ALLOWED
            : Restriction.SQE_FLAGS_REQUIRED;
    buf.view.setUint16(at + RESTRICTION.opcode, code, true);
    buf.view.setUint8(at + RESTRICTION.arg, 'op' in e ? e.op : e.flags);
  });
  register(ring, Register.RESTRICTIONS, buf.address, entries.length);
}

/** Starts a ring created with `IORING_SETUP_R_DISABLED`. */
export function enableRing(ring: Ring): void {
  register(ring, Register.ENABLE_RINGS, 0, 0);
}

/**
 * Registers a provided-buffer ring (`IORING_REGISTER_PBUF_RING`): `entries`
 * (a power of two) `struct io_uring_buf` at `ringAddr` (page-aligned memory
 * the caller keeps alive), as buffer group `bgid`.
 */
export function registerBufRing(ring: Ring, ringAddr: number, entries: number, bgid: number): void {
  const reg = new Scratch(BUF_REG.size);
  reg.view.setBigUint64(BUF_REG.ringAddr, BigInt(ringAddr), true);
  reg.view.setUint32(BUF_REG.ringEntries, entries, true);
  reg.view.setUint16(BUF_REG.bgid, bgid, true);
  register(ring, Register.PBUF_RING, reg.address, 1);
}

/** Unregisters buffer group `bgid` (`IORING_UNREGISTER_PBUF_RING`). */
export function unregisterBufRing(ring: Ring, bgid: number): void {
  const reg = new Scratch(BUF_REG.size);
  reg.view.setUint16(BUF_REG.bgid, bgid, true);
  register(ring, Register.UNREGISTER_PBUF_RING, reg.address, 1);
}
