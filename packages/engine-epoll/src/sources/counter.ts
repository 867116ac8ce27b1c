import { NativeBlock, lastErrno } from '@binio/engine-posix/socket';
import { sysError } from '../errors.js';
import { AGAIN, type Attempt, Op, RETRY } from '../reactor/op.js';
import { read } from '../sys/shared-calls.js';

const value = new NativeBlock(8);

/**
 * Reads an 8-byte counter (an eventfd's value, a timerfd's expirations),
 * which resets it; waits while it is 0. Values are exact up to 2^53.
 */
export class CounterRead extends Op<number> {
  constructor(
    readonly fd: number,
    readonly name: string,
  ) {
    super();
  }

  get syscall(): string {
    return this.name;
  }

  attempt(): Attempt {
    for (;;) {
      // An eventfd's value and a timerfd's expirations are both 8 bytes.
      if (read(this.fd, value.address, 8) === 8) return this.done(value.getU64(0));
      const errno = lastErrno();
      const next = this.outcome(errno);
      if (next === RETRY) continue;
      if (next === AGAIN) return AGAIN;
      return this.fail(sysError(errno, this.name));
    }
  }

  abandon(): void {}
}
