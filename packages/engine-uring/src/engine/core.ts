import {
  abortError,
  type BufferList,
  type ByteSource,
  IoError,
  type Mode,
  type OutputBuffer,
  settleSource,
  settleTarget,
} from '@binio/core';
import { E, EFD, errnoError } from '@binio/engine-posix/linux';
import { type FdWatch, WatchEvents, watch } from '@binio/native-loop';
import { close as closeFd, errno, eventfd, readRaw } from '../sys/libc.js';
import { Scratch } from '../sys/memory.js';
import { CancelFlag, OP_NAMES, Op, Setup, SqeFlag } from '../uring/abi.js';
import { probeOps, registerEventfd } from '../uring/register.js';
import type { Ring } from '../uring/ring.js';
import { type Completion, Kind, SlotTable } from './slots.js';

/** `user_data` high half of internal requests (cancels) whose completions are ignored. */
const INTERNAL = 0xffffffff;
/** The opcodes an IOPOLL ring polls (reads and writes). */
const IOPOLL_OPS = new Set<number>([
  Op.READ,
  Op.WRITE,
  Op.READ_FIXED,
  Op.WRITE_FIXED,
  Op.READV,
  Op.WRITEV,
]);
const TWO32 = 4294967296;
/** Linux's kernel-internal ERESTARTSYS, which an interrupted io-wq worker can leak into `cqe->res`. */
const ERESTARTSYS = 512;
/** Flushes chained through microtasks before one goes through setImmediate, letting the loop breathe. */
const FLUSHES_PER_TURN = 64;
/** Submit/reap rounds one flush may run while completions keep queueing more work. */
const ROUNDS_PER_FLUSH = 4;

/** Tells the batch API's user about one completion. */
export type BatchHandler = (tag: number, res: number, flags: number) => void;

/** An object that receives batch completions (see `batch.ts`). */
export interface BatchSink {
  /** Called for each completion. */
  readonly handler: BatchHandler;
}

/**
 * The engine's heart: the ring, the operation table, submission and
 * completion, in either mode. Async mode batches every SQE prepared in one
 * tick into one `io_uring_enter` (a microtask flush), reaps completions that
 * the submit produced at once, and learns of later ones from the eventfd
 * registered with the ring, watched on Node's loop. Sync mode submits and
 * waits inside `io_uring_enter`.
 */
export class UringCore {
  /** The ring. */
  readonly ring: Ring;
  /** `'sync'` or `'async'`. */
  readonly mode: Mode;
  /** The operation table. */
  readonly slots: SlotTable;
  /** `supported[op]` is 1 when the kernel supports the opcode. */
  readonly supported: Uint8Array;
  /** `allowed[op]` is 1 when restrictions (if any) allow it. */
  readonly allowed: Uint8Array;

  /**
   * The ring was set up with IORING_SETUP_IOPOLL, which accepts only reads
   * and writes (anything else fails with EINVAL): opening, statx, closing,
   * fsync, fallocate and fadvise then go through plain system calls
   * ({@link plain}).
   */
  get iopoll(): boolean {
    return (this.ring.flags & Setup.IOPOLL) !== 0;
  }

  /**
   * Runs a plain system call in place of an operation the ring refuses:
   * `call` returns its result or throws; sync mode returns it, async mode
   * settles a Promise with it.
   */
  plain<T>(call: () => T): T | Promise<T> {
    if (this.mode === 'sync') return call();
    try {
      return Promise.resolve(call());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  #closing = false;
  #closed = false;
  #efd = -1;
  #watch: FdWatch | undefined;
  #refd = false;
  readonly #efdBuf = new Scratch(8);
  #flushScheduled = false;
  /**
   * A cancel was queued: under DEFER_TASKRUN the kernel completes the
   * cancelled request through task work that runs only when we enter with
   * GETEVENTS (on 6.18 a cancelled multishot RECV's last CQE never came
   * otherwise, not even after further round trips), so the next flush does.
   */
  #taskRunDue = false;
  #turnFlushes = 0;
  #backlog: Array<() => void> = [];
  #drained: (() => void) | undefined;

  readonly #onCqe = (lo: number, hi: number, res: number, flags: number): void =>
    this.#complete(lo, hi, res, flags);
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    this.#pump(false);
  };
  readonly #resetTurn = (): void => {
    this.#turnFlushes = 0;
  };
  readonly #wake = (): void => {
    if (this.#closed) return;
    // Read the eventfd first: a completion posted after this read signals again.
    readRaw(this.#efd, this.#efdBuf.address, 8);
    // DEFER_TASKRUN leaves completions as task work until we enter with GETEVENTS.
    this.#pump((this.ring.flags & Setup.DEFER_TASKRUN) !== 0 || this.ring.cqOverflowPending);
  };

  constructor(ring: Ring, mode: Mode, capacity: number, allowed?: Uint8Array) {
    this.ring = ring;
    this.mode = mode;
    this.slots = new SlotTable(capacity);
    this.#timespecs = new Scratch(capacity * 16);
    this.supported = probeOps(ring);
    this.allowed = allowed ?? new Uint8Array(256).fill(1);
    if (mode === 'async') {
      const efd = eventfd(0, EFD.EFD_CLOEXEC | EFD.EFD_NONBLOCK);
      if (efd < 0) throw errnoError(errno(), { syscall: 'eventfd', engine: 'uring' });
      this.#efd = efd;
      try {
        registerEventfd(ring, efd);
        this.#watch = watch(efd, WatchEvents.readable, this.#wake);
        // Idle engines do not keep the process alive; operations in flight do.
        this.#watch.unref();
      } catch (e) {
        closeFd(efd);
        this.#efd = -1;
        throw e;
      }
    }
  }

  /** True once closing started. */
  get closing(): boolean {
    return this.#closing;
  }

  /**
   * Refuses an opcode the kernel lacks or the restrictions forbid, before
   * anything reaches the kernel.
   */
  require(op: number): void {
    if (this.supported[op] !== 1) {
      throw new IoError({
        code: 'ERR_UNSUPPORTED',
        engine: 'uring',
        syscall: opName(op),
        message: `io_uring operation ${OP_NAMES[op] ?? op} is not supported by this kernel (IORING_REGISTER_PROBE)`,
      });
    }
    if (this.allowed[op] !== 1) {
      throw new IoError({
        code: 'ERR_UNSUPPORTED',
        engine: 'uring',
        syscall: opName(op),
        message: `io_uring operation ${OP_NAMES[op] ?? op} is not among the capabilities this engine was restricted to`,
      });
    }
  }

  /** Throws ERR_CLOSED when the engine is closed (or closing), naming what was refused. */
  assertOpen(what = 'start an operation'): void {
    if (this.#closing) {
      throw new IoError({
        code: 'ERR_CLOSED',
        engine: 'uring',
        message: `Cannot ${what}: the uring engine is closed`,
      });
    }
  }

  // ---------------------------------------------------------------- submit

  /**
   * Takes a slot and an SQE for one operation and writes the common fields.
   * Returns the slot; the SQE's first word index is then in {@link w} for
   * extra fields. Returns −1 when no slot is free (async callers queue).
   */
  begin(
    kind: number,
    op: number,
    fd: number,
    addr: number,
    len: number,
    off: number,
    target: unknown,
  ): number {
    const slots = this.slots;
    const s = slots.alloc(kind, op);
    if (s < 0) return -1;
    let w = this.ring.nextSqe();
    if (w < 0) {
      // SQ full: hand what is there to the kernel now, then take the SQE.
      this.#submitNow();
      w = this.ring.nextSqe();
      if (w < 0) {
        slots.free(s);
        return -1;
      }
    }
    this.w = w;
    slots.target[s] = target;
    this.ring.prep(w, op, fd, addr, len, off, s, slots.gen[s]!);
    return s;
  }

  /** The SQE word index of the operation {@link begin} just prepared. */
  w = 0;
  /** Sets IOSQE_IO_LINK on the SQE prepared last, so the next one runs after it. */
  linkLast(): void {
    if (this.ring.unsubmitted === 0) {
      throw new IoError({
        code: 'ERR_INVALID_STATE',
        engine: 'uring',
        message: 'Nothing to link: prepare an operation first, in the same tick',
      });
    }
    this.ring.setFlags(this.w, this.ring.getFlags(this.w) | SqeFlag.IO_LINK);
  }

  /**
   * A `__kernel_timespec` of `ms` in slot `s`'s preallocated area (timeouts
   * of the batch API allocate nothing); returns its address.
   */
  timespecFor(s: number, ms: number): number {
    const v = this.#timespecs.view;
    const at = s * 16;
    const whole = Math.floor(ms / 1000);
    // Two 32-bit halves rather than setBigInt64: no BigInt is allocated.
    v.setUint32(at, whole >>> 0, true);
    v.setUint32(at + 4, (whole / TWO32) >>> 0, true);
    v.setUint32(at + 8, Math.round((ms - whole * 1000) * 1e6), true);
    v.setUint32(at + 12, 0, true);
    return this.#timespecs.address + at;
  }
  readonly #timespecs: Scratch;

  /**
   * Async: finishes an operation {@link begin} prepared and returns its
   * Promise. `retry` is the EINTR budget (Infinity for unlimited).
   */
  finishAsync<T>(
    s: number,
    retry: number,
    signal: AbortSignal | undefined,
    where: string | undefined,
  ): Promise<T> {
    const slots = this.slots;
    slots.retries[s] = retry === Number.POSITIVE_INFINITY ? -1 : retry;
    slots.where[s] = where;
    if (retry !== 0) slots.saveSqe(s, this.ring.sqe32, this.w);
    const p = new Promise<T>((resolve, reject) => {
      slots.resolve[s] = resolve as (v: unknown) => void;
      slots.reject[s] = reject;
    });
    if (signal !== undefined) this.#watchSignal(s, signal);
    this.#scheduleFlush();
    return p;
  }

  /** Sync: finishes an operation {@link begin} prepared, waits for it and returns `res` (throws when negative). */
  finishSync(s: number, retry: number, where: string | undefined): number {
    const slots = this.slots;
    slots.retries[s] = retry === Number.POSITIVE_INFINITY ? -1 : retry;
    slots.where[s] = where;
    if (retry !== 0) slots.saveSqe(s, this.ring.sqe32, this.w);
    const ring = this.ring;
    while (slots.done[s] === 0) {
      const n = ring.submit(1, true);
      if (ring.reap(this.#onCqe) === 0 && n < 0 && ring.closed) break;
    }
    const res = slots.res[s]!;
    const op = slots.op[s]!;
    slots.free(s);
    if (res < 0) throw this.#error(op, res, where, false);
    return res;
  }

  /**
   * Async: runs `issue` once a slot is free (immediately when one is).
   * Used when {@link begin} returned −1.
   */
  later<T>(issue: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#backlog.push(() => {
        try {
          issue().then(resolve, reject);
        } catch (e) {
          reject(e);
        }
      });
      this.#scheduleFlush();
    });
  }

  /**
   * Prepares one operation and finishes it in the engine's mode: the result
   * (sync; throws when negative), its Promise (async; settled per `kind`), or
   * undefined when the async engine has no free slot (the caller queues the
   * whole call with {@link later}). Refuses an opcode the kernel or the
   * restrictions do not allow before anything is prepared.
   */
  run(
    kind: number,
    op: number,
    fd: number,
    fixedFile: boolean,
    addr: number,
    len: number,
    off: number,
    target: unknown,
    retries: number,
    signal: AbortSignal | undefined,
    opFlags: number,
    bufIndex: number,
    where: string | undefined,
  ): number | Promise<number> | undefined {
    this.require(op);
    const sync = this.mode === 'sync';
    const s = this.begin(sync ? Kind.SYNC : kind, op, fd, addr, len, off, target);
    if (s < 0) {
      if (sync) {
        throw new IoError({
          code: 'EBUSY',
          engine: 'uring',
          message: 'EBUSY: no free slot in the sync engine (operations nested too deep)',
        });
      }
      return undefined;
    }
    const ring = this.ring;
    const w = this.w;
    if (fixedFile) ring.setFlags(w, SqeFlag.FIXED_FILE);
    if (opFlags !== 0) ring.setOpFlags(w, opFlags);
    if (bufIndex >= 0) ring.setBufIndex(w, bufIndex);
    if (sync) return this.finishSync(s, retries, where);
    return this.finishAsync<number>(s, retries, signal, where);
  }
  /**
   * {@link run} for an operation that holds the caller's memory (`kind`
   * READ_OUT, WRITE_SRC or LIST, in either mode): the memory is given back
   * here whenever no completion will do it — after a sync operation (with
   * the bytes it moved), and when the call is refused or finds no free slot
   * (nothing moved; `undefined` then: the caller queues a retry with
   * {@link later}). An async completion gives it back in the reap.
   */
  runLent(
    kind: number,
    op: number,
    fd: number,
    fixedFile: boolean,
    addr: number,
    len: number,
    off: number,
    target: unknown,
    retries: number,
    signal: AbortSignal | undefined,
    opFlags: number,
    bufIndex: number,
    where: string | undefined,
  ): number | Promise<number> | undefined {
    let r: number | Promise<number> | undefined;
    try {
      r = this.run(
        kind,
        op,
        fd,
        fixedFile,
        addr,
        len,
        off,
        target,
        retries,
        signal,
        opFlags,
        bufIndex,
        where,
      );
    } catch (e) {
      settleHeld(kind, target, 0);
      throw e;
    }
    // A number is a finished sync operation; undefined, no slot (async).
    if (typeof r === 'number') settleHeld(kind, target, r);
    else if (r === undefined) settleHeld(kind, target, 0);
    return r;
  }

  /**
   * One operation with no buffer to settle (close, fsync, nop, openat …), in
   * the engine's mode: the result (sync) or its Promise (async).
   */
  simple(
    op: number,
    fd: number,
    addr: number,
    len: number,
    off: number,
    opFlags: number,
    keep: unknown,
    where?: string,
  ): number | Promise<number> {
    const sync = this.mode === 'sync';
    const s = this.begin(sync ? Kind.SYNC : Kind.VALUE, op, fd, addr, len, off, keep);
    if (s < 0) {
      if (sync)
        throw new IoError({
          code: 'EBUSY',
          engine: 'uring',
          message: 'EBUSY: no free slot in the sync engine',
        });
      return this.later(
        () => this.simple(op, fd, addr, len, off, opFlags, keep, where) as Promise<number>,
      );
    }
    if (opFlags !== 0) this.ring.setOpFlags(this.w, opFlags);
    if (sync) return this.finishSync(s, Number.POSITIVE_INFINITY, where);
    return this.finishAsync<number>(s, Number.POSITIVE_INFINITY, undefined, where);
  }

  /**
   * Closes a descriptor: IORING_OP_CLOSE on the ring, or close(2) when the
   * kernel or the restrictions do not allow the opcode (or the engine is closing).
   *
   * With `cancelPending` (sockets), the operations still in flight on the
   * descriptor are cancelled first (they complete with -ECANCELED): a
   * request holds its own reference to the file, so closing the descriptor
   * alone never ends a RECV or an ACCEPT (multishot or not) that waits on it.
   */
  closeFd(fd: number, cancelPending = false): void | Promise<void> {
    const viaRing =
      this.supported[Op.CLOSE] === 1 &&
      this.allowed[Op.CLOSE] === 1 &&
      !this.#closing &&
      !this.iopoll;
    if (cancelPending) this.#cancelFd(fd, viaRing);
    if (viaRing) {
      const r = this.simple(Op.CLOSE, fd, 0, 0, 0, 0, undefined);
      return this.mode === 'sync' ? undefined : (r as Promise<number>).then(() => undefined);
    }
    const rc = closeFd(fd);
    const err = rc < 0 ? errnoError(errno(), { syscall: 'close', engine: 'uring' }) : undefined;
    if (this.mode === 'sync') {
      if (err) throw err;
      return;
    }
    return err ? Promise.reject(err) : Promise.resolve();
  }

  /** Batch API: an SQE was prepared; async mode sends it at the end of the tick. */
  queued(): void {
    if (this.mode === 'async') this.#scheduleFlush();
  }

  /**
   * Batch API: submits now and, in sync mode, waits until `min` completions
   * were handled; returns how many completions were handled.
   */
  submitBatch(min: number): number {
    const ring = this.ring;
    if (this.mode === 'async') {
      ring.submit(0, false);
      const n = ring.reap(this.#onCqe);
      this.#updateRef();
      return n;
    }
    let handled = 0;
    do {
      ring.submit(min - handled > 0 ? 1 : 0, min - handled > 0);
      handled += ring.reap(this.#onCqe);
    } while (handled < min && this.slots.inUse > 0);
    return handled;
  }

  /**
   * Submits what is prepared and enters with GETEVENTS, waiting for `min`
   * completions (0: none, but the kernel's deferred task work still runs),
   * then reaps; returns the completions handled. Linked requests need it:
   * each link starts as task work of the one before it, which under
   * DEFER_TASKRUN runs only inside such an enter (otherwise one event-loop
   * turn per link in async mode). Waiting for a whole chain lets the kernel
   * run every hop in one enter. Async callers wait only for requests that
   * cannot block.
   */
  enterFor(min: number): number {
    if (this.#closed) return 0;
    this.ring.submit(min, true);
    const n = this.ring.reap(this.#onCqe);
    this.#updateRef();
    return n;
  }

  /** Gives back a slot and SQE {@link begin} took when the operation is refused before submission. */
  abandon(s: number): void {
    this.ring.unget(1);
    this.slots.free(s);
  }

  /**
   * Cancels every request waiting on `fd` and hands the cancel to the kernel
   * now, before the caller closes the descriptor with close(2) (sockets whose
   * descriptor another owner closes, e.g. engine-posix's SocketState).
   */
  cancelOnFd(fd: number): void {
    this.#cancelFd(fd, false);
  }

  /** Queues an internal cancel of the operation in slot `s` (its completion is ignored). */
  cancel(s: number): void {
    if (this.#closed) return;
    let w = this.ring.nextSqe();
    if (w < 0) {
      this.#submitNow();
      w = this.ring.nextSqe();
      if (w < 0) return;
    }
    const target = s + this.slots.gen[s]! * TWO32;
    this.ring.prep(w, Op.ASYNC_CANCEL, -1, target, 0, 0, 0, INTERNAL);
    this.#taskRunDue = true;
    if (this.mode === 'async') this.#scheduleFlush();
  }

  /**
   * Queues an internal IORING_OP_ASYNC_CANCEL of every request on `fd`
   * (IORING_ASYNC_CANCEL_FD | ALL), which must reach the kernel before the
   * descriptor is closed (the kernel resolves `fd` when it runs the cancel):
   * hard-linked to the CLOSE prepared next when `linkNext`, else submitted now.
   * A sync engine has requests waiting between calls too: a multishot
   * receive armed between two `next()` of its iterator.
   */
  #cancelFd(fd: number, linkNext: boolean): void {
    if (this.#closed || this.slots.inUse === 0) return;
    let w = this.ring.nextSqe();
    if (w < 0) {
      this.#submitNow();
      w = this.ring.nextSqe();
      if (w < 0) return;
    }
    this.ring.prep(w, Op.ASYNC_CANCEL, fd, 0, 0, 0, 0, INTERNAL);
    this.ring.setOpFlags(w, CancelFlag.FD | CancelFlag.ALL);
    // A hard link: the CLOSE runs whether or not anything was found to cancel.
    if (linkNext) this.ring.setFlags(w, SqeFlag.IO_HARDLINK);
    else this.#submitNow();
    this.#taskRunDue = true;
    if (this.mode === 'async') this.#scheduleFlush();
  }

  #watchSignal(s: number, signal: AbortSignal): void {
    const slots = this.slots;
    const gen = slots.gen[s]!;
    const onAbort = () => {
      if (slots.gen[s] !== gen || slots.kind[s] === Kind.FREE) return;
      slots.aborted[s] = 1;
      this.cancel(s);
    };
    slots.signal[s] = signal;
    slots.onAbort[s] = onAbort;
    signal.addEventListener('abort', onAbort, { once: true });
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#closed) return;
    this.#flushScheduled = true;
    // Chained flushes within one loop turn go through microtasks (no
    // latency); past a budget, one goes through setImmediate so timers and
    // other IO get their turn even when every read completes at once.
    if (this.#turnFlushes++ === 0) setImmediate(this.#resetTurn);
    if (this.#turnFlushes > FLUSHES_PER_TURN) setImmediate(this.#flush);
    else queueMicrotask(this.#flush);
  }

  #submitNow(): void {
    if (this.ring.submit(0, false) < 0) this.ring.reap(this.#onCqe);
  }

  #pump(getEvents: boolean): void {
    if (this.#closed) return;
    const ring = this.ring;
    if (this.#taskRunDue) {
      this.#taskRunDue = false;
      getEvents = true;
    }
    for (let round = 0; round < ROUNDS_PER_FLUSH; round++) {
      const n = ring.submit(0, getEvents);
      getEvents = false;
      const got = ring.reap(this.#onCqe);
      if (this.#closed) return;
      if (n < 0 && got === 0) break;
      if (ring.unsubmitted === 0) break;
    }
    if (this.#backlog.length > 0) this.#runBacklog();
    if (ring.unsubmitted > 0) this.#scheduleFlush();
    this.#updateRef();
    // IOPOLL completions are found only by polling from io_uring_enter (no
    // eventfd signal): keep polling from the loop while anything is in flight.
    if (ring.flags & Setup.IOPOLL && this.slots.inUse > 0 && !this.#polling) {
      this.#polling = true;
      setImmediate(this.#poll);
    }
  }

  #polling = false;
  readonly #poll = (): void => {
    this.#polling = false;
    this.#pump(true);
  };

  #runBacklog(): void {
    const queue = this.#backlog;
    while (queue.length > 0 && this.slots.available > 0 && !this.#closing) queue.shift()!();
  }

  #updateRef(): void {
    const busy = this.slots.inUse > 0;
    if (busy === this.#refd || this.#watch === undefined) return;
    this.#refd = busy;
    if (busy) this.#watch.ref();
    else this.#watch.unref();
  }

  // -------------------------------------------------------------- complete

  #complete(lo: number, hi: number, res: number, flags: number): void {
    if (hi === INTERNAL) return;
    const slots = this.slots;
    const s = lo;
    if (s >= slots.capacity || slots.gen[s] !== hi || slots.kind[s] === Kind.FREE) return;
    const kind = slots.kind[s]!;
    // A blocking operation the kernel ran on an io-wq worker (SPLICE from a
    // pipe, …) and a cancel interrupted reports the kernel-internal
    // ERESTARTSYS: an EINTR, and no retry when the caller asked to cancel it.
    if (res === -ERESTARTSYS) res = -E.EINTR;
    if (res === -E.EINTR && slots.aborted[s] === 1) res = -E.ECANCELED;
    if (res === -E.EINTR && kind !== Kind.CUSTOM && slots.retries[s] !== 0 && !this.#closing) {
      if (slots.retries[s]! > 0) slots.retries[s]!--;
      this.#resubmit(s);
      return;
    }
    switch (kind) {
      case Kind.SYNC:
        slots.res[s] = res;
        slots.done[s] = 1;
        return;
      case Kind.BATCH: {
        const sink = slots.target[s] as BatchSink;
        const tag = slots.tag[s]!;
        const held = slots.held[s];
        if (held !== undefined) {
          const op = slots.op[s];
          if (op === Op.READ || op === Op.READ_FIXED)
            settleTarget(held as OutputBuffer, Math.max(res, 0));
          else settleSource(held as ByteSource, Math.max(res, 0));
        }
        slots.free(s);
        sink.handler(tag, res, flags);
        this.#afterFree();
        return;
      }
      case Kind.CUSTOM: {
        const more = (flags & 2) /* IORING_CQE_F_MORE */ !== 0;
        const c = slots.target[s] as Completion;
        if (!more) slots.free(s);
        c.complete(res, flags, more);
        if (!more) this.#afterFree();
        return;
      }
    }
    const resolve = slots.resolve[s]!;
    const reject = slots.reject[s]!;
    settleHeld(kind, slots.target[s], res);
    if (res < 0) {
      const err =
        slots.aborted[s] === 1 && res === -E.ECANCELED
          ? abortError(slots.signal[s], opName(slots.op[s]!))
          : this.#error(slots.op[s]!, res, slots.where[s], this.#closing);
      slots.free(s);
      reject(err);
    } else {
      slots.free(s);
      resolve(kind === Kind.VOID ? undefined : res);
    }
    this.#afterFree();
  }

  #afterFree(): void {
    if (this.#drained !== undefined && this.slots.inUse === 0) this.#drained();
  }

  #resubmit(s: number): void {
    let w = this.ring.nextSqe();
    if (w < 0) {
      this.#submitNow();
      w = this.ring.nextSqe();
    }
    if (w < 0) {
      // Cannot happen with an SQ at least as large as a reap batch; fail loudly rather than hang.
      this.#complete(s, this.slots.gen[s]!, -E.EBUSY, 0);
      return;
    }
    this.slots.restoreSqe(s, this.ring.sqe32, w);
    if (this.mode === 'async') this.#scheduleFlush();
  }

  #error(op: number, res: number, where: string | undefined, closing: boolean): IoError {
    if (closing && (res === -E.ECANCELED || res === -E.EINTR)) {
      return new IoError({
        code: 'ERR_CLOSED',
        engine: 'uring',
        syscall: opName(op),
        path: where,
        message: `${opName(op)} did not complete: the uring engine was closed while it was in flight`,
      });
    }
    const err = errnoError(-res, { syscall: opName(op), engine: 'uring', path: where });
    if (res === -E.EOPNOTSUPP && this.iopoll && IOPOLL_OPS.has(op)) {
      return new IoError({
        code: err.code,
        errno: err.errno,
        syscall: err.syscall,
        engine: 'uring',
        path: where,
        message: `${err.message}: this engine was created with iopoll: true, whose ring can only read and write files opened with direct: true on a device whose driver polls for completions (e.g. NVMe with poll_queues; /sys/block/<dev>/queue/io_poll is 1)`,
        cause: err,
      });
    }
    return err;
  }

  // ----------------------------------------------------------------- close

  /**
   * Closes: refuses new operations, fails queued ones, cancels everything in
   * flight and waits (up to `graceMs`) for every completion so that no
   * buffer is given back while the kernel may still write into it; then
   * unmaps the ring and closes its descriptors. Operations the kernel would
   * not give up in time are failed with ERR_CLOSED and their buffers stay
   * marked in flight (never handed back) for safety.
   */
  close(graceMs = 2000): void | Promise<void> {
    if (this.#closing) return this.mode === 'async' ? Promise.resolve() : undefined;
    this.#closing = true;
    const backlog = this.#backlog;
    this.#backlog = [];
    for (const issue of backlog) issue(); // each rejects at once: the engine is closing
    if (this.slots.inUse > 0) this.#cancelAll();
    if (this.mode === 'sync') {
      this.#drainSync(graceMs);
      this.#teardown();
      return;
    }
    return new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.#drained = undefined;
        this.#teardown();
        resolve();
      };
      const timer = setTimeout(finish, graceMs);
      if (this.slots.inUse === 0) {
        finish();
        return;
      }
      this.#drained = finish;
      this.#updateRef();
      this.#pump(true);
    });
  }

  #cancelAll(): void {
    let w = this.ring.nextSqe();
    if (w < 0) {
      this.#submitNow();
      w = this.ring.nextSqe();
    }
    if (w < 0) return;
    this.ring.prep(w, Op.ASYNC_CANCEL, -1, 0, 0, 0, 0, INTERNAL);
    this.ring.setOpFlags(w, CancelFlag.ALL | CancelFlag.ANY);
  }

  #drainSync(graceMs: number): void {
    const deadline = Date.now() + graceMs;
    while (this.slots.inUse > 0 && Date.now() < deadline) {
      this.ring.submit(0, true);
      this.ring.reap(this.#onCqe);
    }
  }

  #teardown(): void {
    if (this.#closed) return;
    this.#closed = true;
    const slots = this.slots;
    for (const s of [...slots.busy()]) {
      const err = new IoError({
        code: 'ERR_CLOSED',
        engine: 'uring',
        syscall: opName(slots.op[s]!),
        message: `${opName(slots.op[s]!)} did not complete before the uring engine closed; its buffer stays held`,
      });
      // The kernel may still use this operation's buffer: keep it in flight
      // and referenced for good rather than hand it back.
      KEPT.add(slots.target[s]);
      const reject = slots.reject[s];
      const kind = slots.kind[s];
      if (kind === Kind.CUSTOM) (slots.target[s] as Completion).complete(-E.ECANCELED, 0, false);
      else if (kind === Kind.BATCH)
        (slots.target[s] as BatchSink).handler(slots.tag[s]!, -E.ECANCELED, 0);
      slots.target[s] = undefined;
      slots.free(s);
      reject?.(err);
    }
    this.#watch?.close();
    this.#watch = undefined;
    if (this.#efd >= 0) closeFd(this.#efd);
    this.#efd = -1;
    this.ring.close();
  }
}

/** What a vectored operation holds: the list, and the iovec array the kernel reads. */
export interface ListTarget {
  /** The list being read into or written from. */
  readonly list: BufferList;
  /** The iovec array, kept alive until the completion. */
  readonly iov: unknown;
}

/**
 * Gives back the caller's memory an operation of `kind` held (READ_OUT: an
 * OutputBuffer, WRITE_SRC: a source, LIST: a {@link ListTarget}) after it
 * moved `res` bytes (nothing when `res` < 0). Other kinds hold none.
 */
function settleHeld(kind: number, target: unknown, res: number): void {
  if (kind === Kind.READ_OUT) settleTarget(target as OutputBuffer, Math.max(res, 0));
  else if (kind === Kind.WRITE_SRC) settleSource(target as ByteSource, Math.max(res, 0));
  else if (kind === Kind.LIST) settleList((target as ListTarget).list, res);
}

/** Gives a BufferList back after a vectored operation moved `res` bytes (nothing on failure). */
export function settleList(list: BufferList, res: number): void {
  list.settle();
  if (res > 0) list._pos += res;
}

/** Buffers of operations the kernel never finished: kept alive so their memory is never reused. */
const KEPT = new Set<unknown>();

/** The syscall-like name of an opcode (`read`, `openat`). */
export function opName(op: number): string {
  return (OP_NAMES[op] ?? `op${op}`).toLowerCase();
}
