import { checkOptions, invalidArg, type Mode, type Ret } from '@binio/core';
import { checkSignal } from '@binio/engine-posix/file';
import { E } from '@binio/engine-posix/linux';
import { Scratch } from '../sys/memory.js';
import { Op } from '../uring/abi.js';
import { TIMESPEC } from '../uring/layout.js';
import type { UringCore } from './core.js';
import { Kind } from './slots.js';

/** A `struct __kernel_timespec` for `ms` milliseconds, in memory the kernel reads. */
export function timespec(ms: number): Scratch {
  const ts = new Scratch(TIMESPEC.size);
  const whole = Math.floor(ms / 1000);
  ts.view.setBigInt64(TIMESPEC.sec, BigInt(whole), true);
  ts.view.setBigInt64(TIMESPEC.nsec, BigInt(Math.round((ms - whole * 1000) * 1e6)), true);
  return ts;
}

/** Checks a duration in milliseconds (finite, non-negative). */
export function checkMs(ms: unknown, name = 'ms'): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `${name} must be a finite non-negative number of milliseconds, got ${String(ms)}`,
    );
  }
  return ms;
}

/** Standalone timeouts (IORING_OP_TIMEOUT). */
export class Timers<M extends Mode> {
  constructor(readonly core: UringCore) {}

  /** Settles after `ms`: a timeout that expires reports -ETIME, which here means success. */
  sleep(ms: number, options?: { signal?: AbortSignal }): Ret<M, void> {
    checkMs(ms);
    const o = checkOptions(options, ['signal'], 'sleep');
    const signal = checkSignal(o.signal, 'timeout');
    const core = this.core;
    core.require(Op.TIMEOUT);
    const ts = timespec(ms);
    const sync = core.mode === 'sync';
    const s = core.begin(sync ? Kind.SYNC : Kind.VALUE, Op.TIMEOUT, -1, ts.address, 1, 0, ts);
    if (s < 0) return core.later(() => this.sleep(ms, options) as Promise<void>) as Ret<M, void>;
    if (sync) {
      try {
        core.finishSync(s, 0, undefined);
      } catch (e) {
        if ((e as { errno?: number }).errno !== E.ETIME) throw e;
      }
      return undefined as Ret<M, void>;
    }
    return core.finishAsync<number>(s, 0, signal, undefined).then(
      () => undefined,
      (e) => {
        if ((e as { errno?: number }).errno !== E.ETIME) throw e;
      },
    ) as Ret<M, void>;
  }
}
