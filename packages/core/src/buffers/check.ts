import { invalidArg } from '../errors.js';

/** Throws `ERR_OUT_OF_RANGE` unless `n` is an integer in [min, max]. */
export function checkInt(name: string, n: unknown, min: number, max: number): number {
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw invalidArg('ERR_INVALID_ARG_TYPE', `${name} must be an integer, got ${describe(n)}`);
  }
  if (n < min || n > max) {
    throw invalidArg('ERR_OUT_OF_RANGE', `${name} must be in [${min}, ${max}], got ${n}`);
  }
  return n;
}

/** Throws `ERR_INVALID_ARG_TYPE` unless `v` is a Uint8Array (Buffer included). */
export function checkBytes(name: string, v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array)) {
    throw invalidArg('ERR_INVALID_ARG_TYPE', `${name} must be a Uint8Array or Buffer, got ${describe(v)}`);
  }
  return v;
}

/** A short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return `an instance of ${(v as object).constructor?.name ?? 'Object'}`;
  if (typeof v === 'string') return `string '${v.length > 32 ? `${v.slice(0, 32)}…` : v}'`;
  return `${typeof v} ${String(v)}`;
}
