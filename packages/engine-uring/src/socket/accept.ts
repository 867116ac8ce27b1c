import { IoError } from '@binio/core';
import { E, errnoError, SOCK } from '@binio/engine-posix/linux';
import type { UringCore } from '../engine/core.js';
import { type Completion, Kind } from '../engine/slots.js';
import { Op } from '../uring/abi.js';

/**
 * The async iterator over a multishot ACCEPT: one SQE yields a CQE per
 * connection (IORING_CQE_F_MORE while it stays armed). Connections that
 * arrive before `next()` asks wait in the listener's queue (`ready`, shared
 * with `accept()` and later iterations); breaking out cancels the request,
 * and connections the kernel accepted meanwhile stay queued for the next
 * accept instead of being dropped. Closing the listener cancels it and ends
 * the iteration.
 */
export class AcceptIterator<T> implements AsyncIterator<T>, Completion {
  readonly #core: UringCore;
  readonly #fd: number;
  readonly #ioprio: number;
  readonly #wrap: (fd: number) => T;
  readonly #where: string;
  readonly #ready: number[];
  readonly #stash: (fd: number) => void;
  readonly #closed: () => boolean;
  readonly #waiting: Array<{
    resolve: (r: IteratorResult<T>) => void;
    reject: (e: unknown) => void;
  }> = [];
  #slot = -1;
  #error: unknown;
  #done = false;

  /**
   * `ready` is the listener's queue of accepted connections; `stash` puts a
   * late one there (or closes it when the listener is closed); `closed`
   * tells whether the listener was closed, which ends the iteration (its
   * close cancels the multishot accept).
   */
  constructor(
    core: UringCore,
    fd: number,
    ioprio: number,
    wrap: (fd: number) => T,
    where: string,
    ready: number[],
    stash: (fd: number) => void,
    closed: () => boolean,
  ) {
    this.#core = core;
    this.#closed = closed;
    this.#ready = ready;
    this.#stash = stash;
    this.#fd = fd;
    this.#ioprio = ioprio;
    this.#wrap = wrap;
    this.#where = where;
  }

  #arm(): void {
    const core = this.#core;
    core.require(Op.ACCEPT);
    const s = core.begin(Kind.CUSTOM, Op.ACCEPT, this.#fd, 0, 0, 0, this);
    if (s < 0)
      throw new IoError({
        code: 'EBUSY',
        engine: 'uring',
        message: 'EBUSY: no free slot for a multishot accept',
      });
    core.ring.setIoprio(core.w, this.#ioprio);
    core.ring.setOpFlags(core.w, SOCK.SOCK_CLOEXEC);
    core.slots.retries[s] = 0;
    core.queued();
    this.#slot = s;
  }

  complete(res: number, _flags: number, more: boolean): void {
    if (!more) this.#slot = -1;
    if (res >= 0) {
      if (this.#done) {
        this.#stash(res);
      } else {
        const w = this.#waiting.shift();
        if (w) this.#deliver(res, w);
        else this.#ready.push(res);
      }
    } else if (this.#closed()) {
      // The listener was closed (which cancelled the accept): the iteration ends.
      this.#end();
    } else if (!(this.#done && res === -E.ECANCELED)) {
      this.#error = errnoError(-res, { syscall: 'accept', engine: 'uring', address: this.#where });
      for (const w of this.#waiting.splice(0)) w.reject(this.#error);
    }
    // Re-arm when the kernel ended the multishot (it may, e.g. under memory pressure) while someone waits.
    if (!more && !this.#done && this.#error === undefined && this.#waiting.length > 0) this.#arm();
  }

  #deliver(
    fd: number,
    w: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void },
  ): void {
    try {
      w.resolve({ value: this.#wrap(fd), done: false });
    } catch (e) {
      w.reject(e);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#done || this.#closed()) {
      this.#done = true;
      return Promise.resolve({ value: undefined, done: true });
    }
    const fd = this.#ready.shift();
    if (fd !== undefined) {
      return new Promise((resolve, reject) => this.#deliver(fd, { resolve, reject }));
    }
    if (this.#error !== undefined) {
      const e = this.#error;
      this.#error = undefined;
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      if (this.#slot < 0) {
        try {
          this.#arm();
        } catch (e) {
          this.#waiting.pop();
          reject(e);
        }
      }
    });
  }

  return(): Promise<IteratorResult<T>> {
    if (this.#slot >= 0) this.#core.cancel(this.#slot);
    this.#end();
    return Promise.resolve({ value: undefined, done: true });
  }

  #end(): void {
    this.#done = true;
    for (const w of this.#waiting.splice(0)) w.resolve({ value: undefined, done: true });
  }
}
