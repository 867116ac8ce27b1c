import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BufferList, InputBuffer, OutputBuffer, isIoError, lendSource, lendTarget, settleSource, settleTarget } from '../src/index.js';

describe('OutputBuffer', () => {
  it('tracks initialized bytes through commit, append and reset', () => {
    const out = OutputBuffer.alloc(8);
    expect(out.capacity).toBe(8);
    out.free.set([1, 2, 3]);
    out.commit(3);
    out.append(new Uint8Array([4]));
    expect([...out.filled]).toEqual([1, 2, 3, 4]);
    expect(out.freeCapacity).toBe(4);
    out.reset();
    expect(out.initialized).toBe(0);
    expect(out.bytes.byteLength).toBe(8);
  });

  it('refuses commits past capacity and data that does not fit', () => {
    const out = OutputBuffer.alloc(4);
    expect(() => out.commit(5)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => out.commit(-1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => out.commit(1.5)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => out.append(new Uint8Array(5))).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => new OutputBuffer([1, 2] as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });

  it('cannot be touched while lent, and works again once settled', () => {
    const out = OutputBuffer.alloc(4);
    const view = lendTarget(out);
    expect(out.inFlight).toBe(true);
    for (const touch of [() => out.bytes, () => out.free, () => out.filled, () => out.commit(0), () => out.reset()]) {
      expect(touch).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_IN_FLIGHT' }));
    }
    expect(() => lendTarget(out)).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_IN_FLIGHT' }));
    view.set([9, 9]);
    settleTarget(out, 2);
    expect([...out.filled]).toEqual([9, 9]);
  });

  it('lends only up to max bytes of free space', () => {
    const out = OutputBuffer.alloc(10);
    out.commit(2);
    expect(lendTarget(out, 3).byteLength).toBe(3);
    settleTarget(out, 0);
    expect(lendTarget(out).byteLength).toBe(8);
    settleTarget(out, 0);
  });

  it('keeps filled + free = capacity under any sequence of commits (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 512 }), fc.array(fc.integer({ min: 0, max: 600 })), (cap, steps) => {
        const out = OutputBuffer.alloc(cap);
        let expected = 0;
        for (const s of steps) {
          if (s <= out.freeCapacity) {
            out.commit(s);
            expected += s;
          } else {
            expect(() => out.commit(s)).toThrow();
          }
          expect(out.filled.byteLength + out.free.byteLength).toBe(cap);
          expect(out.initialized).toBe(expected);
        }
      }),
    );
  });
});

describe('InputBuffer', () => {
  it('consumes what writes took', () => {
    const input = new InputBuffer(new Uint8Array([1, 2, 3, 4, 5]));
    input.consume(2);
    expect([...input.unconsumed]).toEqual([3, 4, 5]);
    expect(input.remaining).toBe(3);
    const view = lendSource(input);
    expect([...view]).toEqual([3, 4, 5]);
    expect(() => input.unconsumed).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_IN_FLIGHT' }));
    settleSource(input, 3);
    expect(input.isEmpty).toBe(true);
    input.rewind();
    expect(input.remaining).toBe(5);
    expect(() => input.consume(6)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  });

  it('reads an OutputBuffer without copying', () => {
    const out = OutputBuffer.alloc(4);
    out.append(new Uint8Array([7, 8]));
    const input = InputBuffer.of(out);
    expect(input.bytes.buffer).toBe(out.bytes.buffer);
    expect([...input.bytes]).toEqual([7, 8]);
  });

  it('refuses anything but bytes as a write source', () => {
    let caught: unknown;
    try {
      lendSource('text' as never);
    } catch (e) {
      caught = e;
    }
    expect(isIoError(caught) && caught.code).toBe('ERR_INVALID_ARG_TYPE');
  });

  it('consumed + remaining = length under any consumption (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(400)), (bytes, steps) => {
        const input = new InputBuffer(bytes);
        for (const s of steps) {
          if (s <= input.remaining) input.consume(s);
          expect(input.consumed + input.remaining).toBe(bytes.byteLength);
          expect(input.unconsumed).toEqual(bytes.subarray(input.consumed));
        }
      }),
    );
  });
});

describe('BufferList', () => {
  it('reports pending segments after the cursor and gathers what was filled', () => {
    const list = new BufferList([new Uint8Array([1, 2]), new Uint8Array(0), new Uint8Array([3, 4, 5])]);
    expect(list.byteLength).toBe(5);
    list.advance(3);
    expect(list.pending().map((s) => [...s])).toEqual([[4, 5]]);
    expect([...list.gather()]).toEqual([1, 2, 3]);
    expect(() => list.advance(3)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => new BufferList([new Uint8Array(1), 'x' as never])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });

  it('pending views cover exactly the bytes after the cursor (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }), fc.nat(400), (segs, adv) => {
        const list = new BufferList(segs);
        const all = new Uint8Array(segs.reduce((n, s) => n + s.byteLength, 0));
        let at = 0;
        for (const s of segs) {
          all.set(s, at);
          at += s.byteLength;
        }
        const k = Math.min(adv, list.byteLength);
        list.advance(k);
        const pending = list.pending();
        expect(pending.every((p) => p.byteLength > 0)).toBe(true);
        const joined = new Uint8Array(pending.reduce((n, p) => n + p.byteLength, 0));
        let o = 0;
        for (const p of pending) {
          joined.set(p, o);
          o += p.byteLength;
        }
        expect(joined).toEqual(all.subarray(k));
        expect(list.gather()).toEqual(all.subarray(0, k));
      }),
    );
  });
});
