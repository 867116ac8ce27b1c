import type { InetSocketAddress } from '@binio/core';
import { checkBytes, checkInt, ownershipError } from '@binio/core';
import {
  BufferPool,
  CALLER_STATE,
  IN_FLIGHT_STATE,
  IoError,
  POOLED_STATE,
  type PoolCloseReport,
  PooledBuffer,
} from './core-internals.js';
import type { ControlBlock } from './ctl.js';
import { callNative } from './native/errors.js';
import type { DpdkAddon, NativePool } from './native/types.js';
import { AddressCache } from './stack/ipv4.js';

/**
 * An mbuf seen from JavaScript: its bytes are the mbuf's own data room (no
 * copy), starting where a UDP payload goes behind the 42 bytes of Ethernet,
 * IPv4 and UDP headers, and as long as the largest unfragmented payload.
 */
export class MbufBuffer extends PooledBuffer {
  /** @internal the pool, typed */
  readonly _mbufs: MbufPool;
  /** @internal capacity as a plain number (see {@link commit}) */
  readonly _capacity: number;

  /** @internal pools create these */
  constructor(pool: MbufPool, index: number, bytes: Uint8Array) {
    super(pool, index, bytes);
    this._mbufs = pool;
    this._capacity = bytes.length;
  }

  // commit and append are on the per-packet path of a sender. Node 20's
  // optimiser does not inline a typed array's byteLength (about 25 ns where
  // .length costs 2) and the base append makes a subarray per call; these
  // do the same checks without either.

  /** Marks `n` more bytes, just written into `free`, as initialized. */
  override commit(n: number): void {
    if (this._state !== CALLER_STATE) throw ownershipError(this._state, 'commit');
    const count = this._count;
    if (typeof n !== 'number' || !(n >= 0 && n <= this._capacity - count) || !Number.isInteger(n)) {
      checkInt('n', n, 0, this._capacity - count);
    }
    this._count = count + n;
  }

  /** Copies `data` into the free space and commits it; throws if it does not fit. */
  override append(data: Uint8Array): this {
    if (this._state !== CALLER_STATE) throw ownershipError(this._state, 'write');
    const count = this._count;
    const n = checkBytes('data', data).length;
    if (n > this._capacity - count) checkInt('data.byteLength', n, 0, this._capacity - count);
    this._bytes.set(data, count);
    this._count = count + n;
    return this;
  }

  /** Who sent the datagram this buffer holds (after a zero-copy `receive`). */
  get sender(): InetSocketAddress {
    const i = this.registrationIndex;
    return this._mbufs._addresses.get(this._mbufs._srcIp[i]!, this._mbufs._srcPort[i]!);
  }
}

/** Counts DPDK itself keeps for a pool. */
export interface MbufCounts {
  /** mbufs in the pool (its ring and the per-lcore caches). */
  available: number;
  /** mbufs out of it: with the caller, in a socket queue, in a device. */
  inUse: number;
}

/**
 * An rte_mempool of mbufs as a binio {@link BufferPool}: `getBuffer` takes an
 * mbuf from DPDK (`rte_pktmbuf_alloc_bulk`) and returns the one
 * {@link MbufBuffer} made for it at start, `recycleBuffer` gives it back
 * (`rte_pktmbuf_free_bulk`). Nothing is allocated per buffer after start.
 */
export class MbufPool extends BufferPool {
  /** The whole pool memory (mbuf headers and data rooms), one view. */
  declare readonly memory: Uint8Array;
  /** Bytes each buffer holds: the largest UDP payload without fragmentation. */
  declare readonly bufferSize: number;
  /** Alignment of each buffer's start. */
  declare readonly alignment: number;
  /** @internal */
  readonly _native: NativePool;
  /** @internal byte offset of each mbuf's data room (buf_addr) in {@link memory} */
  readonly _room: Uint32Array;
  /** @internal senders of received datagrams, by mbuf index */
  readonly _srcIp: Uint32Array;
  /** @internal */
  readonly _srcPort: Uint16Array;
  /** @internal senders as socket addresses, shared with the engine */
  readonly _addresses = new AddressCache();
  /** @internal the counts the engine found when it closed (the pool may be freed since) */
  _closedCounts: MbufCounts | undefined;
  /** @internal offset of the payload from the data room start */
  readonly _payloadOffset: number;
  readonly #addon: DpdkAddon;
  readonly #queue: number;
  readonly #ctl: ControlBlock;
  readonly #burst: number;
  readonly #buffers: MbufBuffer[];
  // recycleBuffers' duplicate check: the call number each mbuf was last seen in.
  readonly #stamps: Uint32Array;
  #stamp = 0;
  #closed = false;

  /** @internal engines create pools */
  constructor(
    addon: DpdkAddon,
    queue: number,
    native: NativePool,
    ctl: ControlBlock,
    payloadBytes: number,
  ) {
    // The base keeps a 1-byte placeholder; every method is overridden.
    super({ count: 1, size: 1, engine: 'dpdk' });
    this.#addon = addon;
    this.#queue = queue;
    this.#ctl = ctl;
    this.#burst = addon.layout.burstMax;
    this._native = native;
    const payloadOffset = addon.layout.headroom + addon.layout.udpHeaderBytes;
    this._payloadOffset = payloadOffset;
    Object.defineProperty(this, 'memory', {
      value: new Uint8Array(native.memory),
      enumerable: true,
    });
    Object.defineProperty(this, 'bufferSize', { value: payloadBytes, enumerable: true });
    this._room = new Uint32Array(native.count);
    this._srcIp = new Uint32Array(native.count);
    this._srcPort = new Uint16Array(native.count);
    this.#buffers = new Array<MbufBuffer>(native.count);
    this.#stamps = new Uint32Array(native.count);
    for (let i = 0; i < native.count; i++) {
      const room = native.objectOffset + i * native.stride + native.dataOffset;
      this._room[i] = room;
      const start = room + payloadOffset;
      this.#buffers[i] = new MbufBuffer(this, i, this.memory.subarray(start, start + payloadBytes));
    }
    // The zone is 2 KiB aligned, so a buffer is aligned as far as its offset is.
    const first = native.objectOffset + native.dataOffset + payloadOffset;
    Object.defineProperty(this, 'alignment', { value: first & -first, enumerable: true });
  }

  override get size(): number {
    return this._native.count;
  }

  /** mbufs in DPDK's pool now (`rte_mempool_avail_count`). */
  override get available(): number {
    return this.counts().available;
  }

  /** DPDK's own counts of this pool. */
  counts(): MbufCounts {
    if (this._closedCounts) return { ...this._closedCounts };
    const [available, inUse] = this.#addon.poolCounts(this._native.id);
    return { available, inUse };
  }

  override bufferAt(index: number): MbufBuffer {
    const b = this.#buffers[index];
    if (!b) throw new IoError({ code: 'ERR_OUT_OF_RANGE', message: `No mbuf at index ${index}` });
    return b;
  }

  override getBuffer(): MbufBuffer {
    this.#assertOpen();
    if (this.#addon.alloc(this.#queue, 1) !== 0) throw this.#noBufs(1);
    return this._hand(this.#ctl.txIdx[0]!, 0);
  }

  override getBuffers(n: number): MbufBuffer[] {
    this.#assertOpen();
    if (!Number.isInteger(n) || n < 0 || n > this._native.count) {
      throw new IoError({
        code: 'ERR_OUT_OF_RANGE',
        message: `n must be an integer in [0, ${this._native.count}], got ${n}`,
      });
    }
    const out = new Array<MbufBuffer>(n);
    const idx = this.#ctl.txIdx;
    const all = this.#buffers;
    const caller = CALLER_STATE;
    for (let done = 0; done < n; ) {
      const k = Math.min(this.#burst, n - done);
      if (this.#addon.alloc(this.#queue, k) !== 0) {
        // All or none: give back what this call took.
        this.recycleBuffers(out.slice(0, done));
        throw this.#noBufs(n);
      }
      for (let i = 0; i < k; i++) {
        const b = all[idx[i]!]!;
        b._state = caller;
        b._count = 0;
        out[done + i] = b;
      }
      done += k;
    }
    return out;
  }

  override recycleBuffer(buffer: MbufBuffer): void {
    this.#check(buffer, 'recycle');
    buffer._state = POOLED_STATE;
    buffer._count = 0;
    if (this.#closed) return;
    this.#ctl.freeIdx[0] = buffer.registrationIndex;
    this.#addon.free(this.#queue, 1);
  }

  override recycleBuffers(buffers: readonly MbufBuffer[]): void {
    // Check all first so a bad element recycles none. A buffer listed twice
    // is found by stamping each mbuf with this call's number (a Set of the
    // burst cost more than the rest of the call).
    if (++this.#stamp === 0xffffffff) {
      this.#stamps.fill(0);
      this.#stamp = 1;
    }
    const stamp = this.#stamp;
    const stamps = this.#stamps;
    for (const b of buffers) {
      this.#check(b, 'recycle');
      const i = b.registrationIndex;
      if (stamps[i] === stamp) {
        throw new IoError({
          code: 'ERR_BUFFER_RECYCLED',
          message: 'The same buffer appears twice in recycleBuffers',
        });
      }
      stamps[i] = stamp;
    }
    const idx = this.#ctl.freeIdx;
    let k = 0;
    for (const b of buffers) {
      b._state = POOLED_STATE;
      b._count = 0;
      if (this.#closed) continue;
      idx[k++] = b.registrationIndex;
      if (k === this.#burst) {
        this.#addon.free(this.#queue, k);
        k = 0;
      }
    }
    if (k > 0) this.#addon.free(this.#queue, k);
  }

  /**
   * Takes back the buffers the caller still holds (they are reported as
   * leaked), returns their mbufs to DPDK and stops handing out buffers. The
   * engine frees the pool itself once every mbuf is back.
   */
  override close(): PoolCloseReport {
    if (this.#closed) return { leaked: 0, inFlight: 0 };
    let leaked = 0;
    let inFlight = 0;
    const held: number[] = [];
    for (const b of this.#buffers) {
      if (b._state === POOLED_STATE) continue;
      leaked++;
      if (b._state === IN_FLIGHT_STATE) inFlight++;
      b._state = POOLED_STATE;
      b._count = 0;
      held.push(b.registrationIndex);
    }
    this._free(held, held.length);
    this.#closed = true;
    return { leaked, inFlight };
  }

  /** @internal hands mbuf `index`, holding `count` bytes, to the caller */
  _hand(index: number, count: number): MbufBuffer {
    const b = this.#buffers[index]!;
    b._state = CALLER_STATE;
    b._count = count;
    return b;
  }

  /** @internal returns mbufs the engine holds (not the caller) to DPDK */
  _free(indices: ArrayLike<number>, n: number): void {
    const idx = this.#ctl.freeIdx;
    for (let done = 0; done < n; ) {
      const k = Math.min(this.#burst, n - done);
      for (let i = 0; i < k; i++) idx[i] = indices[done + i]!;
      callNative('rte_pktmbuf_free_bulk', () => this.#addon.free(this.#queue, k));
      done += k;
    }
  }

  #check(b: MbufBuffer, action: string): void {
    if (!(b instanceof MbufBuffer) || b._mbufs !== this) {
      throw new IoError({
        code: 'ERR_BUFFER_FOREIGN',
        engine: 'dpdk',
        message: "This buffer does not belong to this DPDK engine's mbuf pool",
      });
    }
    b.assertOwned(action);
  }

  #noBufs(n: number): IoError {
    const { available } = this.counts();
    return new IoError({
      code: 'ENOBUFS',
      engine: 'dpdk',
      message: `Asked for ${n} mbuf(s), ${available} of the pool's ${this._native.count} are free (raise DpdkEngineOptions.mbufs, or recycle buffers)`,
    });
  }

  #assertOpen(): void {
    if (this.#closed)
      throw new IoError({
        code: 'ERR_CLOSED',
        engine: 'dpdk',
        message: "The DPDK engine's mbuf pool is closed",
      });
  }
}
