import { writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BufferList, InputBuffer, OutputBuffer } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asyncCallsInFlight } from '../src/file/async-call.js';
import { createPosixEngine } from '../src/index.js';
import { ASYNC_CALL_SLOTS, koffi } from '../src/libc/lib.js';
import { pattern, scratch } from './helpers.js';

// How JS memory fares in koffi's async calls: small typed arrays live on
// V8's heap, where the GC may move them. koffi hands the kernel the array's
// backing store (Node moves an on-heap array off the heap first, for good),
// so reads and writes land in the right place even while the GC runs.

const DATA = pattern(1 << 20);
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function churn(): void {
  // Garbage, then a full GC, while calls are on pool threads.
  let keep = 0;
  for (let i = 0; i < 2000; i++) keep += new Uint8Array(32).length + [i, i + 1].length;
  gc();
  expect(keep).toBeGreaterThan(0);
}

describe('async mode and JS memory', () => {
  const engine = createPosixEngine({ mode: 'async' });
  let dir: ReturnType<typeof scratch>;
  let path: string;
  let fds: ReturnType<typeof fdSnapshot>;
  beforeAll(() => {
    fds = fdSnapshot();
    dir = scratch();
    path = dir.file('data');
    writeFileSync(path, DATA);
  });
  afterAll(async () => {
    await engine.close();
    dir.dispose();
    expect(fds.leaked()).toEqual([]);
  });

  it('a small on-heap array gets one stable native address', () => {
    const small = new Uint8Array(16);
    const before = koffi.address(small);
    gc();
    churn();
    expect(koffi.address(small)).toBe(before);
  });

  it('reads into many small on-heap arrays land correctly while the GC runs', async () => {
    const f = await engine.openReadOnly(path);
    const outs = Array.from({ length: 400 }, () => new OutputBuffer(new Uint8Array(24)));
    const reads = outs.map((o, i) => f.readInto(o, { offset: i * 1000 }));
    churn();
    const counts = await Promise.all(reads);
    churn();
    outs.forEach((o, i) => {
      expect(counts[i]).toBe(24);
      expect(o.filled).toEqual(DATA.subarray(i * 1000, i * 1000 + 24));
    });
    await f.close();
  });

  it('writes from small on-heap arrays and vectored reads into them survive the GC too', async () => {
    const f = await engine.create(dir.file('w'));
    const writes = Array.from({ length: 200 }, (_, i) =>
      f.writeAll(new InputBuffer(pattern(16, i)), { offset: i * 16 }),
    );
    churn();
    await Promise.all(writes);
    const segs = Array.from({ length: 200 }, () => new Uint8Array(16));
    const list = new BufferList(segs);
    const reading = f.readv(list, { offset: 0 });
    churn();
    expect(await reading).toBe(3200);
    for (const [i, s] of segs.entries()) expect(s).toEqual(pattern(16, i));
    await f.close();
  });

  it(`queues calls beyond koffi's ${ASYNC_CALL_SLOTS} resident slots instead of failing`, async () => {
    const f = await engine.openReadOnly(path);
    const outs = Array.from({ length: 1000 }, () => OutputBuffer.alloc(8));
    const reads = outs.map((o, i) => f.readInto(o, { offset: i * 8 }));
    expect(asyncCallsInFlight()).toBeGreaterThan(ASYNC_CALL_SLOTS);
    await Promise.all(reads);
    expect(asyncCallsInFlight()).toBe(0);
    for (const [i, o] of outs.entries()) expect(o.filled).toEqual(DATA.subarray(i * 8, i * 8 + 8));
    await f.close();
  });

  it('close waits for the calls still using the descriptor', async () => {
    const f = await engine.openReadOnly(path);
    const outs = Array.from({ length: 100 }, () => OutputBuffer.alloc(4096));
    const reads = outs.map((o, i) => f.readInto(o, { offset: i * 4096 }));
    const closing = f.close();
    expect(f.closed).toBe(true);
    const counts = await Promise.all(reads);
    await closing;
    expect(counts.every((n) => n === 4096)).toBe(true);
  });
});
