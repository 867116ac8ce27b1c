import { koffi } from '../libc/lib.js';
import { IOV_MAX } from '../linux/file-constants.js';
import { IOVEC_LAYOUT } from '../linux/file-layouts.js';

/** An iovec array in memory the kernel can read, and how many entries it holds. */
export interface Iovecs {
  /** `struct iovec[count]`: pairs of (address, length). */
  readonly array: BigUint64Array;
  /** Entries used. */
  readonly count: number;
  /** Bytes they cover. */
  readonly bytes: number;
}

// One iovec is two u64 words; the test checks that against <sys/uio.h>.
const WORDS = IOVEC_LAYOUT.size / 8;

/**
 * Fills an iovec array for `segments`, at most `IOV_MAX` entries and
 * `maxBytes` bytes (the rest waits for the next call: vectored IO may be
 * partial). The addresses are the typed arrays' backing stores, which do
 * not move (see `async-call.ts`); the caller keeps the segments alive.
 */
export function buildIovecs(
  segments: readonly Uint8Array[],
  maxBytes: number,
  array?: BigUint64Array,
): Iovecs {
  const count = Math.min(segments.length, IOV_MAX);
  const out = array ?? new BigUint64Array(count * WORDS);
  let budget = maxBytes;
  let used = 0;
  let bytes = 0;
  for (let i = 0; i < count && budget > 0; i++) {
    const seg = segments[i]!;
    const len = Math.min(seg.byteLength, budget);
    out[used * WORDS] = koffi.address(seg) as bigint;
    out[used * WORDS + 1] = BigInt(len);
    used++;
    bytes += len;
    budget -= len;
  }
  return { array: out, count: used, bytes };
}

/** A scratch array for sync mode (one call at a time on the JS thread). */
export const SCRATCH_IOVECS = new BigUint64Array(IOV_MAX * WORDS);
