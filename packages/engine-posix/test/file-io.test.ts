import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { BufferList, InputBuffer, type Mode, OutputBuffer } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPosixEngine, type PosixEngine } from '../src/index.js';
import { lseek } from '../src/libc/file-calls.js';
import { SEEK } from '../src/linux/file-constants.js';
import { expectBytes, ioError, MODES, pattern, scratch } from './helpers.js';

describe.each(MODES)('posix %s: file IO on the real kernel', (mode: Mode) => {
  let engine: PosixEngine<Mode>;
  let dir: ReturnType<typeof scratch>;
  let fds: ReturnType<typeof fdSnapshot>;
  let n = 0;
  const next = () => dir.file(`f${n++}`);

  beforeAll(() => {
    fds = fdSnapshot();
    dir = scratch();
    engine = createPosixEngine({ mode });
  });
  afterAll(async () => {
    await engine.close();
    dir.dispose();
    expect(fds.leaked()).toEqual([]);
  });

  it('returns plain values in sync mode and Promises in async mode', async () => {
    const p = next();
    writeFileSync(p, pattern(10));
    const opened = engine.openReadOnly(p);
    expect(opened instanceof Promise).toBe(mode === 'async');
    const f = await opened;
    const r = f.readInto(OutputBuffer.alloc(4));
    expect(r instanceof Promise).toBe(mode === 'async');
    expect(await r).toBe(4);
    await f.close();
  });

  it('moves the cursor without an offset and leaves it with one', async () => {
    const p = next();
    writeFileSync(p, pattern(100));
    const f = await engine.openReadOnly(p);
    const a = OutputBuffer.alloc(10);
    expect(await f.readInto(a)).toBe(10);
    const b = OutputBuffer.alloc(10);
    expect(await f.readInto(b, { offset: 50 })).toBe(10);
    expect(b.filled).toEqual(pattern(100).subarray(50, 60));
    // The kernel's cursor is where the cursor read left it.
    expect(Number(lseek(f.fd, 0, SEEK.SEEK_CUR))).toBe(10);
    const c = OutputBuffer.alloc(10);
    await f.readInto(c);
    expect(c.filled).toEqual(pattern(100).subarray(10, 20));
    await f.close();
  });

  it('returns a short count at EOF, then 0; readFilling stops there', async () => {
    const p = next();
    writeFileSync(p, pattern(1000));
    const f = await engine.openReadOnly(p);
    const out = OutputBuffer.alloc(4096);
    expect(await f.readInto(out, { offset: 900 })).toBe(100);
    expect(await f.readInto(out, { offset: 1000 })).toBe(0);
    const fill = OutputBuffer.alloc(4096);
    expect(await f.readFilling(fill)).toBe(1000);
    expect(fill.filled).toEqual(pattern(1000));
    expect(await f.readFilling(OutputBuffer.alloc(10))).toBe(0);
    await f.close();
  });

  it('honours maxBytes on reads and writes and consumes InputBuffers by what was written', async () => {
    const p = next();
    const f = await engine.create(p);
    const input = new InputBuffer(pattern(5000));
    expect(await f.write(input, { maxBytes: 1000 })).toBe(1000);
    expect(input.consumed).toBe(1000);
    await f.writeAll(input, { maxBytes: 3000 });
    expect(input.consumed).toBe(4000);
    await f.writeAll(input);
    expect(input.remaining).toBe(0);
    const out = OutputBuffer.alloc(8000);
    expect(await f.readInto(out, { offset: 0, maxBytes: 7 })).toBe(7);
    expect(await f.readFilling(out, { offset: 7, maxBytes: 93 })).toBe(93);
    expect(await f.readFilling(out, { offset: 100 })).toBe(4900);
    expectBytes(out.filled, pattern(5000));
    await f.close();
    expect(readFileSync(p)).toEqual(Buffer.from(pattern(5000)));
  });

  it('writes at offsets (writeAtOffset, write with offset) without moving the cursor', async () => {
    const p = next();
    const f = await engine.create(p);
    await f.writeBuffer(new TextEncoder().encode('0123456789'));
    await f.writeAtOffset(new TextEncoder().encode('ab'), 2);
    expect(await f.write(new TextEncoder().encode('Z'), { offset: 9 })).toBe(1);
    await f.writeAll(new TextEncoder().encode('++'));
    await f.close();
    expect(readFileSync(p, 'utf8')).toBe('01ab45678Z++');
  });

  it('writes an OutputBuffer source (its filled bytes) and gives it back', async () => {
    const p = next();
    const f = await engine.create(p);
    const src = OutputBuffer.alloc(16).append(pattern(9));
    await f.writeAll(src);
    expect(src.ownership).toBe('caller');
    expect(src.initialized).toBe(9);
    await f.close();
    expect(readFileSync(p)).toEqual(Buffer.from(pattern(9)));
  });

  it('does vectored IO at the cursor and at offsets, tracking the list position', async () => {
    const p = next();
    const f = await engine.create(p);
    const wl = new BufferList([pattern(3), new Uint8Array(0), pattern(5, 3), pattern(7, 8)]);
    expect(await f.writev(wl)).toBe(15);
    expect(wl.remaining).toBe(0);
    const part = new BufferList([pattern(4, 100), pattern(4, 104)]);
    expect(await f.writev(part, { offset: 15, maxBytes: 6 })).toBe(6);
    expect(part.position).toBe(6);
    expect(await f.writev(part, { offset: 21 })).toBe(2);
    const rl = new BufferList([new Uint8Array(2), new Uint8Array(20)]);
    expect(await f.readv(rl, { offset: 0 })).toBe(22);
    expect(rl.gather().subarray(0, 15)).toEqual(pattern(15));
    expect(rl.gather().subarray(15)).toEqual(pattern(7, 100));
    const atEof = new BufferList([new Uint8Array(4)]);
    expect(await f.readv(atEof, { offset: 23 })).toBe(0);
    await f.close();
  });

  it('hands out owned buffers from read() and readAtOffset() and takes them back', async () => {
    const p = next();
    writeFileSync(p, pattern(100_000));
    const f = await engine.openReadOnly(p);
    const a = await f.read();
    expect(a.initialized).toBe(65536);
    expectBytes(a.filled, pattern(100_000).subarray(0, 65536));
    const b = await f.readAtOffset(99_990);
    expect(b.filled).toEqual(pattern(100_000).subarray(99_990));
    engine.recycleBuffers([a as never, b as never]);
    expect(engine.pool.available).toBe(engine.pool.size);
    // A failed owned read recycles its buffer.
    await f.close();
    await ioError(() => f.readAtOffset(0), 'EBADF');
    expect(engine.pool.available).toBe(engine.pool.size);
  });

  it('reports size, stat and the preferred block size (st_blksize)', async () => {
    const p = next();
    writeFileSync(p, pattern(12_345));
    const f = await engine.openReadOnly(p);
    expect(await f.size()).toBe(12_345);
    expect((await f.stat()).size).toBe(12_345);
    expect(await f.preferredBlockSize()).toBe(statSync(p).blksize);
    await f.close();
  });

  it('takes read and write hints and syncs', async () => {
    const p = next();
    const f = await engine.create(p);
    await f.writeAll(pattern(8192));
    await f.notifyExpectedReadAmount(8192, { offset: 0 });
    await f.notifyExpectedReadAmount(100);
    await f.notifyExpectedReadAmount(0);
    await f.notifyExpectedWriteAmount(1 << 20, { offset: 8192 });
    // Reserved without changing the size, but blocks are allocated.
    expect(await f.size()).toBe(8192);
    expect(statSync(p).blocks * 512).toBeGreaterThanOrEqual((1 << 20) + 8192);
    await f.notifyExpectedWriteAmount(4096);
    await f.flush();
    await f.fsync();
    await f.fsync({ dataOnly: true });
    await f.close();
  });

  it('appends in append mode and refuses offset writes there (Linux would append anyway)', async () => {
    const p = next();
    writeFileSync(p, 'head');
    const a = await engine.openAppend(p);
    expect(a.capabilities.has('handle.offsetWriter')).toBe(false);
    await a.writeAll(new TextEncoder().encode('-tail'));
    const e = await ioError(() => a.writeAtOffset(new Uint8Array(1), 0), 'ERR_UNSUPPORTED');
    expect(e.message).toContain('appending');
    await ioError(() => a.write(new Uint8Array(1), { offset: 0 }), 'ERR_UNSUPPORTED');
    await a.notifyExpectedWriteAmount(4096);
    await a.close();
    expect(readFileSync(p, 'utf8')).toBe('head-tail');
  });

  it('opens with the flags asked for: O_CLOEXEC always, O_DSYNC/O_SYNC, O_NOFOLLOW, mode bits', async () => {
    const p = next();
    const f = await engine.create(p, { mode: 0o640, sync: 'data' });
    const flags = readFileSync(`/proc/self/fdinfo/${f.fd}`, 'utf8');
    const value = Number.parseInt(/flags:\s+(\d+)/.exec(flags)![1]!, 8);
    expect(value & 0o2000000).toBe(0o2000000); // O_CLOEXEC
    expect(value & 0o10000).toBe(0o10000); // O_DSYNC
    expect(statSync(p).mode & 0o777).toBe(0o640 & ~process.umask());
    await f.close();
    const s = await engine.openWriteOnly(p, { sync: 'full' });
    const sflags = Number.parseInt(
      /flags:\s+(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${s.fd}`, 'utf8'))![1]!,
      8,
    );
    expect(sflags & 0o4010000).toBe(0o4010000); // O_SYNC
    await s.close();
    const link = next();
    const { symlinkSync } = await import('node:fs');
    symlinkSync(p, link);
    await ioError(() => engine.openReadOnly(link, { noFollow: true }), 'ELOOP');
    const viaLink = await engine.openReadOnly(link);
    await viaLink.close();
  });

  it('creates exclusively by default, and truncates when not exclusive', async () => {
    const p = next();
    writeFileSync(p, 'old contents');
    await ioError(() => engine.create(p), 'EEXIST');
    const f = await engine.create(p, { exclusive: false });
    expect(await f.size()).toBe(0);
    await f.close();
    writeFileSync(p, 'keep');
    const g = await engine.create(p, { exclusive: false, truncate: false });
    expect(await g.size()).toBe(4);
    await g.close();
  });

  it('lists per-handle capabilities by how the file was opened', async () => {
    const p = next();
    writeFileSync(p, '');
    const r = await engine.openReadOnly(p);
    const w = await engine.openWriteOnly(p);
    expect([...r.capabilities].sort()).toEqual(
      [
        'handle.notifyReadAmount',
        'handle.offsetReader',
        'handle.preferredBlockSize',
        'handle.reader',
        'handle.vectored',
      ].sort(),
    );
    expect([...w.capabilities].sort()).toEqual(
      [
        'handle.flush',
        'handle.notifyWriteAmount',
        'handle.offsetWriter',
        'handle.preferredBlockSize',
        'handle.sync',
        'handle.vectored',
        'handle.writer',
      ].sort(),
    );
    await r.close();
    await w.close();
  });
});
