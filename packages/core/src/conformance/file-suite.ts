import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferList } from '../buffers/buffer-list.js';
import { InputBuffer } from '../buffers/input-buffer.js';
import { OutputBuffer } from '../buffers/output-buffer.js';
import { supports } from '../capabilities.js';
import type { Mode } from '../mode.js';
import type { IoEngine } from '../traits/engine.js';
import type { File, FileHandler } from '../traits/file.js';
import { type ConformanceTarget, expectIoError, pattern, scratchDirectory, settle } from './target.js';

type FileEngine = IoEngine<Mode> & FileHandler<Mode>;

/**
 * The file-handler contract: the six open/create/close traits and the span
 * semantics — partial reads are normal, EOF is a short count and not an
 * error, absolute offsets do not move the cursor, writeAll writes everything,
 * bad input fails with a clear IoError.
 */
export function fileSuite(target: ConformanceTarget): void {
  describe(`${target.name}: file contract`, () => {
    let engine: FileEngine;
    let dir: { path: string; dispose(): void };
    let n = 0;
    const path = () => join(dir.path, `f${n++}`);
    const s = <T>(v: T | Promise<T>) => settle(engine.mode, v);

    async function fileWith(bytes: Uint8Array): Promise<{ p: string; f: File<Mode> }> {
      const p = path();
      const f = await s(engine.create(p));
      await s(f.writeAll(bytes));
      return { p, f };
    }

    beforeAll(async () => {
      engine = (await target.engine()) as FileEngine;
      dir = scratchDirectory(target.directory);
    });
    afterAll(async () => {
      await engine?.close();
      dir?.dispose();
    });

    it('creates, writes everything and reads it back', async () => {
      const data = pattern(100_000);
      const { p, f } = await fileWith(data);
      expect(await s(f.size())).toBe(data.byteLength);
      await s(f.close());
      const r = await s(engine.openReadOnly(p));
      const out = OutputBuffer.alloc(200_000);
      const got = await s(r.readFilling(out));
      expect(got).toBe(data.byteLength);
      expect(out.filled).toEqual(data);
      await s(engine.closeFile(r));
    });

    it('treats EOF as a short count, then 0, never an error', async () => {
      const { f } = await fileWith(pattern(10));
      const out = OutputBuffer.alloc(64);
      expect(await s(f.readInto(out, { offset: 4 }))).toBe(6);
      expect(out.initialized).toBe(6);
      expect(await s(f.readInto(out, { offset: 10 }))).toBe(0);
      expect(await s(f.readInto(out, { offset: 1_000_000 }))).toBe(0);
      const fill = OutputBuffer.alloc(64);
      expect(await s(f.readFilling(fill, { offset: 0 }))).toBe(10);
      await s(f.close());
    });

    it('appends reads to the output buffer after what it already holds', async () => {
      const { f } = await fileWith(pattern(8));
      const out = OutputBuffer.alloc(16);
      out.append(new Uint8Array([99, 98]));
      await s(f.readFilling(out, { offset: 0 }));
      expect(out.filled).toEqual(new Uint8Array([99, 98, ...pattern(8)]));
      await s(f.close());
    });

    it('reads at an absolute offset without moving the cursor', async () => {
      const { p, f } = await fileWith(new TextEncoder().encode('abcdef'));
      await s(f.close());
      const r = await s(engine.openReadOnly(p));
      const a = OutputBuffer.alloc(2);
      await s(r.readFilling(a));
      const b = OutputBuffer.alloc(2);
      await s(r.readFilling(b, { offset: 4 }));
      const c = OutputBuffer.alloc(2);
      await s(r.readFilling(c));
      expect(new TextDecoder().decode(a.filled) + new TextDecoder().decode(b.filled) + new TextDecoder().decode(c.filled)).toBe('abefcd');
      await s(r.close());
    });

    it('writes at an absolute offset without moving the cursor', async () => {
      const p = path();
      const f = await s(engine.create(p));
      await s(f.writeAll(new TextEncoder().encode('xxxxxx')));
      await s(f.writeAll(new TextEncoder().encode('AB'), { offset: 1 }));
      await s(f.writeAll(new TextEncoder().encode('yy')));
      const out = OutputBuffer.alloc(16);
      await s(f.readFilling(out, { offset: 0 }));
      expect(new TextDecoder().decode(out.filled)).toBe('xABxxxyy');
      await s(f.close());
    });

    it('honours maxBytes and consumes InputBuffers by what was written', async () => {
      const p = path();
      const f = await s(engine.create(p));
      const input = new InputBuffer(pattern(1000));
      const wrote = await s(f.write(input, { maxBytes: 100 }));
      expect(wrote).toBeGreaterThan(0);
      expect(wrote).toBeLessThanOrEqual(100);
      expect(input.consumed).toBe(wrote);
      await s(f.writeAll(input));
      expect(input.remaining).toBe(0);
      const out = OutputBuffer.alloc(2000);
      const got = await s(f.readInto(out, { offset: 0, maxBytes: 10 }));
      expect(got).toBeGreaterThan(0);
      expect(got).toBeLessThanOrEqual(10);
      await s(f.readFilling(out, { offset: got }));
      expect(out.filled).toEqual(pattern(1000));
      await s(f.close());
    });

    it('appends in append mode wherever the cursor is', async () => {
      const { p, f } = await fileWith(new TextEncoder().encode('head'));
      await s(f.close());
      const a = await s(engine.openAppend(p));
      await s(a.writeAll(new TextEncoder().encode('-tail')));
      await s(a.close());
      const r = await s(engine.openReadOnly(p));
      const out = OutputBuffer.alloc(32);
      await s(r.readFilling(out));
      expect(new TextDecoder().decode(out.filled)).toBe('head-tail');
      await s(r.close());
    });

    it('opens write-only and read-write, and truncates on request', async () => {
      const { p, f } = await fileWith(pattern(50));
      await s(f.close());
      const w = await s(engine.openWriteOnly(p, { truncate: true }));
      expect(await s(w.size())).toBe(0);
      await s(w.writeAll(pattern(5, 7)));
      await s(w.close());
      const rw = await s(engine.openReadWrite(p));
      const out = OutputBuffer.alloc(10);
      await s(rw.readFilling(out));
      expect(out.filled).toEqual(pattern(5, 7));
      await s(rw.close());
    });

    it('refuses a missing file, an existing exclusive create, and wrong-direction IO', async () => {
      await expectIoError(() => engine.openReadOnly(join(dir.path, 'missing')), 'ENOENT');
      const { p, f } = await fileWith(pattern(1));
      await s(f.close());
      await expectIoError(() => engine.create(p), 'EEXIST');
      const again = await s(engine.create(p, { exclusive: false }));
      expect(await s(again.size())).toBe(0);
      await s(again.close());
      const r = await s(engine.openReadOnly(p));
      await expectIoError(() => (r as unknown as File<Mode>).write(pattern(1)), 'EBADF');
      await s(r.close());
    });

    it('refuses closed handles, bad offsets and unknown options before any IO', async () => {
      const { f } = await fileWith(pattern(4));
      const out = OutputBuffer.alloc(4);
      await expectIoError(() => f.readInto(out, { offset: -1 }), 'ERR_OUT_OF_RANGE');
      await expectIoError(() => f.readInto(out, { offset: 1.5 }), 'ERR_INVALID_ARG_TYPE');
      await expectIoError(() => f.readInto(out, { bogus: 1 } as never), 'ERR_INVALID_ARG_VALUE');
      await expectIoError(() => f.readInto(out, { retryOnInterrupt: -2 }), 'ERR_INVALID_ARG_VALUE');
      await expectIoError(() => f.readInto(new Uint8Array(4) as never), 'ERR_INVALID_ARG_TYPE');
      await expectIoError(() => engine.create(path(), { nonsense: true } as never), 'ERR_INVALID_ARG_VALUE');
      expect(out.initialized).toBe(0);
      expect(out.ownership).toBe('caller');
      await s(f.close());
      expect(f.closed).toBe(true);
      await expectIoError(() => f.readInto(out), 'EBADF');
      await expectIoError(() => f.write(pattern(1)), 'EBADF');
      await s(f.close()); // closing twice is a no-op
      expect(out.ownership).toBe('caller');
    });

    it('gives buffers back after a failed operation', async () => {
      const { f } = await fileWith(pattern(4));
      await s(f.close());
      const out = OutputBuffer.alloc(4);
      const input = new InputBuffer(pattern(4));
      await expectIoError(() => f.readInto(out), 'EBADF');
      await expectIoError(() => f.writeAll(input), 'EBADF');
      expect(out.ownership).toBe('caller');
      expect(input.ownership).toBe('caller');
      expect(input.consumed).toBe(0);
    });

    it('holds a buffer in flight until the operation settles (async)', async (ctx) => {
      if (engine.mode !== 'async') return ctx.skip();
      const { f } = await fileWith(pattern(64));
      const out = OutputBuffer.alloc(64);
      const pending = f.readInto(out, { offset: 0 }) as Promise<number>;
      expect(out.ownership).toBe('in-flight');
      expect(() => out.free).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_IN_FLIGHT' }));
      expect(() => out.filled).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_IN_FLIGHT' }));
      await expectIoError(() => f.readInto(out, { offset: 0 }), 'ERR_BUFFER_IN_FLIGHT');
      const input = new InputBuffer(pattern(8));
      const w = f.write(input, { offset: 100 }) as Promise<number>;
      expect(() => input.unconsumed).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_IN_FLIGHT' }));
      expect(await pending).toBe(64);
      expect(out.filled).toEqual(pattern(64));
      const wrote = await w;
      expect(input.consumed).toBe(wrote);
      await s(f.close());
    });

    it('does vectored IO when it offers it', async (ctx) => {
      const { f } = await fileWith(new Uint8Array(0));
      if (!supports(f, 'handle.vectored')) {
        await s(f.close());
        return ctx.skip();
      }
      const wl = new BufferList([pattern(3), pattern(5, 3), pattern(7, 8)]);
      let wrote = 0;
      while (wl.remaining > 0) wrote += await s(f.writev(wl, { offset: wrote }));
      expect(wrote).toBe(15);
      const rl = new BufferList([new Uint8Array(4), new Uint8Array(11)]);
      let got = 0;
      while (rl.remaining > 0) {
        const k = await s(f.readv(rl, { offset: got }));
        if (k === 0) break;
        got += k;
      }
      expect(rl.gather()).toEqual(pattern(15));
      await s(f.close());
    });

    it('reports a preferred block size and accepts IO hints when it offers them', async () => {
      const { f } = await fileWith(pattern(8192));
      if (supports(f, 'handle.preferredBlockSize')) {
        const bs = await s(f.preferredBlockSize());
        expect(bs).toBeGreaterThan(0);
        expect(bs & (bs - 1)).toBe(0);
      }
      if (supports(f, 'handle.notifyReadAmount')) await s(f.notifyExpectedReadAmount(4096, { offset: 0 }));
      if (supports(f, 'handle.notifyWriteAmount')) await s(f.notifyExpectedWriteAmount(4096, { offset: 8192 }));
      if (supports(f, 'handle.sync')) {
        await s(f.fsync());
        await s(f.fsync({ dataOnly: true }));
      }
      if (supports(f, 'handle.flush')) await s(f.flush());
      expect(await s(f.size())).toBe(8192);
      await s(f.close());
    });

    it('hands out filled engine buffers from owned reads when it offers them', async (ctx) => {
      const { f } = await fileWith(pattern(100));
      const e = engine as unknown as IoEngine<Mode>;
      if (!supports(f, 'handle.offsetReader') || !supports(e, 'buffer.sink')) {
        await s(f.close());
        return ctx.skip();
      }
      const buf = await s(f.readAtOffset(10));
      expect(buf.initialized).toBeGreaterThan(0);
      expect(buf.filled).toEqual(pattern(100).subarray(10, 10 + buf.initialized));
      e.recycleBuffer(buf as never);
      await s(f.close());
    });
  });
}
