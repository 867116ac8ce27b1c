import { fdSnapshot } from '@binio/testkit';
import { describe, expect, it } from 'vitest';
import { UringCore } from '../src/engine/core.js';
import { Kind } from '../src/engine/slots.js';
import { Scratch } from '../src/sys/memory.js';
import { Op, Setup } from '../src/uring/abi.js';
import { TIMESPEC } from '../src/uring/layout.js';
import { Ring } from '../src/uring/ring.js';

const FLAGS = Setup.SINGLE_ISSUER | Setup.DEFER_TASKRUN;

function timespec(ms: number): Scratch {
  const ts = new Scratch(TIMESPEC.size);
  ts.view.setBigInt64(TIMESPEC.sec, BigInt(Math.floor(ms / 1000)), true);
  ts.view.setBigInt64(TIMESPEC.nsec, BigInt((ms % 1000) * 1e6), true);
  return ts;
}

describe.each([
  ['defer taskrun', FLAGS],
  ['coop taskrun', Setup.COOP_TASKRUN],
  ['default', 0],
])('UringCore async (%s)', (_name, flags) => {
  it('NOPs resolve, batched into one enter', async () => {
    const fds = fdSnapshot();
    const core = new UringCore(Ring.create({ entries: 8, flags }), 'async', 16);
    const ps: Promise<number>[] = [];
    for (let i = 0; i < 5; i++) {
      const s = core.begin(Kind.VALUE, Op.NOP, -1, 0, 0, 0, undefined);
      ps.push(core.finishAsync<number>(s, 0, undefined, undefined));
    }
    expect(core.ring.unsubmitted).toBe(5);
    expect(await Promise.all(ps)).toEqual([0, 0, 0, 0, 0]);
    expect(core.slots.inUse).toBe(0);
    await core.close();
    expect(fds.leaked()).toEqual([]);
  });

  it('a completion that comes later wakes the engine through the eventfd', async () => {
    const core = new UringCore(Ring.create({ entries: 8, flags }), 'async', 16);
    const ts = timespec(30);
    const s = core.begin(Kind.VALUE, Op.TIMEOUT, -1, ts.address, 1, 0, ts);
    // A timeout that expires completes with -ETIME.
    await expect(core.finishAsync(s, 0, undefined, undefined)).rejects.toMatchObject({
      code: 'ETIME',
      syscall: 'timeout',
    });
    await core.close();
  });

  it('an AbortSignal cancels the operation in the kernel', async () => {
    const core = new UringCore(Ring.create({ entries: 8, flags }), 'async', 16);
    const ts = timespec(60_000);
    const ac = new AbortController();
    const s = core.begin(Kind.VALUE, Op.TIMEOUT, -1, ts.address, 1, 0, ts);
    const p = core.finishAsync(s, 0, ac.signal, undefined);
    setTimeout(() => ac.abort(new Error('stop')), 10);
    await expect(p).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(core.slots.inUse).toBe(0);
    await core.close();
  });

  it('closing with operations in flight settles them all with ERR_CLOSED', async () => {
    const core = new UringCore(Ring.create({ entries: 8, flags }), 'async', 16);
    const ts = timespec(60_000);
    const ps = [0, 1, 2].map(() => {
      const s = core.begin(Kind.VALUE, Op.TIMEOUT, -1, ts.address, 1, 0, ts);
      return core.finishAsync(s, 0, undefined, undefined);
    });
    await new Promise((r) => setTimeout(r, 10));
    await core.close();
    for (const p of ps) await expect(p).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });
});

describe('UringCore sync', () => {
  it('submits and waits inside io_uring_enter', () => {
    const core = new UringCore(Ring.create({ entries: 8, flags: FLAGS }), 'sync', 16);
    const s = core.begin(Kind.SYNC, Op.NOP, -1, 0, 0, 0, undefined);
    expect(core.finishSync(s, 0, undefined)).toBe(0);
    const ts = timespec(20);
    const s2 = core.begin(Kind.SYNC, Op.TIMEOUT, -1, ts.address, 1, 0, ts);
    expect(() => core.finishSync(s2, 0, undefined)).toThrow(
      expect.objectContaining({ code: 'ETIME' }),
    );
    expect(core.slots.inUse).toBe(0);
    core.close();
  });

  it('refuses an opcode the kernel lacks', () => {
    const core = new UringCore(Ring.create({ entries: 8, flags: FLAGS }), 'sync', 16);
    core.supported[Op.NOP] = 0;
    expect(() => core.require(Op.NOP)).toThrow(/not supported by this kernel/);
    core.close();
  });
});
