import { writeFileSync } from 'node:fs';
import { type Mode, OutputBuffer } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPosixEngine, type PosixEngine } from '../src/index.js';
import { expectBytes, ioError, MODES, pattern, scratch } from './helpers.js';

describe.each(MODES)('posix %s: the mmap-backed reader', (mode: Mode) => {
  let engine: PosixEngine<Mode>;
  let dir: ReturnType<typeof scratch>;
  let fds: ReturnType<typeof fdSnapshot>;
  const DATA = pattern(300_000, 5);
  let path: string;
  beforeAll(() => {
    fds = fdSnapshot();
    dir = scratch();
    engine = createPosixEngine({ mode });
    path = dir.file('m');
    writeFileSync(path, DATA);
  });
  afterAll(async () => {
    await engine.close();
    dir.dispose();
    expect(fds.leaked()).toEqual([]);
  });

  it('keeps no descriptor open and shows the whole file without copying', async () => {
    const before = fdSnapshot();
    const m = await engine.openMapped(path);
    expect(before.leaked()).toEqual([]);
    expect(m.length).toBe(DATA.byteLength);
    expect(await m.size()).toBe(DATA.byteLength);
    expectBytes(m.bytes, DATA);
    expect(m.bytes).toBe(m.bytes);
    await m.close();
  });

  it('reads at the cursor and at offsets, with short counts at the end', async () => {
    const m = await engine.openMapped(path, { populate: true });
    const a = OutputBuffer.alloc(1000);
    expect(await m.readInto(a)).toBe(1000);
    const b = OutputBuffer.alloc(10);
    expect(await m.readInto(b, { offset: 299_995 })).toBe(5);
    expect(b.filled).toEqual(DATA.subarray(299_995));
    expect(await m.readInto(OutputBuffer.alloc(10), { offset: 400_000 })).toBe(0);
    const c = OutputBuffer.alloc(1000);
    expect(await m.readFilling(c)).toBe(1000);
    expect(c.filled).toEqual(DATA.subarray(1000, 2000));
    const owned = await m.readAtOffset(100);
    expect(owned.filled).toEqual(DATA.subarray(100, 100 + owned.initialized));
    engine.recycleBuffer(owned as never);
    await m.close();
  });

  it('writes through bytes stay private to the process', async () => {
    const m = await engine.openMapped(path);
    m.bytes[0] = 255;
    await m.close();
    const again = await engine.openMapped(path);
    expect(again.bytes[0]).toBe(DATA[0]);
    await again.close();
  });

  it('after close, a kept view reads zeros instead of crashing, and reads are refused', async () => {
    const m = await engine.openMapped(path);
    const view = m.bytes;
    await m.close();
    expect(view[12345]).toBe(0);
    await ioError(() => m.readInto(OutputBuffer.alloc(4)), 'EBADF');
    expect(() => m.bytes).toThrow(expect.objectContaining({ code: 'EBADF' }));
    await m.close();
  });

  it('maps an empty file as zero bytes and refuses a missing one', async () => {
    const empty = dir.file(`empty-${mode}`);
    writeFileSync(empty, '');
    const m = await engine.openMapped(empty);
    expect(m.length).toBe(0);
    expect(await m.readInto(OutputBuffer.alloc(4))).toBe(0);
    await m.close();
    await ioError(() => engine.openMapped(dir.file('nope')), 'ENOENT');
  });
});
