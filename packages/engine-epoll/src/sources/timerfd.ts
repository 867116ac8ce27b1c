import { checkOptions, invalidArg } from '@binio/core';
import { NativeBlock, lastErrno } from '@binio/engine-posix/socket';
import { sysError } from '../errors.js';
import type { Host } from '../host.js';
import { type EpollWaitOptions, WAIT_KEYS, parseOptions } from '../options.js';
import { READ } from '../reactor/source.js';
import { CLOCK, ITIMERSPEC_LAYOUT, TFD } from '../sys/constants.js';
import { timerfd_create, timerfd_gettime, timerfd_settime } from '../sys/calls.js';
import { CounterRead } from './counter.js';
import { ReadableSource } from './readable.js';

/** When a timer fires. */
export interface TimerSetting {
  /** Milliseconds until the first expiration (fractions allowed; default: `interval`). */
  delay?: number;
  /** Milliseconds between later expirations (default: none, a one-shot timer). */
  interval?: number;
}

/** Options of `createTimer`. */
export interface TimerOptions extends TimerSetting {
  /** `'monotonic'` (default), `'realtime'` or `'boottime'` (counts suspend). */
  clock?: 'monotonic' | 'realtime' | 'boottime';
}

const spec = new NativeBlock(ITIMERSPEC_LAYOUT.size);
const IT = ITIMERSPEC_LAYOUT.offsets;

function checkMs(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 2 ** 40) {
    throw invalidArg(
      'ERR_OUT_OF_RANGE',
      `${name} must be a number of milliseconds in [0, 2^40], got ${String(v)}`,
    );
  }
  return v;
}

function writeTimespec(at: number, ms: number): void {
  const ns = Math.round(ms * 1e6);
  spec.setU64(at, Math.floor(ns / 1e9));
  spec.setU64(at + 8, ns % 1e9);
}

/**
 * A timerfd: a kernel timer on a chosen clock whose expirations wake the
 * engine. Unlike `setTimeout` it counts expirations the process missed
 * while busy (`wait` returns how many) and can follow the boot-time clock.
 */
export class EpollTimer extends ReadableSource {
  /** @internal made by createTimer */
  constructor(host: Host, options: TimerOptions | undefined) {
    const o = checkOptions(options, ['clock', 'delay', 'interval'], 'createTimer');
    const clock = o.clock ?? 'monotonic';
    const id =
      clock === 'monotonic'
        ? CLOCK.MONOTONIC
        : clock === 'realtime'
          ? CLOCK.REALTIME
          : clock === 'boottime'
            ? CLOCK.BOOTTIME
            : -1;
    if (id < 0)
      throw invalidArg(
        'ERR_INVALID_ARG_VALUE',
        `clock must be 'monotonic', 'realtime' or 'boottime', got ${String(clock)}`,
      );
    const setting = checkSetting(o);
    const fd = timerfd_create(id, TFD.NONBLOCK | TFD.CLOEXEC);
    if (fd < 0) throw sysError(lastErrno(), 'timerfd_create');
    super(host, fd, 'timerfd');
    if (setting !== undefined) {
      try {
        this.#arm(setting);
      } catch (e) {
        void this.close();
        throw e;
      }
    }
  }

  /** (Re)arms the timer (a delay of 0 fires as soon as possible); {@link disarm} stops it. */
  set(setting: TimerSetting): void {
    const s = checkSetting(checkOptions(setting, ['delay', 'interval'], 'set'));
    if (s === undefined)
      throw invalidArg('ERR_INVALID_ARG_VALUE', 'set needs a delay or an interval');
    this._check('timerfd_settime');
    this.#arm(s);
  }

  /** Stops the timer (a parked `wait` keeps waiting for a later `set`). */
  disarm(): void {
    this._check('timerfd_settime');
    this.#arm({ delay: 0, interval: 0 });
  }

  /** Milliseconds until the next expiration (0: disarmed). */
  remaining(): number {
    const fd = this._check('timerfd_gettime');
    if (timerfd_gettime(fd, spec.address) < 0) throw sysError(lastErrno(), 'timerfd_gettime');
    return spec.getU64(IT.it_value) * 1e3 + spec.getU64(IT.it_value + 8) / 1e6;
  }

  /** Waits for the next expiration; returns how many happened since the last wait (≥ 1). */
  wait(options?: EpollWaitOptions): Promise<number> {
    try {
      const o = parseOptions(options, WAIT_KEYS, 'wait');
      return this._run(new CounterRead(this._check('read'), 'read'), READ, o);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Expirations as they come (each value is a count ≥ 1); ends when the timer is closed. */
  async *[Symbol.asyncIterator](): AsyncIterator<number> {
    while (!this.closed) {
      try {
        yield await this.wait();
      } catch (e) {
        if (this.closed) return;
        throw e;
      }
    }
  }

  #arm(s: { delay: number; interval: number }): void {
    writeTimespec(IT.it_interval, s.interval);
    writeTimespec(IT.it_value, s.delay);
    if (timerfd_settime(this.fd, 0, spec.address, 0) < 0)
      throw sysError(lastErrno(), 'timerfd_settime');
  }
}

function checkSetting(o: TimerSetting): { delay: number; interval: number } | undefined {
  if (o.delay === undefined && o.interval === undefined) return undefined;
  const interval = o.interval === undefined ? 0 : checkMs('interval', o.interval);
  const delay = o.delay === undefined ? interval : checkMs('delay', o.delay);
  // it_value 0 would disarm: a zero delay fires as soon as possible instead.
  return { delay: delay === 0 ? 1e-6 : delay, interval };
}
