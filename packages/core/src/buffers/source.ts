import { invalidArg } from '../errors.js';
import { describe } from './check.js';
import { InputBuffer } from './input-buffer.js';
import { OutputBuffer } from './output-buffer.js';

/**
 * What a write or a send takes: a plain byte array (written whole), an
 * {@link InputBuffer} (its unconsumed bytes; a write consumes what the kernel
 * took), or an {@link OutputBuffer} (its initialized bytes — typically a
 * buffer from the engine's provider that the caller filled).
 */
export type ByteSource = Uint8Array | InputBuffer | OutputBuffer;

/**
 * Engine helper: takes the bytes to write from `src` and, for tracked
 * buffers, marks them in flight until {@link settleSource}. Throws a clear
 * error for anything else, before any system call.
 */
export function lendSource(src: ByteSource): Uint8Array {
  if (src instanceof Uint8Array) return src;
  // Whole-buffer cases return the array itself: a subarray costs more than
  // the rest of the check on a hot path.
  if (src instanceof InputBuffer) {
    src.lend();
    return src._pos === 0 ? src._bytes : src._bytes.subarray(src._pos);
  }
  if (src instanceof OutputBuffer) {
    src.lend();
    return src._count === src._bytes.byteLength ? src._bytes : src._bytes.subarray(0, src._count);
  }
  throw invalidArg(
    'ERR_INVALID_ARG_TYPE',
    `The data to write must be a Uint8Array, InputBuffer or OutputBuffer, got ${describe(src)}`,
  );
}

/**
 * Engine helper: gives `src` back after a write of `written` bytes settled
 * (an InputBuffer consumes them). Pass 0 when the write failed.
 */
export function settleSource(src: ByteSource, written: number): void {
  if (src instanceof Uint8Array) return;
  src.settle();
  if (src instanceof InputBuffer) src._pos += written;
}

/** The number of bytes `src` would write, without lending it. */
export function sourceLength(src: ByteSource): number {
  if (src instanceof Uint8Array) return src.byteLength;
  if (src instanceof InputBuffer) return src.remaining;
  return src.initialized;
}

/**
 * Engine helper: the free space of `out` to read into, marked in flight
 * until {@link settleTarget}. `max` caps the length.
 */
export function lendTarget(out: OutputBuffer, max = Number.POSITIVE_INFINITY): Uint8Array {
  if (!(out instanceof OutputBuffer)) {
    throw invalidArg('ERR_INVALID_ARG_TYPE', `The read target must be an OutputBuffer, got ${describe(out)}`);
  }
  out.lend();
  const bytes = out._bytes;
  const count = out._count;
  if (count === 0 && max >= bytes.byteLength) return bytes;
  const end = max >= bytes.byteLength - count ? bytes.byteLength : count + max;
  return bytes.subarray(count, end);
}

/** Engine helper: gives `out` back after a read of `n` bytes settled (0 on failure or EOF). */
export function settleTarget(out: OutputBuffer, n: number): void {
  out.settle();
  out._count += n;
}
