import { describe, expect, it, vi } from 'vitest';
import { BufferPool } from '../src/index.js';

describe('BufferPool', () => {
  it('hands out distinct buffers cut from one block and takes them back', () => {
    const pool = new BufferPool({ count: 4, size: 16 });
    const [a, b] = pool.getBuffers(2);
    expect(a!.bytes.buffer).toBe(pool.memory.buffer);
    expect(a!.bytes.byteOffset).not.toBe(b!.bytes.byteOffset);
    expect(pool.available).toBe(2);
    pool.recycleBuffers([a!, b!]);
    expect(pool.available).toBe(4);
    expect(pool.bufferAt(0).registrationIndex).toBe(0);
  });

  it('runs out clearly and refuses all-or-none requests it cannot meet', () => {
    const pool = new BufferPool({ count: 2, size: 8, engine: 'test' });
    pool.getBuffers(2);
    expect(() => pool.getBuffer()).toThrow(expect.objectContaining({ code: 'ENOBUFS' }));
    const p2 = new BufferPool({ count: 2, size: 8 });
    p2.getBuffer();
    expect(() => p2.getBuffers(2)).toThrow(expect.objectContaining({ code: 'ENOBUFS' }));
    expect(p2.available).toBe(1);
  });

  it('refuses double recycling, foreign buffers and buffers in flight', () => {
    const pool = new BufferPool({ count: 2, size: 8 });
    const other = new BufferPool({ count: 1, size: 8 });
    const b = pool.getBuffer();
    b.lend();
    expect(() => pool.recycleBuffer(b)).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_IN_FLIGHT' }));
    b.settle();
    pool.recycleBuffer(b);
    expect(() => pool.recycleBuffer(b)).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_RECYCLED' }));
    expect(() => b.free).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_RECYCLED' }));
    expect(() => pool.recycleBuffer(other.getBuffer())).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_FOREIGN' }));
    const c = pool.getBuffer();
    expect(() => pool.recycleBuffers([c, c])).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_RECYCLED' }));
    expect(c.ownership).toBe('caller');
  });

  it('reports buffers never returned when closed, and frees memory only when none is in flight', () => {
    const onLeak = vi.fn();
    const release = vi.fn();
    const pool = new BufferPool({ count: 3, size: 8, onLeak, release });
    const a = pool.getBuffer();
    const b = pool.getBuffer();
    pool.recycleBuffer(a);
    expect(pool.close()).toEqual({ leaked: 1, inFlight: 0 });
    expect(onLeak).toHaveBeenCalledWith({ leaked: 1, inFlight: 0 });
    expect(release).toHaveBeenCalledTimes(1);
    pool.recycleBuffer(b); // accepted after close
    expect(() => pool.getBuffer()).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }));

    const held = new BufferPool({ count: 1, size: 8, release });
    held.getBuffer().lend();
    expect(held.close()).toEqual({ leaked: 1, inFlight: 1 });
    expect(release).toHaveBeenCalledTimes(1);
  });

  it('derives each buffer alignment from the block alignment and the size', () => {
    expect(new BufferPool({ count: 2, size: 4096, alignment: 4096 }).alignment).toBe(4096);
    expect(new BufferPool({ count: 2, size: 1536, alignment: 4096 }).alignment).toBe(512);
    expect(new BufferPool({ count: 2, size: 100 }).alignment).toBe(1);
  });
});
