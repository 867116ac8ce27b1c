import { checkInt, checkOptions } from '@binio/core';
import { EFD } from '@binio/engine-posix/linux';
import { lastErrno } from '@binio/engine-posix/socket';
import { sysError } from '../errors.js';
import type { Host } from '../host.js';
import { EPOLL, EFD_SEMAPHORE } from '../sys/constants.js';
import { type EpollWaitOptions, WAIT_KEYS, parseOptions } from '../options.js';
import { AGAIN, type Attempt, Op, RETRY } from '../reactor/op.js';
import { READ, WRITE } from '../reactor/source.js';
import { calls } from '../sys/shared-calls.js';
import { CounterRead } from './counter.js';
import { ReadableSource } from './readable.js';

const { eventfd, eventfd_write: eventfdWrite } = calls;

/** Options of `createEventFd`. */
export interface EventFdOptions {
  /** Starting value (default 0). */
  initial?: number;
  /** `EFD_SEMAPHORE`: each read takes 1 instead of the whole count. */
  semaphore?: boolean;
}

/** Adds to the counter; waits while the addition would overflow it. */
class CounterAdd extends Op<void> {
  constructor(
    readonly fd: number,
    readonly amount: number,
  ) {
    super();
  }

  get syscall(): string {
    return 'eventfd_write';
  }

  attempt(): Attempt {
    for (;;) {
      if (eventfdWrite(this.fd, this.amount) === 0) return this.done(undefined);
      const errno = lastErrno();
      const next = this.outcome(errno);
      if (next === RETRY) continue;
      if (next === AGAIN) return AGAIN;
      return this.fail(sysError(errno, 'eventfd_write'));
    }
  }

  abandon(): void {}
}

/**
 * An eventfd: a 64-bit counter in the kernel that anyone holding the
 * descriptor can add to (another thread, another process it was passed to,
 * a C library) and that wakes this engine's `read` on the event loop.
 */
export class EpollEventFd extends ReadableSource {
  /** @internal made by createEventFd */
  constructor(host: Host, options: EventFdOptions | undefined) {
    const o = checkOptions(options, ['initial', 'semaphore'], 'createEventFd');
    const initial = o.initial === undefined ? 0 : checkInt('initial', o.initial, 0, 2 ** 32 - 1);
    const flags = EFD.EFD_CLOEXEC | EFD.EFD_NONBLOCK | (o.semaphore === true ? EFD_SEMAPHORE : 0);
    const fd = eventfd(initial, flags);
    if (fd < 0) throw sysError(lastErrno(), 'eventfd');
    super(host, fd, 'eventfd', EPOLL.IN | EPOLL.OUT);
  }

  /** Adds `amount` (default 1) to the counter, waking a reader. */
  add(amount = 1, options?: EpollWaitOptions): Promise<void> {
    try {
      const n = checkInt('amount', amount, 1, Number.MAX_SAFE_INTEGER);
      const o = parseOptions(options, WAIT_KEYS, 'add');
      return this._run(new CounterAdd(this._check('eventfd_write'), n), WRITE, o);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Waits until the counter is non-zero, then takes it (or 1, in semaphore mode) and returns it. */
  read(options?: EpollWaitOptions): Promise<number> {
    try {
      const o = parseOptions(options, WAIT_KEYS, 'read');
      return this._run(new CounterRead(this._check('eventfd_read'), 'eventfd_read'), READ, o);
    } catch (e) {
      return Promise.reject(e);
    }
  }
}
