import type { OutputBuffer, ReadableFile } from '@binio/core';
import type { WorkerResult } from '../protocol.js';
import { loadEngine, loopBuffers } from './binio-engine.js';
import { measureLoopAsync, now, warmupKey } from './measure.js';
import { offsetSource } from './offsets.js';
import { type DriverContext, required } from './types.js';

/** The part of the io_uring engine's batch API this driver uses. */
interface BatchEngine {
  batch(handler: (tag: number, res: number, flags: number) => void): {
    read(file: ReadableFile<'async'>, out: OutputBuffer, offset: number, tag: number): void;
  };
  openReadOnly(path: string): Promise<ReadableFile<'async'>>;
}

/**
 * io_uring's batch API on reads: the workload's queue depth of reads in
 * flight, each completion re-issuing its lane from the one handler (numeric
 * tags, no Promise per read), registered buffers from the engine's pool.
 */
export async function run({ spec }: DriverContext): Promise<WorkerResult> {
  const file = required(spec.file, 'file');
  const w = spec.workload;
  if (w.op === 'write') throw new Error('the batch driver measures reads only');
  const engine = await loadEngine(required(spec.engine, 'engine'));
  const e = engine as unknown as BatchEngine;
  if (engine.mode !== 'async' || typeof e.batch !== 'function')
    throw new Error(`${spec.engine?.package} has no async batch API`);
  try {
    const bs = w.blockSize;
    const next = offsetSource(file, bs, w.access);
    const { buffers, release } = loopBuffers(engine, w.queueDepth, bs);
    const h = await e.openReadOnly(file);
    let deadline = 0;
    let ops = 0;
    let inFlight = 0;
    let stop = false;
    let failure: Error | undefined;
    let finish: () => void = () => {};
    const batch = e.batch((tag, res) => {
      inFlight--;
      if (res !== bs && failure === undefined) {
        failure = new Error(res < 0 ? `read failed: errno ${-res}` : `short read ${res}`);
        stop = true;
      }
      ops++;
      // The clock is read once per 256 completions, as the trait driver reads it per lane turn.
      if ((ops & 255) === 0 && now() > deadline) stop = true;
      if (stop) {
        if (inFlight === 0) finish();
        return;
      }
      const out = buffers[tag]!;
      out.reset();
      batch.read(h, out, next(), tag);
      inFlight++;
    });
    // Every lane reads until `ms` from now; resolves with the reads done once all have landed.
    const loop = (ms: number): Promise<number> => {
      deadline = now() + ms;
      ops = 0;
      stop = false;
      const done = new Promise<number>((resolve) => {
        finish = () => resolve(ops);
      });
      for (let i = 0; i < buffers.length; i++) {
        const out = buffers[i]!;
        out.reset();
        batch.read(h, out, next(), i);
        inFlight++;
      }
      return done;
    };
    const result = await measureLoopAsync(warmupKey(spec), spec.durationMs, bs, loop);
    if (failure !== undefined) throw failure;
    await h.close();
    release();
    return result;
  } finally {
    await engine.close();
  }
}
