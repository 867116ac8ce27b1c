import { statSync } from 'node:fs';

/**
 * The next file offset of a file workload: random block-aligned offsets from
 * a xorshift generator (the same sequence for every subject, and cheaper than
 * `Math.random`), or consecutive blocks wrapping at the end of the file.
 */
export function offsetSource(
  file: string,
  blockSize: number,
  access: 'random' | 'sequential' = 'random',
): () => number {
  const size = statSync(file).size;
  const blocks = Math.floor(size / blockSize);
  if (blocks < 1) throw new Error(`${file} is smaller than one ${blockSize}-byte block`);
  if (access === 'sequential') {
    let next = 0;
    return () => {
      const o = next * blockSize;
      next = next + 1 === blocks ? 0 : next + 1;
      return o;
    };
  }
  let x = 0x9e3779b9 | 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) % blocks) * blockSize;
  };
}

/** A block of non-zero bytes to write (zero pages could be special-cased somewhere). */
export function payload(size: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}
