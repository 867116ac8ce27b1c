import { type FileHandler, type IoProgram, type Mode, OutputBuffer, type Ret, io, run } from '@binio/core';

/**
 * Copies a file, written once in the generator style: on a sync engine it
 * runs straight through (no Promise, no microtask), on an async engine it
 * returns a Promise. Reads fill a block, writes write it all.
 */
export function* copyFile<M extends Mode>(engine: FileHandler<M>, from: string, to: string, blockSize = 1 << 16): IoProgram<number> {
  const src = yield* io(engine.openReadOnly(from));
  try {
    const dst = yield* io(engine.create(to, { exclusive: false }));
    try {
      const block = OutputBuffer.alloc(blockSize);
      let copied = 0;
      for (;;) {
        block.reset();
        const n = yield* io(src.readFilling(block));
        if (n === 0) break;
        yield* io(dst.writeAll(block));
        copied += n;
        if (n < blockSize) break;
      }
      return copied;
    } finally {
      yield* io(dst.close());
    }
  } finally {
    yield* io(src.close());
  }
}

/** Runs {@link copyFile} in the engine's mode. */
export function runCopyFile<E extends FileHandler<Mode> & { readonly mode: Mode }>(engine: E, from: string, to: string, blockSize?: number): Ret<E['mode'], number> {
  return run(engine, (e) => copyFile(e, from, to, blockSize));
}
