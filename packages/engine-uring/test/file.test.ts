import { writeFileSync } from 'node:fs';
import { BufferList, InputBuffer, isIoError, OutputBuffer } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createUringEngine } from '../src/index.js';
import { pattern, scratchDir } from './helpers.js';

const dir = scratchDir();
afterAll(() => dir.dispose());
let n = 0;
const fresh = (data: Uint8Array) => {
  const p = dir.file(`f${n++}`);
  writeFileSync(p, data);
  return p;
};

describe.each(['sync', 'async'] as const)('uring files (%s)', (mode) => {
  it('reads into and writes from registered buffers (fixed-buffer ops)', async () => {
    const e = createUringEngine({ mode, buffers: { count: 4, size: 8192 } });
    const p = fresh(pattern(20_000));
    const f = await e.openReadWrite(p);
    const b = e.getBuffer();
    expect(b.alignment).toBe(4096);
    expect(await f.readInto(b, { offset: 100 })).toBe(8192);
    expect(b.filled).toEqual(pattern(20_000).subarray(100, 8292));
    // Write it back elsewhere from the same registered buffer.
    await f.writeAll(b, { offset: 30_000 });
    const check = OutputBuffer.alloc(8192);
    await f.readFilling(check, { offset: 30_000 });
    expect(check.filled).toEqual(b.filled);
    e.recycleBuffer(b);
    await f.close();
    await e.close();
  });

  it('registered files: IO goes through the fixed-file slot', async () => {
    const e = createUringEngine({ mode, registeredFiles: 2 });
    const files = [];
    for (let i = 0; i < 3; i++) files.push(await e.openReadOnly(fresh(pattern(64, i))));
    expect(files.map((f) => f._fixed)).toEqual([0, 1, -1]);
    for (let i = 0; i < 3; i++) {
      const out = OutputBuffer.alloc(64);
      expect(await files[i]!.readFilling(out, { offset: 0 })).toBe(64);
      expect(out.filled).toEqual(pattern(64, i));
    }
    await files[0]!.close();
    const again = await e.openReadOnly(fresh(pattern(8)));
    expect(again._fixed).toBe(0);
    await e.close();
  });

  it('O_DIRECT: aligned registered buffers work; misaligned input is refused before submission', async () => {
    const e = createUringEngine({ mode, buffers: { count: 2, size: 8192 } });
    const p = fresh(pattern(16384));
    const f = await e.openReadOnly(p, { direct: true });
    expect(f.direct).toBe(true);
    expect(f.directAlignment!.offset).toBeGreaterThan(0);
    const b = e.getBuffer();
    expect(await f.readInto(b, { offset: 4096 })).toBe(8192);
    expect(b.filled).toEqual(pattern(16384).subarray(4096, 12288));
    b.reset();
    const err = await Promise.resolve()
      .then(() => f.readInto(b, { offset: 100 }))
      .catch((x) => x);
    expect(isIoError(err) && err.code).toBe('ERR_MISALIGNED');
    expect(b.ownership).toBe('caller');
    const heap = new OutputBuffer(new Uint8Array(new ArrayBuffer(8192 + 1), 1));
    const err2 = await Promise.resolve()
      .then(() => f.readInto(heap, { offset: 0 }))
      .catch((x) => x);
    expect(isIoError(err2) && err2.code).toBe('ERR_MISALIGNED');
    e.recycleBuffer(b);
    await e.close();
  });

  it('vectored IO honours maxBytes across segments', async () => {
    const e = createUringEngine({ mode });
    const f = await e.openReadOnly(fresh(pattern(100)));
    const list = new BufferList([new Uint8Array(10), new Uint8Array(10), new Uint8Array(10)]);
    expect(await f.readv(list, { offset: 0, maxBytes: 15 })).toBe(15);
    expect(list.position).toBe(15);
    expect(list.gather()).toEqual(pattern(15));
    await e.close();
  });

  it('appends, refuses offset writes on append handles', async () => {
    const e = createUringEngine({ mode });
    const p = fresh(new TextEncoder().encode('a'));
    const f = await e.openAppend(p);
    await f.writeAll(new TextEncoder().encode('bc'));
    expect(() => f.write(new Uint8Array(1), { offset: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(await f.size()).toBe(3);
    await e.close();
  });

  it('closing the engine closes its files and leaves no descriptor behind', async () => {
    const fds = fdSnapshot();
    const e = createUringEngine({ mode, registeredFiles: 4 });
    const a = await e.openReadOnly(fresh(pattern(4)));
    const b = await e.create(dir.file(`c${n++}`));
    await b.writeAll(pattern(10));
    await e.close();
    expect(a.closed).toBe(true);
    expect(b.closed).toBe(true);
    expect(() => e.openReadOnly(dir.file('x'))).toThrow(
      expect.objectContaining({ code: 'ERR_CLOSED' }),
    );
    expect(fds.leaked()).toEqual([]);
  });

  it('a failed open leaves no descriptor and refuses bad paths before the kernel', async () => {
    const fds = fdSnapshot();
    const e = createUringEngine({ mode });
    const err = await Promise.resolve()
      .then(() => e.openReadOnly(dir.file('missing')))
      .catch((x) => x);
    expect(err).toMatchObject({ code: 'ENOENT', syscall: 'openat', path: dir.file('missing') });
    expect(() => e.openReadOnly('a\0b')).toThrow(/NUL/);
    expect(() => e.openReadOnly('')).toThrow(/empty/);
    await e.close();
    expect(fds.leaked()).toEqual([]);
  });
});

describe('uring files (async only)', () => {
  it('a write in flight holds its InputBuffer until it completes', async () => {
    const e = createUringEngine({ mode: 'async' });
    const f = await e.create(dir.file(`h${n++}`));
    const input = new InputBuffer(pattern(8));
    const w = f.write(input, { offset: 100 });
    expect(() => input.unconsumed).toThrow(
      expect.objectContaining({ code: 'ERR_BUFFER_IN_FLIGHT' }),
    );
    const wrote = await w;
    expect(wrote).toBe(8);
    expect(input.consumed).toBe(8);
    await e.close();
  });

  it('the conformance kit’s in-flight test, with the write awaited before its InputBuffer is read', async () => {
    // core's file-suite reads input.consumed before `await w` (JS evaluates
    // expect(...)'s argument first); here the READ completes inline at
    // submit while the WRITE extending the file goes to io-wq and completes
    // later, so that order fails. Awaited first, the contract holds.
    const e = createUringEngine({ mode: 'async' });
    const f = await e.create(dir.file(`h${n++}`));
    await f.writeAll(pattern(64));
    const out = OutputBuffer.alloc(64);
    const pending = f.readInto(out, { offset: 0 });
    expect(out.ownership).toBe('in-flight');
    const input = new InputBuffer(pattern(8));
    const w = f.write(input, { offset: 100 });
    expect(await pending).toBe(64);
    const wrote = await w;
    expect(input.consumed).toBe(wrote);
    await e.close();
  });

  it('an aborted open never opens (or closes what it opened)', async () => {
    const fds = fdSnapshot();
    const e = createUringEngine({ mode: 'async' });
    const ac = new AbortController();
    ac.abort();
    expect(() => e.openReadOnly(fresh(pattern(1)), { signal: ac.signal })).toThrow(
      expect.objectContaining({ code: 'ERR_ABORTED' }),
    );
    await e.close();
    expect(fds.leaked()).toEqual([]);
  });

  it('many reads in flight at once, more than the slot table holds', async () => {
    const e = createUringEngine({ mode: 'async', entries: 8, cqEntries: 16 });
    const data = pattern(64 * 1024);
    const f = await e.openReadOnly(fresh(data));
    const outs = Array.from({ length: 200 }, () => OutputBuffer.alloc(256));
    const got = await Promise.all(
      outs.map((o, i) => f.readInto(o, { offset: (i * 256) % data.byteLength })),
    );
    expect(got.every((g) => g === 256)).toBe(true);
    outs.forEach((o, i) => {
      const at = (i * 256) % data.byteLength;
      expect(Buffer.from(o.filled).equals(data.subarray(at, at + 256))).toBe(true);
    });
    await e.close();
  });
});
