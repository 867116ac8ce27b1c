import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PooledBuffer, BufferPool } from '../buffers/pool.js';
import type { Mode } from '../mode.js';
import type { BufferProvider, BufferSink, MultiBufferProvider, MultiBufferSink } from '../buffers/pool.js';
import { supports } from '../capabilities.js';
import type { IoEngine } from '../traits/engine.js';
import type { ConformanceTarget } from './target.js';

type BufferEngine = IoEngine<Mode> & BufferProvider & BufferSink;

/**
 * The buffer-ownership contract for an engine's provider and sink: buffers
 * come out empty and owned by the caller, recycling twice or recycling a
 * buffer of another pool is an error, a recycled buffer cannot be touched.
 */
export function bufferSuite(target: ConformanceTarget): void {
  describe(`${target.name}: buffer ownership contract`, () => {
    let engine: BufferEngine;
    beforeAll(async () => {
      engine = (await target.engine()) as BufferEngine;
    });
    afterAll(async () => {
      await engine?.close();
    });

    it('hands out empty writable buffers owned by the caller', () => {
      const b = engine.getBuffer();
      expect(b.ownership).toBe('caller');
      expect(b.initialized).toBe(0);
      expect(b.capacity).toBeGreaterThan(0);
      b.append(new Uint8Array([1, 2, 3]));
      expect([...b.filled]).toEqual([1, 2, 3]);
      engine.recycleBuffer(b);
    });

    it('refuses touching a recycled buffer and recycling it twice', () => {
      const b = engine.getBuffer();
      engine.recycleBuffer(b);
      expect(b.ownership).toBe('pooled');
      expect(() => b.bytes).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_RECYCLED' }));
      expect(() => engine.recycleBuffer(b)).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_RECYCLED' }));
    });

    it('refuses a buffer of another pool', () => {
      const other = new BufferPool({ count: 1, size: 64, engine: 'other' });
      const foreign = other.getBuffer();
      expect(() => engine.recycleBuffer(foreign as PooledBuffer)).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_FOREIGN' }));
      other.recycleBuffer(foreign);
      expect(other.close().leaked).toBe(0);
    });

    it('refuses recycling a buffer an operation holds', () => {
      const b = engine.getBuffer();
      b.lend();
      expect(() => engine.recycleBuffer(b)).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_IN_FLIGHT' }));
      b.settle();
      engine.recycleBuffer(b);
    });

    it('hands out and takes back several at once when it offers that', (ctx) => {
      if (!supports(engine, 'buffer.multiProvider') || !supports(engine, 'buffer.multiSink')) return ctx.skip();
      const e = engine as BufferEngine & MultiBufferProvider & MultiBufferSink;
      const bs = e.getBuffers(4);
      expect(new Set(bs).size).toBe(4);
      expect(() => e.recycleBuffers([bs[0]!, bs[0]!])).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_RECYCLED' }));
      e.recycleBuffers(bs);
      for (const b of bs) expect(b.ownership).toBe('pooled');
    });
  });
}
