/**
 * Byte helpers shared by the address classes: checked copies in (so callers
 * cannot alias internal state) and checked copies out (so engines can fill a
 * sockaddr struct without allocating).
 */
import { IoError } from '../errors.js';
import { invalidType } from './refuse.js';

/** Returns a private copy of `value`, which must be a Uint8Array of exactly `length` bytes. */
export function copyExact(value: unknown, length: number, who: string, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalidType(who, 'a Uint8Array', value);
  if (value.length !== length) {
    throw new IoError({
      code: 'ERR_INVALID_ADDRESS',
      message: `Invalid ${what} bytes: expected exactly ${length} bytes, got ${value.length}`,
    });
  }
  return value.slice();
}

/**
 * Copies `source` into `target` at `offset`, refusing a target that is not a
 * Uint8Array or too short, rather than letting a RangeError (or a silent
 * partial write) escape.
 */
export function copyOut(source: Uint8Array, target: unknown, offset: unknown, who: string): void {
  if (!(target instanceof Uint8Array)) throw invalidType(who, 'a Uint8Array target', target);
  if (typeof offset !== 'number') throw invalidType(who, 'a number offset', offset);
  if (!Number.isInteger(offset) || offset < 0 || offset + source.length > target.length) {
    throw new IoError({
      code: 'ERR_OUT_OF_RANGE',
      message: `${who}: ${source.length} bytes at offset ${offset} do not fit a target of ${target.length} bytes`,
    });
  }
  target.set(source, offset);
}

/** True when `a` and `b` hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
