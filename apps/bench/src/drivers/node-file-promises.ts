import { open } from 'node:fs/promises';
import type { WorkerResult } from '../protocol.js';
import { measureLoopAsync, now, warmupKey } from './measure.js';
import { offsetSource, payload } from './offsets.js';
import { type DriverContext, required } from './types.js';

/**
 * Node's `fs.promises` `FileHandle.read`/`write` with the workload's queue
 * depth of operations in flight: the asynchronous reference (libuv's pool).
 */
export async function run({ spec }: DriverContext): Promise<WorkerResult> {
  const file = required(spec.file, 'file');
  const { blockSize: bs, op, access, queueDepth } = spec.workload;
  const next = offsetSource(file, bs, access);
  const fh = await open(file, op === 'write' ? 'r+' : 'r');
  const bufs = Array.from({ length: queueDepth }, () => Buffer.from(payload(bs)));
  let deadline = 0;
  let ops = 0;
  const lane = async (buf: Buffer): Promise<void> => {
    while (now() < deadline) {
      if (op === 'write') {
        await fh.write(buf, 0, bs, next());
      } else if ((await fh.read(buf, 0, bs, next())).bytesRead !== bs) {
        throw new Error('short read: is the file complete?');
      }
      ops++;
    }
  };
  const loop = async (ms: number): Promise<number> => {
    deadline = now() + ms;
    ops = 0;
    await Promise.all(bufs.map(lane));
    return ops;
  };
  const result = await measureLoopAsync(warmupKey(spec), spec.durationMs, bs, loop);
  await fh.close();
  return result;
}
