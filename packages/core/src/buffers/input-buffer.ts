import { CALLER, Tracked, ownershipError } from './ownership.js';
import { checkBytes, checkInt } from './check.js';
import type { ContiguousIoBuffer } from './types.js';
import type { OutputBuffer } from './output-buffer.js';

/**
 * The proposal's `InputSpan`: bytes to be written, with a cursor over what a
 * write has consumed. `write` consumes what the kernel took, so a loop that
 * writes everything needs no slicing.
 */
export class InputBuffer extends Tracked implements ContiguousIoBuffer {
  /** @internal */
  _bytes: Uint8Array;
  /** @internal Bytes consumed so far. */
  _pos = 0;

  /** Wraps `bytes` (no copy); nothing is consumed yet. */
  constructor(bytes: Uint8Array) {
    super();
    this._bytes = checkBytes('bytes', bytes);
  }

  /** An input over the initialized bytes of `out` (no copy). */
  static of(out: OutputBuffer): InputBuffer {
    return new InputBuffer(out.filled);
  }

  /** All the bytes, consumed or not. */
  get bytes(): Uint8Array {
    if (this._state !== CALLER) throw ownershipError(this._state, 'access');
    return this._bytes;
  }

  /** Total size in bytes. */
  get byteLength(): number {
    return this._bytes.byteLength;
  }

  /** Bytes consumed so far. */
  get consumed(): number {
    return this._pos;
  }

  /** Bytes left to write. */
  get remaining(): number {
    return this._bytes.byteLength - this._pos;
  }

  /** True when everything was consumed. */
  get isEmpty(): boolean {
    return this._pos === this._bytes.byteLength;
  }

  /** View of the bytes not yet consumed (no copy). */
  get unconsumed(): Uint8Array {
    if (this._state !== CALLER) throw ownershipError(this._state, 'read');
    return this._bytes.subarray(this._pos);
  }

  /** Marks `n` more bytes as consumed. */
  consume(n: number): void {
    if (this._state !== CALLER) throw ownershipError(this._state, 'consume');
    checkInt('n', n, 0, this._bytes.byteLength - this._pos);
    this._pos += n;
  }

  /** Starts over: nothing consumed. */
  rewind(): void {
    if (this._state !== CALLER) throw ownershipError(this._state, 'rewind');
    this._pos = 0;
  }
}
