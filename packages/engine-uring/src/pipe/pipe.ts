import type { Mode, Ret } from '@binio/core';
import { errnoError, O } from '@binio/engine-posix/linux';
import type { UringCore } from '../engine/core.js';
import { errno, pipe2 } from '../sys/libc.js';
import { Scratch } from '../sys/memory.js';

/**
 * A kernel pipe (pipe2 with O_CLOEXEC), the in-kernel buffer that SPLICE
 * and TEE move pages through: file → pipe → socket without the bytes ever
 * entering JavaScript. Its two ends are plain descriptors, usable wherever
 * the engine takes a descriptor.
 */
export class UringPipe<M extends Mode> {
  readonly #core: UringCore;
  readonly #forget: (p: UringPipe<Mode>) => void;
  #readFd: number;
  #writeFd: number;

  /** @internal The engine makes pipes ({@link openPipe}). */
  constructor(
    core: UringCore,
    readFd: number,
    writeFd: number,
    forget: (p: UringPipe<Mode>) => void,
  ) {
    this.#core = core;
    this.#readFd = readFd;
    this.#writeFd = writeFd;
    this.#forget = forget;
  }

  /** The read end, or −1 once closed. */
  get readFd(): number {
    return this.#readFd;
  }

  /** The write end, or −1 once closed. */
  get writeFd(): number {
    return this.#writeFd;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#readFd < 0;
  }

  /**
   * Closes both ends (CLOSE through the ring), cancelling a SPLICE or TEE
   * still waiting on either; twice is a no-op.
   */
  close(): Ret<M, void> {
    const r = this.#readFd;
    const w = this.#writeFd;
    const sync = this.#core.mode === 'sync';
    if (r < 0) return (sync ? undefined : Promise.resolve()) as Ret<M, void>;
    this.#readFd = -1;
    this.#writeFd = -1;
    this.#forget(this as UringPipe<Mode>);
    const a = this.#core.closeFd(r, true);
    const b = this.#core.closeFd(w, true);
    return (sync ? undefined : Promise.all([a, b]).then(() => undefined)) as Ret<M, void>;
  }
}

const fds = new Scratch(8);

/** pipe2(O_CLOEXEC): a new pipe, tracked by `adopt` until closed. */
export function openPipe<M extends Mode>(
  core: UringCore,
  adopt: (p: UringPipe<Mode>) => void,
  forget: (p: UringPipe<Mode>) => void,
): UringPipe<M> {
  core.assertOpen('make a pipe');
  if (pipe2(fds.address, O.O_CLOEXEC) < 0) {
    throw errnoError(errno(), { syscall: 'pipe2', engine: 'uring' });
  }
  const p = new UringPipe<M>(core, fds.view.getInt32(0, true), fds.view.getInt32(4, true), forget);
  adopt(p as UringPipe<Mode>);
  return p;
}
