import { koffi } from '../libc/lib.js';

/**
 * Native addresses of JS memory, for structs the kernel reads pointers from
 * (`iov_base`, `msg_name`, `msg_control`). An ArrayBuffer's backing store
 * never moves once it is off the V8 heap (taking its address moves a small
 * on-heap typed array off it for good), so the base address of each
 * ArrayBuffer is looked up once and cached: a batch of 64 buffers cut from
 * one pool costs one compare each instead of 64 native calls.
 */

const bases = new WeakMap<ArrayBufferLike, number>();
// One-entry cache in front of the WeakMap: batches usually come from one block.
let lastBuffer: ArrayBufferLike | undefined;
let lastBase = 0;

/** The native address of `bytes[0]`, as a number (addresses fit in 53 bits on x86_64). */
export function addressOf(bytes: Uint8Array): number {
  const buffer = bytes.buffer;
  if (buffer === lastBuffer) return lastBase + bytes.byteOffset;
  let base = bases.get(buffer);
  if (base === undefined) {
    base = Number(koffi.address(bytes)) - bytes.byteOffset;
    bases.set(buffer, base);
  }
  lastBuffer = buffer;
  lastBase = base;
  return base + bytes.byteOffset;
}

/**
 * Memory whose address the kernel may keep between calls of one operation:
 * an ArrayBuffer (off the V8 heap, moved by nothing, freed by the GC once
 * unreferenced), with its address and views for filling structs.
 */
export class NativeBlock {
  /** The bytes. */
  readonly bytes: Uint8Array;
  /** 32-bit view (struct fields are 4-byte aligned). */
  readonly u32: Uint32Array;
  /** Signed 32-bit view. */
  readonly i32: Int32Array;
  /** Byte-granular view for unaligned fields (ports in network order). */
  readonly view: DataView;
  /** Native address of byte 0. */
  readonly address: number;

  /** A zeroed block of `size` bytes (rounded up to 8). */
  constructor(size: number) {
    const buffer = new ArrayBuffer((size + 7) & ~7);
    this.bytes = new Uint8Array(buffer);
    this.u32 = new Uint32Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.view = new DataView(buffer);
    this.address = addressOf(this.bytes);
  }

  /** Writes a 64-bit pointer or size at byte `offset` (8-aligned). */
  setU64(offset: number, value: number): void {
    const i = offset >>> 2;
    this.u32[i] = value >>> 0;
    this.u32[i + 1] = (value / 4294967296) >>> 0;
  }

  /** Reads a 64-bit size at byte `offset` (8-aligned), exact up to 2^53. */
  getU64(offset: number): number {
    const i = offset >>> 2;
    return this.u32[i]! + this.u32[i + 1]! * 4294967296;
  }
}
