import { IoError, invalidArg } from '../errors.js';
import { checkInt } from './check.js';
import { CALLER, IN_FLIGHT, POOLED, ownershipError } from './ownership.js';
import { OutputBuffer } from './output-buffer.js';
import type { AlignedIoBuffer, RegisteredIoBuffer } from './types.js';

/**
 * A buffer that belongs to a pool: an {@link OutputBuffer} the engine owns and
 * lends to the caller through `getBuffer()`; the caller gives it back with
 * `recycleBuffer()`.
 */
export class PooledBuffer extends OutputBuffer implements RegisteredIoBuffer, AlignedIoBuffer {
  /** The pool it belongs to. */
  readonly pool: BufferPool;
  /** Its slot in the pool (io_uring `buf_index`, …). */
  readonly registrationIndex: number;

  /** @internal pools create these */
  constructor(pool: BufferPool, index: number, bytes: Uint8Array) {
    super(bytes);
    this.pool = pool;
    this.registrationIndex = index;
    this._state = POOLED;
  }

  /** Name of the engine whose pool this is. */
  get registeredWith(): string {
    return this.pool.engine;
  }

  /** Alignment of the start address in bytes (1 for heap memory). */
  get alignment(): number {
    return this.pool.alignment;
  }
}

/** The proposal's `BufferProvider`: hands out one engine-owned buffer. */
export interface BufferProvider<B extends OutputBuffer = PooledBuffer> {
  /** A buffer owned by the caller until recycled; throws `ENOBUFS` when none is free. */
  getBuffer(): B;
}

/** The proposal's `MultiBufferProvider`: several buffers at once. */
export interface MultiBufferProvider<B extends OutputBuffer = PooledBuffer> extends BufferProvider<B> {
  /** `n` buffers, all or none; throws `ENOBUFS` if fewer are free. */
  getBuffers(n: number): B[];
}

/** The proposal's `BufferSink`: takes a buffer back. */
export interface BufferSink<B extends OutputBuffer = PooledBuffer> {
  /** Returns `buffer` to its pool; recycling twice or into another pool is an error. */
  recycleBuffer(buffer: B): void;
}

/** The proposal's `MultiBufferSink`. */
export interface MultiBufferSink<B extends OutputBuffer = PooledBuffer> extends BufferSink<B> {
  /** Returns several buffers. */
  recycleBuffers(buffers: readonly B[]): void;
}

/** What {@link BufferPool.close} found. */
export interface PoolCloseReport {
  /** Buffers handed out and never recycled. */
  leaked: number;
  /** Of those, buffers still held by an operation. */
  inFlight: number;
}

/** Options of {@link BufferPool}. */
export interface BufferPoolOptions {
  /** Number of buffers. */
  count: number;
  /** Size of each buffer in bytes. */
  size: number;
  /** Engine name, for errors and `registeredWith`. */
  engine?: string;
  /**
   * Where the memory comes from: given the whole size, return one block
   * (heap by default; engines pass registered or aligned native memory).
   */
  allocate?: (totalBytes: number) => Uint8Array;
  /** Called with the report when closing finds buffers never returned. */
  onLeak?: (report: PoolCloseReport) => void;
  /**
   * Alignment the allocator guarantees for the block (native aligned memory);
   * a buffer's alignment is the largest power of two dividing both this and
   * the buffer size. Default 1.
   */
  alignment?: number;
  /** Frees the block on close (native memory); not called while buffers are in flight. */
  release?: (memory: Uint8Array) => void;
}

/**
 * A fixed set of equal buffers cut from one block of memory, implementing
 * the provider and sink traits with ownership states: a buffer is either in
 * the pool, with the caller, or in flight in an operation, and touching it in
 * the wrong state throws. The heap-backed default serves core and tests;
 * engines pass `allocate` for registered or DMA memory.
 */
export class BufferPool
  implements MultiBufferProvider<PooledBuffer>, MultiBufferSink<PooledBuffer>
{
  /** Engine name. */
  readonly engine: string;
  /** Size of each buffer. */
  readonly bufferSize: number;
  /** The whole block all buffers are cut from. */
  readonly memory: Uint8Array;
  readonly #buffers: PooledBuffer[];
  readonly #free: number[];
  /** Alignment every buffer's start address has. */
  readonly alignment: number;
  readonly #onLeak: ((r: PoolCloseReport) => void) | undefined;
  readonly #release: ((memory: Uint8Array) => void) | undefined;
  #closed = false;

  constructor(options: BufferPoolOptions) {
    const count = checkInt('count', options.count, 1, 1 << 20);
    const size = checkInt('size', options.size, 1, 2 ** 31);
    this.engine = options.engine ?? 'heap';
    this.bufferSize = size;
    this.memory = (options.allocate ?? ((n) => new Uint8Array(n)))(count * size);
    if (this.memory.byteLength < count * size) {
      throw invalidArg('ERR_INVALID_ARG_VALUE', 'allocate returned less memory than asked for');
    }
    this.#buffers = [];
    this.#free = [];
    for (let i = 0; i < count; i++) {
      this.#buffers.push(new PooledBuffer(this, i, this.memory.subarray(i * size, (i + 1) * size)));
      this.#free.push(count - 1 - i);
    }
    this.#onLeak = options.onLeak;
    this.#release = options.release;
    const blockAlign = checkInt('alignment', options.alignment ?? 1, 1, 2 ** 30);
    // Buffers start at multiples of `size`, so each keeps the block's
    // alignment only as far as the size allows.
    let a = 1;
    while (a < blockAlign && size % (a * 2) === 0) a *= 2;
    this.alignment = a;
  }

  /** Number of buffers in all. */
  get size(): number {
    return this.#buffers.length;
  }

  /** Number of buffers in the pool now. */
  get available(): number {
    return this.#free.length;
  }

  /** The buffer in slot `index` (engines use this to map completions back). */
  bufferAt(index: number): PooledBuffer {
    const b = this.#buffers[index];
    if (!b) throw invalidArg('ERR_OUT_OF_RANGE', `No buffer at index ${index}`);
    return b;
  }

  getBuffer(): PooledBuffer {
    this.#assertOpen();
    const i = this.#free.pop();
    if (i === undefined) {
      throw new IoError({
        code: 'ENOBUFS',
        message: `All ${this.#buffers.length} buffers of the ${this.engine} pool are in use`,
        engine: this.engine,
      });
    }
    const b = this.#buffers[i]!;
    b._state = CALLER;
    b._count = 0;
    return b;
  }

  getBuffers(n: number): PooledBuffer[] {
    this.#assertOpen();
    checkInt('n', n, 0, this.#buffers.length);
    if (n > this.#free.length) {
      throw new IoError({
        code: 'ENOBUFS',
        message: `Asked for ${n} buffers, ${this.#free.length} of the ${this.engine} pool are free`,
        engine: this.engine,
      });
    }
    const out = new Array<PooledBuffer>(n);
    for (let k = 0; k < n; k++) out[k] = this.getBuffer();
    return out;
  }

  recycleBuffer(buffer: PooledBuffer): void {
    if (!(buffer instanceof PooledBuffer) || buffer.pool !== this) {
      throw new IoError({
        code: 'ERR_BUFFER_FOREIGN',
        message: `This buffer does not belong to this ${this.engine} pool`,
        engine: this.engine,
      });
    }
    if (buffer._state !== CALLER) throw ownershipError(buffer._state, 'recycle');
    buffer._state = POOLED;
    buffer._count = 0;
    if (!this.#closed) this.#free.push(buffer.registrationIndex);
  }

  recycleBuffers(buffers: readonly PooledBuffer[]): void {
    // Validate all first so a bad element recycles none.
    for (const b of buffers) {
      if (!(b instanceof PooledBuffer) || b.pool !== this) {
        throw new IoError({ code: 'ERR_BUFFER_FOREIGN', message: `A buffer does not belong to this ${this.engine} pool`, engine: this.engine });
      }
      if (b._state !== CALLER) throw ownershipError(b._state, 'recycle');
    }
    if (new Set(buffers).size !== buffers.length) {
      throw new IoError({ code: 'ERR_BUFFER_RECYCLED', message: 'The same buffer appears twice in recycleBuffers' });
    }
    for (const b of buffers) this.recycleBuffer(b);
  }

  /**
   * Closes the pool and reports the buffers never returned (calls `onLeak`
   * when there are any). Buffers recycled later are accepted and dropped.
   */
  close(): PoolCloseReport {
    if (this.#closed) return { leaked: 0, inFlight: 0 };
    this.#closed = true;
    let leaked = 0;
    let inFlight = 0;
    for (const b of this.#buffers) {
      if (b._state !== POOLED) leaked++;
      if (b._state === IN_FLIGHT) inFlight++;
    }
    this.#free.length = 0;
    const report = { leaked, inFlight };
    if (leaked > 0) this.#onLeak?.(report);
    // Native memory an operation still uses must not be freed under it.
    if (inFlight === 0) this.#release?.(this.memory);
    return report;
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new IoError({ code: 'ERR_CLOSED', message: `The ${this.engine} buffer pool is closed`, engine: this.engine });
    }
  }
}
