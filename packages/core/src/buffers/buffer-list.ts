import { invalidArg } from '../errors.js';
import { checkBytes, checkInt } from './check.js';
import { CALLER, Tracked, ownershipError } from './ownership.js';
import type { IoBuffer } from './types.js';

/**
 * Several runs of memory used as one buffer in vectored IO (`readv`,
 * `writev`, `preadv2`). One cursor, {@link position}, counts the bytes a
 * vectored read filled or a vectored write consumed across all segments.
 */
export class BufferList extends Tracked implements IoBuffer {
  /** @internal */
  readonly _segments: readonly Uint8Array[];
  /** @internal */
  readonly _total: number;
  /** @internal */
  _pos = 0;

  /** A list over `segments` (no copies). */
  constructor(segments: readonly Uint8Array[]) {
    super();
    if (!Array.isArray(segments)) {
      throw invalidArg('ERR_INVALID_ARG_TYPE', 'segments must be an array of Uint8Array');
    }
    let total = 0;
    for (let i = 0; i < segments.length; i++) total += checkBytes(`segments[${i}]`, segments[i]).byteLength;
    this._segments = segments.slice();
    this._total = total;
  }

  /** The segments, in order. */
  get segments(): readonly Uint8Array[] {
    if (this._state !== CALLER) throw ownershipError(this._state, 'access');
    return this._segments;
  }

  /** Total bytes across all segments. */
  get byteLength(): number {
    return this._total;
  }

  /** Bytes filled (reads) or consumed (writes) so far. */
  get position(): number {
    return this._pos;
  }

  /** Bytes left after {@link position}. */
  get remaining(): number {
    return this._total - this._pos;
  }

  /** Moves the cursor `n` bytes on. */
  advance(n: number): void {
    if (this._state !== CALLER) throw ownershipError(this._state, 'advance');
    checkInt('n', n, 0, this._total - this._pos);
    this._pos += n;
  }

  /** Puts the cursor back at 0. */
  rewind(): void {
    if (this._state !== CALLER) throw ownershipError(this._state, 'rewind');
    this._pos = 0;
  }

  /**
   * Views of the memory after the cursor, one per segment (the first one cut
   * at the cursor), skipping empty ones: what an iovec array should point at.
   * @internal engines call this after {@link Tracked.lend}.
   */
  _pending(): Uint8Array[] {
    const out: Uint8Array[] = [];
    let skip = this._pos;
    for (const seg of this._segments) {
      if (skip >= seg.byteLength) {
        skip -= seg.byteLength;
        continue;
      }
      out.push(skip > 0 ? seg.subarray(skip) : seg);
      skip = 0;
    }
    return out;
  }

  /** Views of the memory after the cursor (see `_pending`). */
  pending(): Uint8Array[] {
    if (this._state !== CALLER) throw ownershipError(this._state, 'access');
    return this._pending();
  }

  /** Copies the bytes before the cursor into one new array. */
  gather(): Uint8Array {
    const out = new Uint8Array(this._pos);
    let at = 0;
    for (const seg of this.segments) {
      if (at >= this._pos) break;
      const take = Math.min(seg.byteLength, this._pos - at);
      out.set(seg.subarray(0, take), at);
      at += take;
    }
    return out;
  }
}
