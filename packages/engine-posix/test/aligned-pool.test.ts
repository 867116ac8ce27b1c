import { describe, expect, it } from 'vitest';
import { AlignedBufferPool, createPosixEngine } from '../src/index.js';
import { koffi } from '../src/libc/lib.js';

describe('the aligned native buffer pool', () => {
  it('hands out zeroed buffers whose addresses are aligned, without copies', () => {
    const pool = new AlignedBufferPool({ count: 4, size: 8192, alignment: 4096 });
    expect(pool.alignment).toBe(4096);
    const bufs = pool.getBuffers(4);
    for (const b of bufs) {
      const addr = koffi.address(b.bytes) as bigint;
      expect(addr % 4096n).toBe(0n);
      expect(b.bytes.every((x) => x === 0)).toBe(true);
      // The bytes are the native block itself: its address plus the slot.
      expect(addr).toBe(pool.address + BigInt(b.registrationIndex * 8192));
    }
    bufs[0]!.append(new Uint8Array([1, 2, 3]));
    expect(pool.memory.subarray(0, 3)).toEqual(new Uint8Array([1, 2, 3]));
    pool.recycleBuffers(bufs);
    expect(pool.close()).toEqual({ leaked: 0, inFlight: 0 });
  });

  it('keeps a buffer aligned only as far as its size allows', () => {
    const pool = new AlignedBufferPool({ count: 2, size: 4096 + 512, alignment: 4096 });
    expect(pool.alignment).toBe(512);
    pool.close();
  });

  it('refuses a bad alignment', () => {
    expect(() => new AlignedBufferPool({ count: 1, size: 4096, alignment: 3000 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => new AlignedBufferPool({ count: 1, size: 4096, alignment: 4 })).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
  });

  it('does not free memory a caller still holds a buffer of, and reports the leak', () => {
    const reports: unknown[] = [];
    const engine = createPosixEngine({
      mode: 'sync',
      buffers: { count: 2, size: 4096, onLeak: (r) => reports.push(r) },
    });
    const kept = engine.getBuffer();
    engine.close();
    expect(reports).toEqual([{ leaked: 1, inFlight: 0 }]);
    // Still valid memory: touching it is safe (it was not freed).
    kept.bytes[0] = 7;
    expect(kept.bytes[0]).toBe(7);
    expect(() => engine.getBuffer()).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }));
  });
});
