import type { Host, Owned } from '../host.js';
import { close as closeFd } from '../sys/shared-calls.js';
import { closedError, closedWhileWaiting } from '../errors.js';
import { READ_INTEREST } from '../net/interest.js';
import type { Op } from '../reactor/op.js';
import { type Direction, Source, type WaitOptions } from '../reactor/source.js';

/**
 * What eventfd, timerfd and pidfd handles share: a descriptor this engine
 * owns, its queues, and close (parked waits fail with `EBADF`).
 */
export abstract class ReadableSource implements Owned {
  /** The descriptor (-1 once closed); share it, never close it behind the handle's back. */
  get fd(): number {
    return this.#fd;
  }
  /** @internal */
  readonly _io: Source;
  readonly #host: Host;
  readonly #what: string;
  #fd: number;

  /** @internal */
  constructor(host: Host, fd: number, what: string, interest: number = READ_INTEREST) {
    this.#host = host;
    this.#fd = fd;
    this.#what = what;
    this._io = new Source(host.reactor, fd, interest, what);
    host.track(this);
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /** @internal the descriptor, or EBADF (no call made) once closed */
  _check(syscall: string): number {
    if (this.#fd < 0) throw closedError(this.#what, syscall);
    return this.#fd;
  }

  /** @internal */
  _run<T>(op: Op<T>, dir: Direction, wait: WaitOptions): Promise<T> {
    return this._io.run(op, dir, wait);
  }

  /** Closes the descriptor; parked waits fail with `EBADF`. Closing twice is a no-op. */
  close(): Promise<void> {
    if (this.#fd >= 0) {
      this._io.closeAll(closedWhileWaiting(this.#what));
      this.#host.forget(this);
      closeFd(this.#fd);
      this.#fd = -1;
    }
    return Promise.resolve();
  }
}
