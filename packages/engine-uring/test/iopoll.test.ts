import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createUringEngine } from '../src/index.js';
import { pattern, scratchDir } from './helpers.js';

// What an IOPOLL ring refuses (everything but reads and writes: EINVAL) goes
// through plain system calls; a read it cannot poll fails with a clear error.
// Polled IO itself needs a device that polls: iopoll-qemu.test.ts.

const dir = scratchDir();
afterAll(() => dir.dispose());

describe.each(['sync', 'async'] as const)('iopoll engine on this host (%s)', (mode) => {
  it('opens, stats, fsyncs and closes files through plain syscalls (the ring refuses them)', async () => {
    const p = dir.file(`direct-${mode}`);
    writeFileSync(p, pattern(16384));
    const e = createUringEngine({ mode, iopoll: true, buffers: { count: 2, size: 8192 } });
    expect(e.ring.flags & 1).toBe(1);
    const f = await e.openReadWrite(p, { direct: true });
    expect(f.directAlignment!.offset).toBeGreaterThan(0);
    expect(await f.size()).toBe(16384);
    await f.fsync();
    await f.fsync({ dataOnly: true });
    await f.fallocate(16384, 4096);
    await f.notifyExpectedReadAmount(4096, { offset: 0 });
    // O_DIRECT on a device that does not poll (virtio here): newer kernels
    // refuse the polled read (EOPNOTSUPP), older ones complete it by interrupt.
    const b = e.getBuffer();
    try {
      expect(await f.readInto(b, { offset: 4096 })).toBe(8192);
      expect(b.filled).toEqual(pattern(16384).subarray(4096, 12288));
    } catch (err) {
      expect(err).toMatchObject({ code: 'EOPNOTSUPP', engine: 'uring' });
      expect((err as Error).message).toMatch(/iopoll: true.*direct: true.*poll/);
    }
    e.recycleBuffer(b);
    await f.close();
    expect(f.closed).toBe(true);
    await expect(
      Promise.resolve().then(() => e.openReadOnly(dir.file('nope'))),
    ).rejects.toMatchObject({ code: 'ENOENT', syscall: 'openat' });
    await e.close();
  });

  it('a read the ring cannot poll (no O_DIRECT) fails with EOPNOTSUPP naming the cause', async () => {
    const p = dir.file(`buffered-${mode}`);
    writeFileSync(p, pattern(100));
    const e = createUringEngine({ mode, iopoll: true, buffers: { count: 1, size: 4096 } });
    const f = await e.openReadOnly(p);
    const b = e.getBuffer();
    const err = await Promise.resolve()
      .then(() => f.readInto(b, { offset: 0 }))
      .catch((x: unknown) => x);
    expect(err).toMatchObject({ code: 'EOPNOTSUPP', engine: 'uring' });
    expect((err as Error).message).toMatch(/iopoll: true.*direct: true/);
    e.recycleBuffer(b);
    await f.close();
    await e.close();
  });
});
