import { BufferPool, checkInt, checkOptions, invalidArg, type PoolCloseReport } from '@binio/core';
import { alignedBytes } from '../sys/memory.js';
import { registerBuffers } from '../uring/register.js';
import type { Ring } from '../uring/ring.js';

/** Options of the engine's registered buffers. */
export interface UringBufferOptions {
  /** Number of buffers (default 64; at most 16384, the kernel's limit). */
  count?: number;
  /** Bytes per buffer (default 65536; a multiple of 4096 keeps every buffer page-aligned). */
  size?: number;
  /** Called when closing finds buffers that were never recycled. */
  onLeak?: (report: PoolCloseReport) => void;
}

const KEYS = ['count', 'size', 'onLeak'] as const;
const PAGE = 4096;

/** Checks {@link UringBufferOptions}. */
export function bufferOptions(
  o: UringBufferOptions | undefined,
): Required<Omit<UringBufferOptions, 'onLeak'>> & UringBufferOptions {
  const b = checkOptions(o, KEYS, 'buffers');
  if (b.onLeak !== undefined && typeof b.onLeak !== 'function') {
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'buffers.onLeak must be a function');
  }
  return {
    count: b.count === undefined ? 64 : checkInt('buffers.count', b.count, 1, 16384),
    size: b.size === undefined ? 65536 : checkInt('buffers.size', b.size, 1, 2 ** 30),
    onLeak: b.onLeak,
  };
}

/**
 * The engine's BufferProvider/BufferSink: one page-aligned block, cut into
 * equal buffers, each registered with the ring as fixed buffer `i`
 * (`IORING_REGISTER_BUFFERS`), so reads and writes into them are
 * READ_FIXED/WRITE_FIXED with `buf_index` = the buffer's
 * `registrationIndex`: the kernel skips pinning pages per operation. The
 * memory is a JavaScript ArrayBuffer (garbage-collected, never unmapped
 * under a live view), seen as Uint8Array without copies.
 */
export function createRegisteredPool(ring: Ring, o: ReturnType<typeof bufferOptions>): BufferPool {
  const pool = new BufferPool({
    count: o.count,
    size: o.size,
    engine: 'uring',
    alignment: PAGE,
    allocate: (total) => alignedBytes(total, PAGE),
    onLeak: o.onLeak,
  });
  const views: Uint8Array[] = [];
  for (let i = 0; i < o.count; i++) views.push(pool.memory.subarray(i * o.size, (i + 1) * o.size));
  registerBuffers(ring, views);
  return pool;
}
