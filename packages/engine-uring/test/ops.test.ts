import { isIoError, OutputBuffer } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { UringBatch } from '../src/engine/batch.js';
import { UringCore } from '../src/engine/core.js';
import { createUringEngine } from '../src/index.js';
import { Setup } from '../src/uring/abi.js';
import { Ring } from '../src/uring/ring.js';
import { blockingFifo, errOf, pattern, scratchDir } from './helpers.js';

const dir = scratchDir();
afterAll(() => dir.dispose());
let n = 0;

describe.each(['sync', 'async'] as const)('NOP and timeouts (%s)', (mode) => {
  it('nop and sleep go through the ring', async () => {
    const e = createUringEngine({ mode });
    expect(await e.nop()).toBeUndefined();
    const t = Date.now();
    await e.sleep(20);
    expect(Date.now() - t).toBeGreaterThanOrEqual(15);
    await e.close();
  });

  it('refuses bad durations before the kernel', async () => {
    const e = createUringEngine({ mode });
    expect(() => e.sleep(-1)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => e.sleep(Number.NaN)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    await e.close();
  });
});

describe('cancellation and closing (async)', () => {
  it('an AbortSignal cancels a timeout in the kernel', async () => {
    const e = createUringEngine({ mode: 'async' });
    const ac = new AbortController();
    const p = e.sleep(60_000, { signal: ac.signal });
    setTimeout(() => ac.abort(), 5);
    expect(await errOf(() => p)).toMatchObject({ code: 'ERR_ABORTED' });
    await e.close();
  });

  it('an AbortSignal cancels a read that is waiting, and gives the buffer back', async () => {
    const e = createUringEngine({ mode: 'async' });
    const fifo = blockingFifo(dir, `p${n++}`);
    const f = await e.openReadOnly(fifo.path);
    const out = OutputBuffer.alloc(16);
    const ac = new AbortController();
    const p = f.readInto(out, { signal: ac.signal });
    expect(out.ownership).toBe('in-flight');
    setTimeout(() => ac.abort(new Error('enough')), 5);
    const err = await errOf(() => p);
    expect(err).toMatchObject({ code: 'ERR_ABORTED' });
    expect((err as Error).cause).toEqual(new Error('enough'));
    expect(out.ownership).toBe('caller');
    expect(out.initialized).toBe(0);
    // The file still works afterwards.
    fifo.write('hi');
    expect(await f.readInto(out)).toBe(2);
    await e.close();
    fifo.close();
  });

  it('closing with operations in flight settles every one with an error and gives buffers back', async () => {
    const fds = fdSnapshot();
    const e = createUringEngine({ mode: 'async' });
    const fifo = blockingFifo(dir, `p${n++}`);
    const f = await e.openReadOnly(fifo.path);
    const outs = [OutputBuffer.alloc(8), OutputBuffer.alloc(8), OutputBuffer.alloc(8)];
    const ps = outs.map((o) => f.readInto(o, { retryOnInterrupt: false }));
    const sleeping = e.sleep(60_000);
    await new Promise((r) => setTimeout(r, 10));
    await e.close();
    for (const p of [...ps, sleeping]) {
      const err = await errOf(() => p);
      expect(isIoError(err)).toBe(true);
      expect((err as { code: string }).code).toBe('ERR_CLOSED');
    }
    for (const o of outs) expect(o.ownership).toBe('caller');
    fifo.close();
    expect(fds.leaked()).toEqual([]);
  });
});

describe('CQ overflow', () => {
  it('never loses a completion when far more complete than the CQ holds', () => {
    // 32-entry CQ, 400 NOPs completed before anything is reaped: the kernel
    // keeps the excess on its overflow list (IORING_FEAT_NODROP) and the
    // reap loop flushes it back in.
    const ring = Ring.create({
      entries: 32,
      cqEntries: 32,
      flags: Setup.SINGLE_ISSUER | Setup.DEFER_TASKRUN,
    });
    const core = new UringCore(ring, 'sync', 512);
    const seen = new Uint8Array(400);
    const batch = new UringBatch(
      core,
      {
        core,
        pool: () => {
          throw new Error('no pool');
        },
        isRegistered: (_b): _b is never => false,
        forget() {},
      },
      (tag, res) => {
        expect(res).toBe(0);
        seen[tag]!++;
      },
    );
    for (let i = 0; i < 400; i++) {
      if (ring.sqSpace === 0) ring.submit(0);
      batch.nop(i);
    }
    ring.submit(0);
    expect(ring.cqOverflowPending).toBe(true);
    expect(batch.wait(400)).toBe(400);
    expect([...seen].every((c) => c === 1)).toBe(true);
    expect(ring.cqOverflowCount).toBe(0);
    core.close();
  });
});

describe.each(['sync', 'async'] as const)('batch API (%s)', (mode) => {
  it('reads with tags into registered buffers, one handler, no Promises', async () => {
    const data = pattern(64 * 1024);
    const p = dir.file(`b${n++}`);
    const e = createUringEngine({ mode, buffers: { count: 8, size: 4096 } });
    const w = await e.create(p);
    await w.writeAll(data);
    const bufs = e.getBuffers(8);
    const got: number[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => {
      done = r;
    });
    const batch = e.batch((tag, res) => {
      expect(res).toBe(4096);
      const b = bufs[tag]!;
      // Buffer.equals: vitest's deep equality walks typed arrays slowly.
      expect(Buffer.from(b.filled).equals(data.subarray(tag * 4096, tag * 4096 + 4096))).toBe(true);
      got.push(tag);
      if (got.length === 8) done();
    });
    for (let i = 0; i < 8; i++) batch.read(w, bufs[i]!, i * 4096, i);
    expect(bufs[0]!.ownership).toBe('in-flight');
    if (mode === 'sync') expect(batch.wait(8)).toBe(8);
    await finished;
    expect(got.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    e.recycleBuffers(bufs);
    await e.close();
  });

  it('linked chains run in order; a link timeout cancels a read that waits too long', async () => {
    const e = createUringEngine({ mode });
    const fifo = blockingFifo(dir, `p${n++}`);
    const f = await e.openReadOnly(fifo.path);
    const results = new Map<number, number>();
    let done!: () => void;
    const finished = new Promise<void>((r) => {
      done = r;
    });
    const batch = e.batch((tag, res) => {
      results.set(tag, res);
      if (results.size === 4) done();
    });
    batch.nop(1);
    batch.link();
    batch.timeout(1, 2); // runs after the NOP; expires: -ETIME
    const out = OutputBuffer.alloc(8);
    batch.read(f, out, -1, 3);
    batch.linkTimeout(20, 4);
    if (mode === 'sync') batch.wait(4);
    await finished;
    expect(results.get(1)).toBe(0);
    expect(results.get(2)).toBe(-62); // ETIME
    expect(results.get(3)).toBe(-125); // ECANCELED: the read was cut off
    expect(results.get(4)).toBe(-62);
    expect(out.ownership).toBe('caller');
    await e.close();
    fifo.close();
  });

  it('refuses operations beyond the slot table with EBUSY, and on closed files with EBADF', async () => {
    const e = createUringEngine({ mode, entries: 4, cqEntries: 4 });
    const batch = e.batch(() => {});
    for (let i = 0; i < 4; i++) batch.nop(i);
    expect(() => batch.nop(9)).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    if (mode === 'sync') batch.wait(4);
    else await new Promise((r) => setTimeout(r, 10));
    const f = await e.create(dir.file(`b${n++}`));
    await f.close();
    expect(() => batch.read(f, OutputBuffer.alloc(4), 0, 1)).toThrow(
      expect.objectContaining({ code: 'EBADF' }),
    );
    await e.close();
  });
});
