import { isIoError } from '@binio/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type FdWatch, loadAddon, WatchEvents, watch } from '../src/index.js';
import { loopTurn, makeFifo } from './fifo.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

function fifo() {
  const f = makeFifo();
  cleanups.push(() => f.close());
  return f;
}

function track(w: FdWatch): FdWatch {
  // Runs before the FIFO closes (cleanups run last-in first-out).
  cleanups.push(() => w.close());
  return w;
}

describe('watch', () => {
  it('the event constants are libuv’s', () => {
    const a = loadAddon();
    expect(WatchEvents).toEqual({
      readable: a.READABLE,
      writable: a.WRITABLE,
      disconnect: a.DISCONNECT,
    });
  });

  it('fires when the descriptor becomes readable, and not before', async () => {
    const f = fifo();
    const seen: number[] = [];
    track(
      watch(f.fd, WatchEvents.readable, (ev, err) => {
        expect(err).toBeUndefined();
        seen.push(ev);
        f.drain();
      }),
    );
    await loopTurn();
    expect(seen).toEqual([]);
    f.write('hello');
    await loopTurn();
    expect(seen).toEqual([WatchEvents.readable]);
    // Drained: level-triggered readiness is gone, so no more calls.
    await loopTurn();
    expect(seen).toHaveLength(1);
  });

  it('keeps firing while the condition holds (level-triggered)', async () => {
    const f = fifo();
    let calls = 0;
    track(
      watch(f.fd, WatchEvents.readable, () => {
        calls++;
        if (calls === 3) f.drain();
      }),
    );
    f.write();
    for (let i = 0; i < 5; i++) await loopTurn();
    expect(calls).toBe(3);
  });

  it('close stops it; closing twice is a no-op', async () => {
    const f = fifo();
    let calls = 0;
    const w = track(watch(f.fd, WatchEvents.readable, () => calls++));
    w.close();
    w.close();
    expect(w.closed).toBe(true);
    f.write();
    await loopTurn();
    expect(calls).toBe(0);
    expect(() => w.update(WatchEvents.readable)).toThrow(/closed/);
  });

  it('can be closed from its own callback', async () => {
    const f = fifo();
    let calls = 0;
    const w = track(
      watch(f.fd, WatchEvents.readable, () => {
        calls++;
        w.close();
      }),
    );
    f.write();
    await loopTurn();
    await loopTurn();
    expect(calls).toBe(1);
  });

  it('update(0) pauses and update(events) resumes', async () => {
    const f = fifo();
    let calls = 0;
    const w = track(
      watch(f.fd, WatchEvents.readable, () => {
        calls++;
        f.drain();
      }),
    );
    w.update(0);
    f.write();
    await loopTurn();
    expect(calls).toBe(0);
    w.update(WatchEvents.readable);
    await loopTurn();
    expect(calls).toBe(1);
  });

  it('reports writability', async () => {
    const f = fifo();
    const seen: number[] = [];
    const w = track(
      watch(f.fd, WatchEvents.writable, (ev) => {
        seen.push(ev);
        w.close();
      }),
    );
    await loopTurn();
    expect(seen).toEqual([WatchEvents.writable]);
  });

  it('ref/unref/hasRef', () => {
    const f = fifo();
    const w = track(watch(f.fd, WatchEvents.readable, () => {}));
    expect(w.hasRef()).toBe(true);
    w.unref();
    expect(w.hasRef()).toBe(false);
    w.ref();
    expect(w.hasRef()).toBe(true);
    w.close();
    expect(w.hasRef()).toBe(false);
  });

  it('refuses a closed descriptor with EBADF and bad arguments clearly', () => {
    const f = makeFifo();
    const fd = f.fd;
    f.close();
    try {
      watch(fd, WatchEvents.readable, () => {});
      expect.unreachable();
    } catch (e) {
      expect(isIoError(e)).toBe(true);
      expect((e as { code: string }).code).toBe('EBADF');
    }
    expect(() => watch(-1, WatchEvents.readable, () => {})).toThrow(/non-negative/);
    expect(() => watch(0, 64, () => {})).toThrow(/mask/);
    expect(() => watch(0, 0, () => {})).toThrow(/at least one/);
    expect(() => watch(0, WatchEvents.readable, 'nope' as never)).toThrow(/function/);
  });
});
