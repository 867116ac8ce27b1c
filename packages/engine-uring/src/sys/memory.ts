import { invalidArg } from '@binio/core';
import { bufferAddress } from './libc.js';

// ArrayBuffer memory never moves once allocated off the V8 heap, so its
// address is computed once (one native call) and found again by a WeakMap
// lookup: passing a caller's buffer to the kernel costs no native call.
const addresses = new WeakMap<ArrayBufferLike, number>();

/**
 * The address of the first byte of `bytes`. Reading `.buffer` first moves a
 * small on-heap typed array's memory off the heap for good, so the address
 * stays valid for as long as the buffer is alive (the engine keeps a
 * reference to every buffer an operation holds).
 */
export function addressOf(bytes: Uint8Array): number {
  const ab = bytes.buffer;
  let base = addresses.get(ab);
  if (base === undefined) {
    base = bufferAddress(ab);
    addresses.set(ab, base);
  }
  return base + bytes.byteOffset;
}

/**
 * `size` bytes whose address is a multiple of `alignment` (a power of two),
 * cut from a slightly larger JavaScript ArrayBuffer. Garbage-collected memory
 * rather than mmap: no view can outlive it, so no use-after-free is possible
 * from JavaScript, and V8 accounts for it.
 */
export function alignedBytes(size: number, alignment: number): Uint8Array {
  if (!Number.isInteger(alignment) || alignment < 1 || (alignment & (alignment - 1)) !== 0) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', `alignment must be a power of two, got ${alignment}`);
  }
  const raw = new Uint8Array(new ArrayBuffer(size + alignment));
  const addr = addressOf(raw);
  const skip = (alignment - (addr % alignment)) % alignment;
  return raw.subarray(skip, skip + size);
}

/** Native memory for small control structures (params, iovecs, timespecs): 8-aligned, with its address. */
export class Scratch {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly address: number;

  constructor(size: number) {
    this.bytes = alignedBytes(size, 64);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, size);
    this.address = addressOf(this.bytes);
  }
}
