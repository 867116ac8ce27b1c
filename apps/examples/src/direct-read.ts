import { createHash } from 'node:crypto';
import {
  type BufferProvider,
  type BufferSink,
  type FileOpenReadOnly,
  type IoProgram,
  type Mode,
  type Ret,
  io,
  run,
} from '@binio/core';

/** What an `O_DIRECT` reader needs: files and the engine's own (aligned) buffers. */
export type DirectReadEngine<M extends Mode> = FileOpenReadOnly<M> & BufferProvider & BufferSink;

/** What {@link directDigest} found. */
export interface DirectDigest {
  /** Bytes read. */
  readonly bytes: number;
  /** Reads it took. */
  readonly reads: number;
  /** SHA-256 of the content, hex. */
  readonly sha256: string;
}

/**
 * Reads a whole file with `O_DIRECT`, bypassing the page cache, and hashes it.
 *
 * The buffer comes from the engine, not from `new Uint8Array`: `O_DIRECT`
 * needs memory, offsets and lengths aligned to the device's logical block
 * size, and engine buffers are page-aligned native memory. On the io_uring
 * engine they are also registered with the ring, so each read is a
 * READ_FIXED and the kernel skips pinning the pages per operation. Offsets
 * advance by the buffer's size, which is a multiple of any block size, so
 * every read stays aligned; the last one comes back short at end of file.
 */
export function* directDigest<M extends Mode>(engine: DirectReadEngine<M>, path: string): IoProgram<DirectDigest> {
  const file = yield* io(engine.openReadOnly(path, { direct: true }));
  const buffer = engine.getBuffer();
  try {
    const hash = createHash('sha256');
    let offset = 0;
    let reads = 0;
    for (;;) {
      buffer.reset();
      const n = yield* io(file.readInto(buffer, { offset }));
      reads++;
      if (n === 0) break;
      hash.update(buffer.filled);
      offset += n;
      if (n < buffer.capacity) break;
    }
    return { bytes: offset, reads, sha256: hash.digest('hex') };
  } finally {
    engine.recycleBuffer(buffer);
    yield* io(file.close());
  }
}

/** Runs {@link directDigest} in the engine's mode. */
export function runDirectDigest<E extends DirectReadEngine<Mode> & { readonly mode: Mode }>(
  engine: E,
  path: string,
): Ret<E['mode'], DirectDigest> {
  return run(engine, (e) => directDigest(e, path));
}
