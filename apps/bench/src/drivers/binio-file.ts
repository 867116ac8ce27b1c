import type {
  FileOpenReadOnly,
  FileOpenWriteOnly,
  IoEngine,
  ReadableFile,
  WritableFile,
} from '@binio/core';
import type { WorkerResult, WorkerSpec } from '../protocol.js';
import { fill, loadEngine, loopBuffers } from './binio-engine.js';
import { measureLoop, measureLoopAsync, now, warmupKey } from './measure.js';
import { offsetSource, payload } from './offsets.js';
import { type DriverContext, required } from './types.js';

type SyncFiles = IoEngine<'sync'> & FileOpenReadOnly<'sync'> & FileOpenWriteOnly<'sync'>;
type AsyncFiles = IoEngine<'async'> & FileOpenReadOnly<'async'> & FileOpenWriteOnly<'async'>;

/**
 * A binio engine's file handles: `readInto(out, { offset })` /
 * `writeAll(buf, { offset })`, one at a time on a sync engine, the
 * workload's queue depth at once on an async one.
 */
export async function run({ spec }: DriverContext): Promise<WorkerResult> {
  const file = required(spec.file, 'file');
  const engine = await loadEngine(required(spec.engine, 'engine'));
  try {
    return engine.mode === 'sync'
      ? runSync(engine as SyncFiles, file, spec)
      : await runAsync(engine as AsyncFiles, file, spec);
  } finally {
    await engine.close();
  }
}

function runSync(engine: SyncFiles, file: string, spec: WorkerSpec): WorkerResult {
  const w = spec.workload;
  const bs = w.blockSize;
  const next = offsetSource(file, bs, w.access);
  const { buffers, release } = loopBuffers(engine, 1, bs);
  const out = buffers[0]!;
  let result: WorkerResult;
  if (w.op === 'write') {
    const h: WritableFile<'sync'> = engine.openWriteOnly(file);
    const src = fill(out, payload(bs));
    const loop = (ms: number): number => {
      const deadline = now() + ms;
      let ops = 0;
      do {
        for (let i = 0; i < 16; i++) h.writeAll(src, { offset: next() });
        ops += 16;
      } while (now() < deadline);
      return ops;
    };
    result = measureLoop(warmupKey(spec), spec.durationMs, bs, loop);
    h.close();
  } else {
    const h: ReadableFile<'sync'> = engine.openReadOnly(file);
    const loop = (ms: number): number => {
      const deadline = now() + ms;
      let ops = 0;
      do {
        for (let i = 0; i < 16; i++) {
          out.reset();
          if (h.readInto(out, { offset: next(), maxBytes: bs }) !== bs)
            throw new Error('short read: is the file complete?');
        }
        ops += 16;
      } while (now() < deadline);
      return ops;
    };
    result = measureLoop(warmupKey(spec), spec.durationMs, bs, loop);
    h.close();
  }
  release();
  return result;
}

async function runAsync(engine: AsyncFiles, file: string, spec: WorkerSpec): Promise<WorkerResult> {
  const w = spec.workload;
  const bs = w.blockSize;
  const next = offsetSource(file, bs, w.access);
  const { buffers, release } = loopBuffers(engine, w.queueDepth, bs);
  let result: WorkerResult;
  let ops = 0;
  let deadline = 0;
  // Runs `lane` on every buffer until the deadline `ms` from now; returns the ops done.
  const phase = async (ms: number, lane: (i: number) => Promise<void>): Promise<number> => {
    deadline = now() + ms;
    ops = 0;
    await Promise.all(buffers.map((_, i) => lane(i)));
    return ops;
  };
  if (w.op === 'write') {
    const h: WritableFile<'async'> = await engine.openWriteOnly(file);
    const data = payload(bs);
    const sources = buffers.map((b) => fill(b, data));
    const lane = async (i: number): Promise<void> => {
      const src = sources[i]!;
      while (now() < deadline) {
        await h.writeAll(src, { offset: next() });
        ops++;
      }
    };
    result = await measureLoopAsync(warmupKey(spec), spec.durationMs, bs, (ms) => phase(ms, lane));
    await h.close();
  } else {
    const h: ReadableFile<'async'> = await engine.openReadOnly(file);
    const lane = async (i: number): Promise<void> => {
      const out = buffers[i]!;
      while (now() < deadline) {
        out.reset();
        if ((await h.readInto(out, { offset: next(), maxBytes: bs })) !== bs) {
          throw new Error('short read: is the file complete?');
        }
        ops++;
      }
    };
    result = await measureLoopAsync(warmupKey(spec), spec.durationMs, bs, (ms) => phase(ms, lane));
    await h.close();
  }
  release();
  return result;
}
