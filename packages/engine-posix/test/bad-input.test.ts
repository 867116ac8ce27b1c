import { readFileSync, writeFileSync } from 'node:fs';
import { BufferList, InputBuffer, type Mode, OutputBuffer } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPosixEngine, type PosixEngine, type PosixFile } from '../src/index.js';
import { lseek } from '../src/libc/file-calls.js';
import { SEEK } from '../src/linux/file-constants.js';
import { ioError, MODES, pattern, scratch } from './helpers.js';

// Every refusal here must happen before any syscall: the tests check that
// the file, its cursor, the buffers and the descriptor table are untouched.
describe.each(MODES)('posix %s: bad input is refused before the kernel', (mode: Mode) => {
  let engine: PosixEngine<Mode>;
  let dir: ReturnType<typeof scratch>;
  let fds: ReturnType<typeof fdSnapshot>;
  let f: PosixFile<Mode>;
  let path: string;

  beforeAll(async () => {
    fds = fdSnapshot();
    dir = scratch();
    engine = createPosixEngine({ mode });
    path = dir.file('data');
    writeFileSync(path, pattern(64));
    f = await engine.openReadWrite(path);
    await f.readInto(OutputBuffer.alloc(8)); // cursor at 8
  });
  afterAll(async () => {
    await engine.close();
    dir.dispose();
    expect(fds.leaked()).toEqual([]);
  });

  function untouched(): void {
    expect(readFileSync(path)).toEqual(Buffer.from(pattern(64)));
    expect(Number(lseek(f.fd, 0, SEEK.SEEK_CUR))).toBe(8);
  }

  it('refuses bad offsets', async () => {
    const out = OutputBuffer.alloc(8);
    for (const [offset, code] of [
      [-1, 'ERR_OUT_OF_RANGE'],
      [2 ** 53, 'ERR_OUT_OF_RANGE'],
      [1.5, 'ERR_INVALID_ARG_TYPE'],
      [Number.NaN, 'ERR_INVALID_ARG_TYPE'],
      ['3', 'ERR_INVALID_ARG_TYPE'],
      [10n, 'ERR_INVALID_ARG_TYPE'],
    ] as const) {
      await ioError(() => f.readInto(out, { offset: offset as number }), code);
      await ioError(() => f.readFilling(out, { offset: offset as number }), code);
      await ioError(() => f.write(pattern(4), { offset: offset as number }), code);
      await ioError(() => f.writeAll(pattern(4), { offset: offset as number }), code);
      await ioError(() => f.writeAtOffset(pattern(4), offset as number), code);
      await ioError(() => f.readAtOffset(offset as number), code);
      await ioError(
        () => f.readv(new BufferList([new Uint8Array(4)]), { offset: offset as number }),
        code,
      );
      await ioError(() => f.notifyExpectedReadAmount(4, { offset: offset as number }), code);
      await ioError(() => f.notifyExpectedWriteAmount(4, { offset: offset as number }), code);
    }
    await ioError(() => f.writeAtOffset(pattern(4), undefined as never), 'ERR_INVALID_ARG_TYPE');
    expect(out.initialized).toBe(0);
    expect(out.ownership).toBe('caller');
    expect(engine.pool.available).toBe(engine.pool.size);
    untouched();
  });

  it('refuses absurd lengths and counts', async () => {
    const out = OutputBuffer.alloc(8);
    await ioError(() => f.readInto(out, { maxBytes: -1 }), 'ERR_OUT_OF_RANGE');
    await ioError(() => f.readInto(out, { maxBytes: 0.5 }), 'ERR_INVALID_ARG_TYPE');
    await ioError(
      () => f.readInto(out, { maxBytes: Number.POSITIVE_INFINITY }),
      'ERR_INVALID_ARG_TYPE',
    );
    await ioError(() => f.write(pattern(4), { maxBytes: -3 }), 'ERR_OUT_OF_RANGE');
    await ioError(() => f.notifyExpectedReadAmount(-1), 'ERR_OUT_OF_RANGE');
    await ioError(() => f.notifyExpectedWriteAmount(2 ** 60), 'ERR_OUT_OF_RANGE');
    await ioError(() => f.notifyExpectedWriteAmount(Number.NaN), 'ERR_INVALID_ARG_TYPE');
    expect(() => engine.getBuffers(-1)).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
    expect(() => engine.getBuffers(1e9)).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
    untouched();
  });

  it('refuses unknown option keys and wrong option values', async () => {
    const out = OutputBuffer.alloc(8);
    await ioError(() => f.readInto(out, { offest: 0 } as never), 'ERR_INVALID_ARG_VALUE');
    await ioError(() => f.write(pattern(1), { position: 0 } as never), 'ERR_INVALID_ARG_VALUE');
    await ioError(() => f.writeBuffer(pattern(1), { offset: 0 } as never), 'ERR_INVALID_ARG_VALUE');
    await ioError(() => f.readAtOffset(0, { maxBytes: 1 } as never), 'ERR_INVALID_ARG_VALUE');
    await ioError(() => f.fsync({ data: true } as never), 'ERR_INVALID_ARG_VALUE');
    await ioError(() => f.fsync({ dataOnly: 'yes' } as never), 'ERR_INVALID_ARG_TYPE');
    await ioError(() => f.notifyExpectedReadAmount(1, { at: 0 } as never), 'ERR_INVALID_ARG_VALUE');
    await ioError(() => f.readInto(out, 'offset=0' as never), 'ERR_INVALID_ARG_TYPE');
    await ioError(() => f.readInto(out, { retryOnInterrupt: -1 }), 'ERR_INVALID_ARG_VALUE');
    await ioError(
      () => f.readInto(out, { retryOnInterrupt: 'always' as never }),
      'ERR_INVALID_ARG_VALUE',
    );
    await ioError(() => f.readInto(out, { signal: {} as never }), 'ERR_INVALID_ARG_TYPE');
    await ioError(() => f.readInto(out, { signal: AbortSignal.abort() }), 'ERR_ABORTED');
    await ioError(() => f.writeAll(pattern(1), { signal: AbortSignal.abort() }), 'ERR_ABORTED');
    expect(out.ownership).toBe('caller');
    untouched();
  });

  it('refuses bad open arguments without opening anything', async () => {
    const before = fdSnapshot();
    await ioError(() => engine.openReadOnly(path, { bogus: 1 } as never), 'ERR_INVALID_ARG_VALUE');
    await ioError(
      () => engine.create(dir.file('x'), { exclusive: 'no' } as never),
      'ERR_INVALID_ARG_TYPE',
    );
    await ioError(() => engine.create(dir.file('x'), { mode: 0o10000 }), 'ERR_OUT_OF_RANGE');
    await ioError(
      () => engine.openWriteOnly(path, { sync: 'sometimes' } as never),
      'ERR_INVALID_ARG_VALUE',
    );
    await ioError(() => engine.openReadOnly(path, { truncate: true }), 'ERR_INVALID_ARG_VALUE');
    await ioError(() => engine.openReadOnly(`${path}\0.evil`), 'ERR_INVALID_ARG_VALUE');
    await ioError(() => engine.openReadOnly(''), 'ERR_INVALID_ARG_VALUE');
    await ioError(() => engine.openReadOnly(42 as never), 'ERR_INVALID_ARG_TYPE');
    await ioError(() => engine.openReadOnly(path, { signal: AbortSignal.abort() }), 'ERR_ABORTED');
    await ioError(() => engine.openMapped(path, { populate: 1 } as never), 'ERR_INVALID_ARG_TYPE');
    await ioError(() => engine.openMapped(path, { size: 1 } as never), 'ERR_INVALID_ARG_VALUE');
    expect(() => createPosixEngine({ mode: 'fast' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => createPosixEngine({ mode, threads: 4 } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => createPosixEngine({ mode, buffers: { count: 0 } })).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
    expect(before.leaked()).toEqual([]);
  });

  it('refuses buffers an operation holds or that were recycled, and wrong buffer types', async () => {
    const out = OutputBuffer.alloc(8);
    out.lend(); // as if another operation held it
    await ioError(() => f.readInto(out, { offset: 0 }), 'ERR_BUFFER_IN_FLIGHT');
    await ioError(() => f.readFilling(out, { offset: 0 }), 'ERR_BUFFER_IN_FLIGHT');
    await ioError(() => f.writeAll(out, { offset: 0 }), 'ERR_BUFFER_IN_FLIGHT');
    out.settle();
    const input = new InputBuffer(pattern(4));
    input.lend();
    await ioError(() => f.write(input, { offset: 0 }), 'ERR_BUFFER_IN_FLIGHT');
    input.settle();
    const list = new BufferList([new Uint8Array(4)]);
    list.lend();
    await ioError(() => f.readv(list, { offset: 0 }), 'ERR_BUFFER_IN_FLIGHT');
    list.settle();
    const pooled = engine.getBuffer();
    engine.recycleBuffer(pooled);
    await ioError(() => f.readInto(pooled, { offset: 0 }), 'ERR_BUFFER_RECYCLED');
    await ioError(() => f.readInto(new Uint8Array(4) as never), 'ERR_INVALID_ARG_TYPE');
    await ioError(() => f.write('text' as never), 'ERR_INVALID_ARG_TYPE');
    await ioError(() => f.readv([new Uint8Array(4)] as never), 'ERR_INVALID_ARG_TYPE');
    expect(input.consumed).toBe(0);
    expect(out.initialized).toBe(0);
    untouched();
  });

  it('refuses IO against the direction the file was opened for', async () => {
    const r = await engine.openReadOnly(path);
    const w = await engine.openWriteOnly(path);
    const e = await ioError(() => (r as unknown as PosixFile<Mode>).write(pattern(1)), 'EBADF');
    expect(e.message).toContain('not opened for writing');
    await ioError(
      () => (r as unknown as PosixFile<Mode>).writev(new BufferList([pattern(1)])),
      'EBADF',
    );
    await ioError(() => (r as unknown as PosixFile<Mode>).notifyExpectedWriteAmount(1), 'EBADF');
    await ioError(() => (w as unknown as PosixFile<Mode>).readInto(OutputBuffer.alloc(1)), 'EBADF');
    await ioError(() => (w as unknown as PosixFile<Mode>).read(), 'EBADF');
    await r.close();
    await w.close();
    untouched();
  });

  it('refuses every operation on a closed handle with EBADF, keeping buffers with the caller', async () => {
    const g = await engine.openReadWrite(path);
    await g.close();
    expect(g.closed).toBe(true);
    expect(g.fd).toBe(-1);
    const out = OutputBuffer.alloc(4);
    const input = new InputBuffer(pattern(4));
    const ops: Array<() => unknown> = [
      () => g.readInto(out),
      () => g.readFilling(out),
      () => g.write(input),
      () => g.writeAll(input),
      () => g.writeBuffer(input),
      () => g.writeAtOffset(input, 0),
      () => g.read(),
      () => g.readAtOffset(0),
      () => g.readv(new BufferList([new Uint8Array(1)])),
      () => g.writev(new BufferList([new Uint8Array(1)])),
      () => g.preferredBlockSize(),
      () => g.notifyExpectedReadAmount(1),
      () => g.notifyExpectedWriteAmount(1),
      () => g.flush(),
      () => g.fsync(),
      () => g.size(),
      () => g.stat(),
    ];
    for (const op of ops) {
      const e = await ioError(op, 'EBADF');
      expect(e.message).toContain('closed');
    }
    expect(out.ownership).toBe('caller');
    expect(input.ownership).toBe('caller');
    expect(input.consumed).toBe(0);
    await g.close(); // twice is a no-op
    await ioError(() => engine.closeFile({} as never), 'ERR_INVALID_ARG_VALUE');
    untouched();
  });
});
