import { fdSnapshot } from '@binio/testkit';
import { describe, expect, it } from 'vitest';
import { createUringEngine } from '../src/index.js';
import { Feature, Op, Setup } from '../src/uring/abi.js';
import { Ring } from '../src/uring/ring.js';

describe('Ring: setup and the mapped regions', () => {
  it('maps the rings as typed arrays over the kernel’s memory', () => {
    const fds = fdSnapshot();
    const ring = Ring.create({ entries: 8, flags: 0 });
    try {
      expect(ring.sqEntries).toBe(8);
      expect(ring.cqEntries).toBe(16);
      expect(ring.features & Feature.SINGLE_MMAP).toBeTruthy();
      expect(ring.features & Feature.NODROP).toBeTruthy();
      expect(ring.sqSpace).toBe(8);
      expect(ring.cqReady).toBe(0);
    } finally {
      ring.close();
    }
    expect(fds.leaked()).toEqual([]);
  });

  it('enters by a registered ring index, given back at close', () => {
    // The kernel keeps 16 registered rings per thread: were close not to
    // unregister, the 17th engine would find the table full (and 40 closed
    // rings would stay alive, each holding its registered buffers).
    for (let i = 0; i < 40; i++) {
      const e = createUringEngine({ mode: 'sync', buffers: { count: 1, size: 4096 } });
      const ring = (e as unknown as { _core: { ring: Ring } })._core.ring;
      expect(ring.fdRegistered).toBe(true);
      // Enters go by the index: NOPs still complete.
      e.nop();
      e.close();
    }
    // A restricted ring is not registered: its restrictions would refuse the unregistering.
    const r = createUringEngine({
      mode: 'sync',
      capabilities: ['file.openReadOnly', 'file.close'],
    });
    expect((r as unknown as { _core: { ring: Ring } })._core.ring.fdRegistered).toBe(false);
    r.close();
  });

  it('submits NOPs written from JavaScript and reads their completions back', () => {
    const ring = Ring.create({ entries: 8, flags: Setup.SINGLE_ISSUER | Setup.DEFER_TASKRUN });
    try {
      for (let i = 0; i < 5; i++) {
        const w = ring.nextSqe();
        expect(w).toBeGreaterThanOrEqual(0);
        ring.prep(w, Op.NOP, -1, 0, 0, 0, 100 + i, 0xabcdef00 + i);
      }
      expect(ring.unsubmitted).toBe(5);
      expect(ring.submit(5)).toBe(5);
      const seen: number[][] = [];
      expect(ring.reap((lo, hi, res, flags) => seen.push([lo, hi, res, flags]))).toBe(5);
      expect(seen).toEqual([0, 1, 2, 3, 4].map((i) => [100 + i, 0xabcdef00 + i, 0, 0]));
      expect(ring.cqReady).toBe(0);
    } finally {
      ring.close();
    }
  });

  it('reports a full SQ and takes SQEs again after a submit', () => {
    const ring = Ring.create({ entries: 4, flags: 0 });
    try {
      for (let i = 0; i < 4; i++) ring.prep(ring.nextSqe(), Op.NOP, -1, 0, 0, 0, i, 0);
      expect(ring.nextSqe()).toBe(-1);
      ring.submit(4);
      expect(ring.sqSpace).toBe(4);
      expect(ring.reap(() => {})).toBe(4);
    } finally {
      ring.close();
    }
  });

  it('fails setup with a clear IoError', () => {
    expect(() => Ring.create({ entries: 0, flags: 0 })).toThrow(
      expect.objectContaining({ code: 'EINVAL', syscall: 'io_uring_setup' }),
    );
  });

  it('close is idempotent and leaves the arrays empty, not dangling', () => {
    const ring = Ring.create({ entries: 4, flags: 0 });
    ring.close();
    ring.close();
    expect(ring.closed).toBe(true);
    expect(ring.sqe32.length).toBe(0);
    expect(ring.ring32.length).toBe(0);
  });
});
