import { BufferPool, checkInt, IoError, type PoolCloseReport } from '@binio/core';
import { koffi } from '../libc/lib.js';
import { free, posixMemalign } from '../libc/memory-calls.js';
import { errnoError } from '../linux/error.js';

/** Options of {@link AlignedBufferPool}. */
export interface AlignedPoolOptions {
  /** Number of buffers. */
  count: number;
  /** Bytes per buffer; a multiple of `alignment` keeps every buffer aligned. */
  size: number;
  /** Alignment of the block in bytes (a power of two, at least 8). */
  alignment: number;
  /** Engine name for errors. */
  engine?: string;
  /** Called when `close()` finds buffers never recycled. */
  onLeak?: (report: PoolCloseReport) => void;
}

/**
 * Core's {@link BufferPool} over native memory from `posix_memalign`, seen
 * from JS through `koffi.view` without copies: the buffers `O_DIRECT`
 * needs. The memory is zeroed once (it may hold old heap bytes of this
 * process) and freed on `close()` only when every buffer came back: a
 * buffer still held by the caller keeps a view on the memory, and freeing
 * it would turn a later access into a use-after-free (koffi's views cannot
 * be detached). Such memory is left allocated, and the close report counts
 * the buffers.
 */
export class AlignedBufferPool extends BufferPool {
  readonly #block: { pointer: bigint; safeToFree: boolean };

  constructor(options: AlignedPoolOptions) {
    const alignment = checkInt('alignment', options.alignment, 8, 2 ** 30);
    if ((alignment & (alignment - 1)) !== 0) {
      throw new IoError({
        code: 'ERR_INVALID_ARG_VALUE',
        message: `alignment must be a power of two, got ${alignment}`,
      });
    }
    const block = { pointer: 0n, safeToFree: false };
    super({
      count: options.count,
      size: options.size,
      engine: options.engine ?? 'posix',
      onLeak: options.onLeak,
      alignment,
      allocate: (total) => {
        const out: [bigint | null] = [null];
        const r = posixMemalign(out, alignment, total);
        if (r !== 0 || out[0] === null) throw errnoError(r || 12, { syscall: 'posix_memalign' });
        block.pointer = out[0];
        const bytes = new Uint8Array(koffi.view(block.pointer, total));
        bytes.fill(0);
        return bytes;
      },
      release: () => {
        if (block.safeToFree && block.pointer !== 0n) {
          free(block.pointer);
          block.pointer = 0n;
        }
      },
    });
    this.#block = block;
  }

  /** Address of the block (for registration with a device or a ring). */
  get address(): bigint {
    return this.#block.pointer;
  }

  /** Closes the pool; frees the memory when every buffer is back (see the class notes). */
  override close(): PoolCloseReport {
    this.#block.safeToFree = this.available === this.size;
    return super.close();
  }
}
