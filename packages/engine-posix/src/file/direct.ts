import { IoError } from '@binio/core';
import { koffi } from '../libc/lib.js';

/**
 * `O_DIRECT` rules for one open file: the memory alignment of buffers and
 * the alignment of file offsets and lengths, as the kernel reports them
 * (`statx` `STATX_DIOALIGN`, or the device's logical block size).
 */
export interface DirectAlignment {
  /** Buffer start addresses must be multiples of this. */
  readonly memory: number;
  /** File offsets and lengths must be multiples of this (the logical block size). */
  readonly offset: number;
}

/** Where the rule was broken, for the message. */
type What = 'buffer address' | 'length' | 'file offset' | 'file cursor';

function misaligned(
  what: What,
  value: bigint | number,
  align: number,
  op: string,
  path: string,
): IoError {
  const hint =
    what === 'buffer address'
      ? 'use a buffer from the engine (getBuffer()) or other memory aligned for O_DIRECT'
      : what === 'length'
        ? 'read or write whole blocks (set maxBytes, or size the buffer, to a multiple)'
        : 'use offsets that are multiples of the block size';
  return new IoError({
    code: 'ERR_MISALIGNED',
    engine: 'posix',
    path,
    syscall: op,
    message:
      `O_DIRECT ${op} on '${path}' refused before the syscall: the ${what} (${value}) ` +
      `is not a multiple of ${align} bytes; ${hint}`,
  });
}

/**
 * Throws `ERR_MISALIGNED` unless `bytes[start, start+len)` and `offset` meet
 * `align`. `offset` may be a cursor position read with `lseek`.
 */
export function checkDirect(
  align: DirectAlignment,
  bytes: Uint8Array,
  start: number,
  len: number,
  offset: number,
  cursor: boolean,
  op: string,
  path: string,
): void {
  const addr = (koffi.address(bytes) as bigint) + BigInt(start);
  if (addr % BigInt(align.memory) !== 0n)
    throw misaligned('buffer address', addr, align.memory, op, path);
  if (len % align.offset !== 0) throw misaligned('length', len, align.offset, op, path);
  if (offset % align.offset !== 0)
    throw misaligned(cursor ? 'file cursor' : 'file offset', offset, align.offset, op, path);
}
