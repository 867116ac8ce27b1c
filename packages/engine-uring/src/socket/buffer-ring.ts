import { checkInt, checkOptions, IoError } from '@binio/core';
import type { UringCore } from '../engine/core.js';
import { addressOf, alignedBytes } from '../sys/memory.js';
import { BUF, BUF_RING_TAIL } from '../uring/layout.js';
import { registerBufRing, unregisterBufRing } from '../uring/register.js';

/*
 * A provided-buffer ring (IORING_REGISTER_PBUF_RING): `count` equal buffers
 * in one page-aligned block, announced to the kernel through a ring of
 * `struct io_uring_buf` entries whose tail we move. A receive that selects
 * from the group (IOSQE_BUFFER_SELECT) takes the next buffer itself and
 * names it in its CQE (`flags >> 16`); we hand that buffer out as a chunk,
 * and put it back at the tail when the user recycles it.
 */

/** Options of `engine.createBufferRing`. */
export interface BufferRingOptions {
  /** Number of buffers, a power of two up to 32768 (default 64). */
  count?: number;
  /** Size of each buffer in bytes (default 16 KiB). */
  size?: number;
}

function recycledError(): IoError {
  return new IoError({
    code: 'ERR_BUFFER_RECYCLED',
    engine: 'uring',
    message:
      'This chunk was given back to its buffer ring: the kernel may be filling its memory again',
  });
}

/**
 * A sync receive asked for a chunk with none queued and every buffer of
 * `ring` out: nothing could run to recycle one while it waited.
 */
export function ringDryError(ring: UringBufferRing): IoError {
  return new IoError({
    code: 'ERR_INVALID_STATE',
    engine: 'uring',
    message: `Every buffer of ring ${ring.bgid} is out (${ring.count} chunks not recycled): a sync receive would wait forever; recycle chunks before asking for more`,
  });
}

/** Bytes received into one buffer of a ring; valid until recycled. */
export class RingChunk {
  /** The ring it belongs to. */
  readonly ring: UringBufferRing;
  /** The buffer's id in the ring. */
  readonly bid: number;
  #bytes: Uint8Array | undefined;

  /** @internal */
  constructor(ring: UringBufferRing, bid: number, bytes: Uint8Array) {
    this.ring = ring;
    this.bid = bid;
    this.#bytes = bytes;
  }

  /** The received bytes: a view of the ring's memory (no copy). Throws once recycled. */
  get bytes(): Uint8Array {
    if (this.#bytes === undefined) throw recycledError();
    return this.#bytes;
  }

  /** True once given back. */
  get recycled(): boolean {
    return this.#bytes === undefined;
  }

  /** @internal Detaches the bytes; false when already recycled. */
  _detach(): boolean {
    if (this.#bytes === undefined) return false;
    this.#bytes = undefined;
    return true;
  }
}

/** A provided-buffer ring registered with the engine's io_uring as buffer group {@link bgid}. */
export class UringBufferRing {
  /** The buffer group id receives select from. */
  readonly bgid: number;
  /** Number of buffers. */
  readonly count: number;
  /** Size of each buffer. */
  readonly size: number;
  /** @internal The engine core it is registered with. */
  readonly _core: UringCore;
  readonly #entries: DataView;
  readonly #tail: Uint16Array;
  readonly #memory: Uint8Array;
  readonly #base: number;
  readonly #out: Array<RingChunk | undefined>;
  readonly #forget: (r: UringBufferRing) => void;
  #nextTail = 0;
  #inRing = 0;
  #closed = false;
  /** @internal Receives armed on this ring (it cannot be unregistered under them). */
  _users = 0;
  /** @internal Called when buffers come back (a starved receive re-arms). */
  readonly _refilled = new Set<() => void>();

  /** @internal The engine makes rings. */
  constructor(
    core: UringCore,
    bgid: number,
    options: BufferRingOptions | undefined,
    forget: (r: UringBufferRing) => void,
  ) {
    const o = checkOptions(options, ['count', 'size'], 'createBufferRing');
    const count = checkInt('count', o.count ?? 64, 1, 32768);
    if ((count & (count - 1)) !== 0) {
      throw new IoError({
        code: 'ERR_INVALID_ARG_VALUE',
        message: `count must be a power of two, got ${count}`,
      });
    }
    const size = checkInt('size', o.size ?? 16384, 1, 1 << 30);
    this._core = core;
    this.bgid = bgid;
    this.count = count;
    this.size = size;
    this.#forget = forget;
    const entries = alignedBytes(count * BUF.size, 4096);
    this.#entries = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
    // The tail is the `resv` field of entry 0.
    this.#tail = new Uint16Array(entries.buffer, entries.byteOffset + BUF_RING_TAIL, 1);
    this.#memory = alignedBytes(count * size, 4096);
    this.#base = addressOf(this.#memory);
    this.#out = new Array(count).fill(undefined);
    for (let bid = 0; bid < count; bid++) this.#publish(bid);
    registerBufRing(core.ring, addressOf(entries), count, bgid);
  }

  /** Buffers the kernel can fill now. */
  get available(): number {
    return this.#inRing;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Puts buffer `bid` at the tail, where the kernel takes it next. */
  #publish(bid: number): void {
    const at = (this.#nextTail & (this.count - 1)) * BUF.size;
    const v = this.#entries;
    const addr = this.#base + bid * this.size;
    v.setUint32(at + BUF.addr, addr >>> 0, true);
    v.setUint32(at + BUF.addr + 4, Math.floor(addr / 4294967296), true);
    v.setUint32(at + BUF.len, this.size, true);
    v.setUint16(at + BUF.bid, bid, true);
    this.#nextTail = (this.#nextTail + 1) & 0xffff;
    // The entry's fields are written before the tail that publishes them.
    Atomics.store(this.#tail, 0, this.#nextTail);
    this.#inRing++;
  }

  /**
   * @internal The kernel filled buffer `bid`: `make` builds the chunk the
   * user gets from a view of that whole buffer (a stream's bytes, or a
   * datagram's header, name and payload).
   */
  _take<C extends RingChunk>(bid: number, make: (buffer: Uint8Array, at: number) => C): C {
    if (bid >= this.count || this.#out[bid] !== undefined) {
      throw new IoError({
        code: 'ERR_INVALID_STATE',
        engine: 'uring',
        message: `The kernel reported buffer ${bid} of group ${this.bgid}, which is not in the ring`,
      });
    }
    this.#inRing--;
    const start = bid * this.size;
    const chunk = make(this.#memory.subarray(start, start + this.size), start);
    this.#out[bid] = chunk;
    return chunk;
  }

  /** @internal The ring's memory as a DataView, for headers the kernel wrote (recvmsg_out). */
  get _view(): DataView {
    this.#view ??= new DataView(
      this.#memory.buffer,
      this.#memory.byteOffset,
      this.#memory.byteLength,
    );
    return this.#view;
  }
  #view: DataView | undefined;

  /** @internal A stream's chunk: the first `length` bytes of buffer `bid`. */
  _takeBytes(bid: number, length: number): RingChunk {
    return this._take(bid, (b) => new RingChunk(this, bid, b.subarray(0, length)));
  }

  /** Gives a chunk's buffer back to the ring (the kernel may fill it again at once). */
  recycle(chunk: RingChunk): void {
    if (!(chunk instanceof RingChunk) || chunk.ring !== this) {
      throw new IoError({
        code: 'ERR_BUFFER_FOREIGN',
        engine: 'uring',
        message: 'recycle takes a chunk received into this buffer ring',
      });
    }
    if (!chunk._detach()) throw recycledError();
    this.#out[chunk.bid] = undefined;
    if (this.#closed) return;
    this.#publish(chunk.bid);
    for (const f of [...this._refilled]) f();
  }

  /**
   * Unregisters the ring. Refused while a receive is armed on it (stop or
   * break out of it first); chunks still out stay readable.
   */
  close(): void {
    if (this.#closed) return;
    if (this._users > 0) {
      throw new IoError({
        code: 'ERR_INVALID_STATE',
        engine: 'uring',
        message: 'Cannot close a buffer ring a receive still uses: end that iteration first',
      });
    }
    this._dispose();
  }

  /** @internal Marks it closed; unregisters it unless the whole ring is going away. */
  _dispose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#forget(this);
    if (!this._core.closing) unregisterBufRing(this._core.ring, this.bgid);
  }
}
