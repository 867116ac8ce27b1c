import type { SocketAddress } from '@binio/core';
import { IOVEC_LAYOUT } from '../linux/file-layouts.js';
import { MMSGHDR_LAYOUT, MSGHDR_LAYOUT } from '../linux/socket-layouts.js';
import { addressOf, NativeBlock } from './memory.js';

const HDR = MMSGHDR_LAYOUT.size;
const IOV = IOVEC_LAYOUT.size;
const M = MSGHDR_LAYOUT.offsets;
const MSG_LEN = MMSGHDR_LAYOUT.offsets.msg_len;
const IOV_LEN = IOVEC_LAYOUT.offsets.iov_len;

/** The most messages one `sendmmsg`/`recvmmsg` takes (`UIO_MAXIOV`). */
export const MMSG_MAX = 1024;

/**
 * Preallocated arrays for `sendmmsg`/`recvmmsg`: `capacity` mmsghdrs, each
 * with one iovec and a name slot of `nameStride` bytes, all in one native
 * block. The pointers between them are written once; a batch only fills in
 * each buffer's address and length (and the destination for sends), so a
 * call allocates nothing. A socket keeps one and grows it when a larger
 * batch comes.
 *
 * Layout: `[mmsghdr × capacity][iovec × capacity][name × capacity]`.
 */
export class MmsgBatch {
  /** Messages the arrays hold. */
  readonly capacity: number;
  /** Bytes per name slot (32 for IP, 112 for Unix). */
  readonly nameStride: number;
  /** The memory. */
  readonly block: NativeBlock;
  /** Byte offset of the iovec array. */
  readonly iovAt: number;
  /** Byte offset of the name array. */
  readonly nameAt: number;
  /** The last destination argument a send resolved (compared by identity: strings and frozen addresses). */
  lastTo: unknown;
  /** What {@link lastTo} resolved to. */
  lastDest: SocketAddress | undefined;
  // What each slot holds now, mirrored in JS so a call rewrites only what
  // changed: the iovec, the name pointer, and the memory behind the last
  // buffer seen in the slot (its address, so a buffer reused call after
  // call costs one identity compare instead of an address lookup).
  readonly #iovAddr: Float64Array;
  readonly #iovLen: Float64Array;
  readonly #nameSlot: Int32Array;
  readonly #nameLen: Int32Array;
  readonly #slotBytes: (Uint8Array | undefined)[];
  readonly #slotBase: Float64Array;

  constructor(capacity: number, nameStride: number) {
    this.capacity = capacity;
    this.nameStride = nameStride;
    this.iovAt = capacity * HDR;
    this.nameAt = this.iovAt + capacity * IOV;
    this.block = new NativeBlock(this.nameAt + capacity * nameStride);
    this.#iovAddr = new Float64Array(capacity);
    this.#iovLen = new Float64Array(capacity);
    this.#nameSlot = new Int32Array(capacity);
    this.#nameLen = new Int32Array(capacity).fill(-1);
    this.#slotBytes = new Array(capacity).fill(undefined);
    this.#slotBase = new Float64Array(capacity);
    const base = this.block.address;
    for (let i = 0; i < capacity; i++) {
      const h = i * HDR;
      this.block.setU64(h + M.msg_name, base + this.nameAt + i * nameStride);
      this.#nameSlot[i] = i;
      this.block.setU64(h + M.msg_iov, base + this.iovAt + i * IOV);
      this.block.setU64(h + M.msg_iovlen, 1);
    }
  }

  /** A batch that holds `n` messages: `current` if big enough, else a larger one. */
  static ensure(current: MmsgBatch | undefined, n: number, nameStride: number): MmsgBatch {
    if (current !== undefined && current.capacity >= n && current.nameStride === nameStride)
      return current;
    const grown = Math.min(MMSG_MAX, Math.max(n, 2 * (current?.capacity ?? 0), 16));
    return new MmsgBatch(grown, nameStride);
  }

  /** Byte offset of message `i`'s header. */
  header(i: number): number {
    return i * HDR;
  }

  /** Byte offset of message `i`'s name slot. */
  name(i: number): number {
    return this.nameAt + i * this.nameStride;
  }

  /** Points message `i`'s iovec at `length` bytes at native `address`. */
  setBuffer(i: number, address: number, length: number): void {
    if (this.#iovAddr[i] === address && this.#iovLen[i] === length) return;
    this.#iovAddr[i] = address;
    this.#iovLen[i] = length;
    const b = this.block;
    const v = this.iovAt + i * IOV;
    b.setU64(v, address);
    b.setU64(v + IOV_LEN, length);
  }

  /**
   * Points message `i`'s iovec at `length` bytes from `offset` in `bytes`
   * (which must stay alive and lent while the call runs).
   */
  setBytes(i: number, bytes: Uint8Array, offset: number, length: number): void {
    let base: number;
    if (this.#slotBytes[i] === bytes) base = this.#slotBase[i]!;
    else {
      base = addressOf(bytes);
      this.#slotBytes[i] = bytes;
      this.#slotBase[i] = base;
    }
    this.setBuffer(i, length === 0 ? 0 : base + offset, length);
  }

  /** Sets message `i`'s name pointer (to slot `slot`, or none) and length. */
  setName(i: number, slot: number, length: number): void {
    const h = i * HDR;
    if (this.#nameSlot[i] !== slot) {
      this.#nameSlot[i] = slot;
      this.block.setU64(
        h + M.msg_name,
        slot < 0 ? 0 : this.block.address + this.nameAt + slot * this.nameStride,
      );
    }
    if (this.#nameLen[i] !== length) {
      this.#nameLen[i] = length;
      this.block.u32[(h + M.msg_namelen) >>> 2] = length;
    }
  }

  /** After a receive: the kernel rewrote the name lengths of the first `count` messages. */
  namesReceived(count: number): void {
    for (let i = 0; i < count; i++) this.#nameLen[i] = -1;
  }

  /** `msg_len` of message `i` after the call. */
  length(i: number): number {
    return this.block.u32[(i * HDR + MSG_LEN) >>> 2]!;
  }

  /** `msg_namelen` of message `i` after a receive. */
  nameLength(i: number): number {
    return this.block.u32[(i * HDR + M.msg_namelen) >>> 2]!;
  }

  /** `msg_flags` of message `i` after a receive. */
  flags(i: number): number {
    return this.block.i32[(i * HDR + M.msg_flags) >>> 2]!;
  }
}
