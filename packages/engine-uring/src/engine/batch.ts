import { IoError, invalidArg, type OutputBuffer } from '@binio/core';
import type { FileHost, UringFile } from '../file/file.js';
import { addressOf } from '../sys/memory.js';
import { Op, SqeFlag } from '../uring/abi.js';
import type { BatchHandler, BatchSink, UringCore } from './core.js';
import { Kind } from './slots.js';
import { checkMs } from './timers.js';

/**
 * The batch API for hot loops. Each operation carries a numeric tag; every
 * completion calls the one handler given at creation with `(tag, res,
 * flags)` (`res` is the byte count, or −errno). Nothing is allocated per
 * operation: the slot table is preallocated, buffers are lent and settled
 * in place, and no Promise is made.
 *
 * Async mode: operations prepared in one tick go to the kernel in one
 * `io_uring_enter` (or at {@link submit}); completions arrive from the
 * Node loop, and operations queued from inside the handler go out after
 * the reap. Sync mode: {@link wait} submits and waits for completions.
 *
 * The buffer of an operation is in flight until its handler runs.
 */
export class UringBatch implements BatchSink {
  /** The completion handler. */
  readonly handler: BatchHandler;
  readonly #core: UringCore;
  readonly #host: FileHost;

  /** @internal Use `engine.batch(handler)`. */
  constructor(core: UringCore, host: FileHost, handler: BatchHandler) {
    if (typeof handler !== 'function')
      throw invalidArg('ERR_INVALID_ARG_TYPE', 'batch handler must be a function');
    this.handler = handler;
    this.#core = core;
    this.#host = host;
  }

  /** Operations that can still be started before completions free slots. */
  get available(): number {
    return this.#core.slots.available;
  }

  #begin(
    op: number,
    fd: number,
    fixed: number,
    addr: number,
    len: number,
    off: number,
    tag: number,
  ): number {
    const core = this.#core;
    core.assertOpen('start a batch operation');
    core.require(op);
    const s = core.begin(Kind.BATCH, op, fixed >= 0 ? fixed : fd, addr, len, off, this);
    if (s < 0) {
      throw new IoError({
        code: 'EBUSY',
        engine: 'uring',
        message: `EBUSY: all ${core.slots.capacity} operation slots are in flight; wait for completions (raise cqEntries for more)`,
      });
    }
    if (fixed >= 0) core.ring.setFlags(core.w, SqeFlag.FIXED_FILE);
    core.slots.tag[s] = tag;
    return s;
  }

  #file(file: UringFile<'sync' | 'async'>, op: string): void {
    if (file._fd < 0) {
      throw new IoError({
        code: 'EBADF',
        errno: 9,
        engine: 'uring',
        syscall: op,
        path: file.path,
        message: `EBADF: cannot ${op} '${file.path}': the file handle is closed`,
      });
    }
  }

  /**
   * Reads into `out`'s free space at `offset` (−1: the cursor). A registered
   * buffer from the engine goes as READ_FIXED. `out` is in flight until the
   * handler runs; its initialized count then includes what was read.
   */
  read(file: UringFile<'sync' | 'async'>, out: OutputBuffer, offset: number, tag: number): void {
    this.#file(file, 'read');
    out.lend();
    const fixedBuf = this.#host.isRegistered(out) ? out.registrationIndex : -1;
    const addr = addressOf(out._bytes) + out._count;
    const len = out._bytes.byteLength - out._count;
    let s: number;
    try {
      s = this.#begin(
        fixedBuf >= 0 ? Op.READ_FIXED : Op.READ,
        file._fd,
        file._fixed,
        addr,
        len,
        offset,
        tag,
      );
    } catch (e) {
      out.settle();
      throw e;
    }
    if (fixedBuf >= 0) this.#core.ring.setBufIndex(this.#core.w, fixedBuf);
    this.#core.slots.held[s] = out;
    this.#finish(s);
  }

  /** Writes `src`'s initialized bytes at `offset` (−1: the cursor / append). */
  write(file: UringFile<'sync' | 'async'>, src: OutputBuffer, offset: number, tag: number): void {
    this.#file(file, 'write');
    src.lend();
    const fixedBuf = this.#host.isRegistered(src) ? src.registrationIndex : -1;
    const addr = addressOf(src._bytes);
    let s: number;
    try {
      s = this.#begin(
        fixedBuf >= 0 ? Op.WRITE_FIXED : Op.WRITE,
        file._fd,
        file._fixed,
        addr,
        src._count,
        offset,
        tag,
      );
    } catch (e) {
      src.settle();
      throw e;
    }
    if (fixedBuf >= 0) this.#core.ring.setBufIndex(this.#core.w, fixedBuf);
    this.#core.slots.held[s] = src;
    this.#finish(s);
  }

  /**
   * Links the operation prepared last to the next one (`IOSQE_IO_LINK`): the
   * next starts only after it succeeds, and fails with -ECANCELED if it fails.
   */
  link(): void {
    this.#core.linkLast();
  }

  /**
   * Bounds the operation prepared last by `ms` (IORING_OP_LINK_TIMEOUT):
   * if it has not completed by then it is cancelled (-ECANCELED) and the
   * timeout completes with -ETIME under `tag`; otherwise the timeout
   * completes with -ECANCELED.
   */
  linkTimeout(ms: number, tag: number): void {
    checkMs(ms);
    const core = this.#core;
    core.linkLast();
    const s = this.#begin(Op.LINK_TIMEOUT, -1, -1, 0, 1, 0, tag);
    core.ring.prepAddr(core.w, core.timespecFor(s, ms));
    this.#finish(s);
  }

  /** A standalone timeout: completes with -ETIME after `ms`. */
  timeout(ms: number, tag: number): void {
    checkMs(ms);
    const core = this.#core;
    const s = this.#begin(Op.TIMEOUT, -1, -1, 0, 1, 0, tag);
    core.ring.prepAddr(core.w, core.timespecFor(s, ms));
    this.#finish(s);
  }

  /** A NOP (completes with res 0). */
  nop(tag: number): void {
    this.#finish(this.#begin(Op.NOP, -1, -1, 0, 0, 0, tag));
  }

  #finish(s: number): void {
    const core = this.#core;
    core.slots.retries[s] = 0;
    core.queued();
  }

  /** Hands the prepared operations to the kernel now (they also go out on their own at the end of the tick). */
  submit(): number {
    return this.#core.submitBatch(0);
  }

  /**
   * Sync mode: submits and waits until at least `min` completions were
   * handled (the handler runs for each), and returns how many were.
   */
  wait(min = 1): number {
    if (this.#core.mode !== 'sync') {
      throw new IoError({
        code: 'ERR_INVALID_STATE',
        engine: 'uring',
        message: 'batch.wait() is for sync engines; async completions arrive from the event loop',
      });
    }
    return this.#core.submitBatch(min);
  }
}
