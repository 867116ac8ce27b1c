import { CALLER, Tracked, ownershipError } from './ownership.js';
import { checkBytes, checkInt } from './check.js';
import type { ContiguousIoBuffer } from './types.js';

/**
 * The proposal's `OutputRawSpan`: memory of a fixed capacity of which the
 * first {@link initialized} bytes hold data. Reads append to it (into
 * {@link free}) and {@link commit} what they filled, so a partial read needs
 * no bookkeeping by the caller and a loop that fills it knows where it is.
 */
export class OutputBuffer extends Tracked implements ContiguousIoBuffer {
  /** @internal The memory; engines read it through lend helpers. */
  _bytes: Uint8Array;
  /** @internal Bytes initialized so far. */
  _count = 0;

  /** Wraps `bytes` (no copy); nothing is initialized yet. */
  constructor(bytes: Uint8Array) {
    super();
    this._bytes = checkBytes('bytes', bytes);
  }

  /** A new zeroed buffer of `capacity` bytes on the JS heap. */
  static alloc(capacity: number): OutputBuffer {
    return new OutputBuffer(new Uint8Array(checkInt('capacity', capacity, 0, 2 ** 32)));
  }

  /** The whole memory, initialized or not. */
  get bytes(): Uint8Array {
    if (this._state !== CALLER) throw ownershipError(this._state, 'access');
    return this._bytes;
  }

  /** Capacity in bytes. */
  get byteLength(): number {
    return this._bytes.byteLength;
  }

  /** Capacity in bytes (same as {@link byteLength}). */
  get capacity(): number {
    return this._bytes.byteLength;
  }

  /** Number of bytes that hold data. */
  get initialized(): number {
    return this._count;
  }

  /** Bytes still free at the end. */
  get freeCapacity(): number {
    return this._bytes.byteLength - this._count;
  }

  /** True when no free capacity is left. */
  get isFull(): boolean {
    return this._count === this._bytes.byteLength;
  }

  /** View of the initialized bytes (no copy). */
  get filled(): Uint8Array {
    if (this._state !== CALLER) throw ownershipError(this._state, 'read');
    return this._bytes.subarray(0, this._count);
  }

  /** View of the free bytes after the initialized ones (no copy). */
  get free(): Uint8Array {
    if (this._state !== CALLER) throw ownershipError(this._state, 'write');
    return this._bytes.subarray(this._count);
  }

  /** Marks `n` more bytes, just written into {@link free}, as initialized. */
  commit(n: number): void {
    if (this._state !== CALLER) throw ownershipError(this._state, 'commit');
    checkInt('n', n, 0, this._bytes.byteLength - this._count);
    this._count += n;
  }

  /** Copies `data` into the free space and commits it; throws if it does not fit. */
  append(data: Uint8Array): this {
    const free = this.free;
    checkInt('data.byteLength', data.byteLength, 0, free.byteLength);
    free.set(data);
    this._count += data.byteLength;
    return this;
  }

  /** Forgets the data (initialized count back to 0); the memory is kept. */
  reset(): void {
    if (this._state !== CALLER) throw ownershipError(this._state, 'reset');
    this._count = 0;
  }
}
