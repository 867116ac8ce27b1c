import type {
  FileOpenReadOnly,
  FileOpenWriteOnly,
  IoEngine,
  ReadableFile,
  WritableFile,
} from '@binio/core';
import type { WorkerResult } from '../protocol.js';
import { fill, loadEngine, loopBuffers } from './binio-engine.js';
import { Meter, now } from './measure.js';
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
      ? runSync(engine as SyncFiles, file, spec.workload, spec.durationMs)
      : await runAsync(engine as AsyncFiles, file, spec.workload, spec.durationMs);
  } finally {
    await engine.close();
  }
}

type W = DriverContext['spec']['workload'];

function runSync(engine: SyncFiles, file: string, w: W, durationMs: number): WorkerResult {
  const bs = w.blockSize;
  const next = offsetSource(file, bs, w.access);
  const { buffers, release } = loopBuffers(engine, 1, bs);
  const out = buffers[0]!;
  const meter = new Meter();
  let result: WorkerResult;
  let ops = 0;
  const deadline = now() + durationMs;
  if (w.op === 'write') {
    const h: WritableFile<'sync'> = engine.openWriteOnly(file);
    const src = fill(out, payload(bs));
    meter.start();
    do {
      for (let i = 0; i < 16; i++) h.writeAll(src, { offset: next() });
      ops += 16;
    } while (now() < deadline);
    result = meter.stop(ops, ops * bs);
    h.close();
  } else {
    const h: ReadableFile<'sync'> = engine.openReadOnly(file);
    meter.start();
    do {
      for (let i = 0; i < 16; i++) {
        out.reset();
        if (h.readInto(out, { offset: next(), maxBytes: bs }) !== bs)
          throw new Error('short read: is the file complete?');
      }
      ops += 16;
    } while (now() < deadline);
    result = meter.stop(ops, ops * bs);
    h.close();
  }
  release();
  return result;
}

async function runAsync(
  engine: AsyncFiles,
  file: string,
  w: W,
  durationMs: number,
): Promise<WorkerResult> {
  const bs = w.blockSize;
  const next = offsetSource(file, bs, w.access);
  const { buffers, release } = loopBuffers(engine, w.queueDepth, bs);
  const meter = new Meter();
  let result: WorkerResult;
  let ops = 0;
  const deadline = now() + durationMs;
  if (w.op === 'write') {
    const h: WritableFile<'async'> = await engine.openWriteOnly(file);
    const data = payload(bs);
    const lane = async (i: number): Promise<void> => {
      const src = fill(buffers[i]!, data);
      while (now() < deadline) {
        await h.writeAll(src, { offset: next() });
        ops++;
      }
    };
    meter.start();
    await Promise.all(buffers.map((_, i) => lane(i)));
    result = meter.stop(ops, ops * bs);
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
    meter.start();
    await Promise.all(buffers.map((_, i) => lane(i)));
    result = meter.stop(ops, ops * bs);
    await h.close();
  }
  release();
  return result;
}
