import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import type { WorkerResult } from '../protocol.js';
import { measureLoop, now, warmupKey } from './measure.js';
import { offsetSource, payload } from './offsets.js';
import { type DriverContext, required } from './types.js';

/** Node's `fs.readSync`/`fs.writeSync` at queue depth 1: the synchronous reference. */
export async function run({ spec }: DriverContext): Promise<WorkerResult> {
  const file = required(spec.file, 'file');
  const { blockSize: bs, op, access } = spec.workload;
  const next = offsetSource(file, bs, access);
  const fd = openSync(file, op === 'write' ? 'r+' : 'r');
  const buf = Buffer.from(payload(bs));
  const loop = (ms: number): number => {
    const deadline = now() + ms;
    let ops = 0;
    if (op === 'write') {
      do {
        for (let i = 0; i < 16; i++) writeSync(fd, buf, 0, bs, next());
        ops += 16;
      } while (now() < deadline);
    } else {
      do {
        for (let i = 0; i < 16; i++) {
          if (readSync(fd, buf, 0, bs, next()) !== bs)
            throw new Error('short read: is the file complete?');
        }
        ops += 16;
      } while (now() < deadline);
    }
    return ops;
  };
  const result = measureLoop(warmupKey(spec), spec.durationMs, bs, loop);
  closeSync(fd);
  return result;
}
