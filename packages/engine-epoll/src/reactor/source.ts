import { IoError, abortError } from '@binio/core';
import { AGAIN, type Attempt, DONE, type Op } from './op.js';
import { EPOLL } from '../sys/constants.js';
import type { Reactor } from './reactor.js';
import { sched_yield } from '../sys/calls.js';

const END_MASK = EPOLL.RDHUP | EPOLL.HUP | EPOLL.ERR;

/** Which queue an operation waits in. */
export const READ = 0;
/** See {@link READ}. */
export const WRITE = 1;
/** {@link READ} or {@link WRITE}. */
export type Direction = typeof READ | typeof WRITE;

// Hands the executor's functions to the operation without a closure per
// Promise: the executor runs synchronously inside `new Promise`.
let parking: Op | undefined;
function executor(resolve: (v: unknown) => void, reject: (e: unknown) => void): void {
  parking!.resolve = resolve;
  parking!.reject = reject;
}

/** Options of one waiting operation. */
export interface WaitOptions {
  /** Cancels the operation while it waits. */
  signal?: AbortSignal | undefined;
  /** Milliseconds it may wait (0 or undefined: no limit). */
  timeout?: number | undefined;
}

/**
 * One descriptor's place in the engine: two FIFO queues of parked
 * operations (readers wait for `EPOLLIN`, writers for `EPOLLOUT`) and its
 * epoll registration. Operations run in the order they were issued: a new
 * one is tried at once only when nothing waits ahead of it in its queue.
 *
 * The descriptor joins the epoll set when its first operation parks and
 * stays (edge-triggered, so the set needs no change per operation) until
 * the handle closes, or until a cancellation leaves nothing parked on it:
 * cancelled work leaves no registration behind.
 */
export class Source {
  /** The descriptor. */
  readonly fd: number;
  /** The epoll events it registers for (always with `EPOLLET`). */
  readonly interest: number;
  /** What it is, for messages (`TCP stream`). */
  readonly what: string;
  /** Registration generation, stored in the epoll event's data beside the descriptor. */
  gen = 0;
  /** True while the descriptor is in the epoll set. */
  registered = false;
  /** Operations parked in both queues. */
  parked = 0;
  /**
   * Whether each direction may be ready, as the kernel last said: cleared
   * when an attempt hit EAGAIN or drained the socket (a short stream read or
   * write), set by every epoll event for it. A new operation in a direction
   * known not to be ready parks at once, skipping a system call that would
   * only say EAGAIN again. Safe with edges: anything that arrives after the
   * kernel's answer raises an event, and parking registers the descriptor
   * with `EPOLL_CTL_ADD`, which reports readiness present at that moment.
   */
  readonly ready: [boolean, boolean] = [true, true];
  /**
   * True once an event reported the peer's end or an error (`EPOLLRDHUP`,
   * `EPOLLHUP`, `EPOLLERR`): reads stay ready for good (EOF and errors do not
   * go away, and raise no further edge), so a short read no longer proves
   * the socket empty.
   */
  ended = false;
  readonly #reactor: Reactor;
  #heads: [Op | null, Op | null] = [null, null];
  #tails: [Op | null, Op | null] = [null, null];

  constructor(reactor: Reactor, fd: number, interest: number, what: string) {
    this.#reactor = reactor;
    this.fd = fd;
    this.interest = interest;
    this.what = what;
  }

  /** True when no operation waits in `dir`. */
  idle(dir: Direction): boolean {
    return this.#heads[dir] === null;
  }

  /**
   * Runs `op`: one try at once when nothing waits ahead of it, else (or on
   * EAGAIN) parks it until the descriptor is ready, `signal` aborts, the
   * timeout passes or the handle closes.
   */
  run<T>(op: Op<T>, dir: Direction, wait: WaitOptions | undefined): Promise<T> {
    if (this.#heads[dir] === null) {
      let r: Attempt = AGAIN;
      if (this.ready[dir]) {
        r = op.attempt();
        if (r === AGAIN) this.ready[dir] = false;
      }
      if (r === AGAIN && this.#reactor.busyPollMs > 0) r = this.#spin(op);
      if (r === DONE) return Promise.resolve(op.value as T);
      if (r !== AGAIN) return Promise.reject(op.error);
    }
    return this.park(op, dir, wait);
  }

  // Busy polling (opt-in): retries the non-blocking call until it completes
  // or the budget is spent, ignoring the ready bit (nothing can raise it
  // while we hold the thread). Each miss yields the core: on a busy machine
  // the peer we wait for may be queued for this very core, and a spin that
  // kept it measured 0.36x Node's ping-pong rate. Nothing is lost by
  // consuming data here: its edge stays queued in the epoll set and later
  // just marks the direction ready, costing at most one EAGAIN try.
  #spin(op: Op): Attempt {
    const until = performance.now() + this.#reactor.busyPollMs;
    do {
      const r = op.attempt();
      if (r !== AGAIN) return r;
      sched_yield();
    } while (performance.now() < until);
    return AGAIN;
  }

  /** Parks `op` without trying it (it was tried, or must wait for readiness first). */
  park<T>(op: Op<T>, dir: Direction, wait: WaitOptions | undefined): Promise<T> {
    if (!this.registered) {
      const error = this.#reactor.register(this);
      if (error !== undefined) {
        op.abandon();
        return Promise.reject(error);
      }
    }
    op.source = this;
    const tail = this.#tails[dir];
    if (tail === null) this.#heads[dir] = op as Op;
    else tail.next = op as Op;
    this.#tails[dir] = op as Op;
    this.parked++;
    this.#reactor.parkedChange(1);
    parking = op as Op;
    const promise = new Promise<T>(executor as never);
    parking = undefined;
    if (wait !== undefined && (wait.signal !== undefined || wait.timeout))
      this.#arm(op as Op, dir, wait);
    return promise;
  }

  /** epoll reported `events` for this descriptor: runs what waits for them. */
  onEvents(events: number, readMask: number, writeMask: number): void {
    if ((events & readMask) !== 0) {
      this.ready[0] = true;
      if ((events & END_MASK) !== 0) this.ended = true;
      if (this.#heads[0] !== null) this.#drain(0);
    }
    if ((events & writeMask) !== 0) {
      this.ready[1] = true;
      if (this.#heads[1] !== null) this.#drain(1);
    }
  }

  /** Tries what waits in `dir` now (after a shutdown, which may end it without an edge). */
  kick(dir: Direction): void {
    if (this.#heads[dir] !== null) this.#drain(dir);
  }

  // Edge-triggered: keep trying the head until one would block again or the
  // queue is empty; the next edge brings the rest.
  #drain(dir: Direction): void {
    let op = this.#heads[dir];
    while (op !== null) {
      const r = op.attempt();
      if (r === AGAIN) {
        this.ready[dir] = false;
        return;
      }
      this.#heads[dir] = op.next;
      if (op.next === null) this.#tails[dir] = null;
      this.#leave(op);
      if (r === DONE) op.resolve!(op.value);
      else op.reject!(op.error);
      op = this.#heads[dir];
    }
  }

  /**
   * Cancels a parked operation: out of its queue, buffers given back,
   * Promise rejected with `error`. The last cancellation on a descriptor
   * takes it out of the epoll set.
   */
  cancel(op: Op, dir: Direction, error: unknown): void {
    if (op.source !== this) return;
    let prev: Op | null = null;
    let cur = this.#heads[dir];
    while (cur !== null && cur !== op) {
      prev = cur;
      cur = cur.next;
    }
    if (cur === null) return;
    if (prev === null) this.#heads[dir] = op.next;
    else prev.next = op.next;
    if (this.#tails[dir] === op) this.#tails[dir] = prev;
    this.#leave(op);
    op.abandon();
    op.reject!(error);
    if (this.parked === 0 && this.registered) this.#reactor.deregister(this);
    // The next one may be able to run now (a writer that waited behind a
    // cancelled writeAll); give it a try on the next edge or now.
    if (prev === null && this.#heads[dir] !== null) this.#drain(dir);
  }

  /** The handle is closing: every parked operation fails with `error(syscall)`; the registration goes. */
  closeAll(error: (syscall: string) => IoError): void {
    for (const dir of [0, 1] as const) {
      let op = this.#heads[dir];
      this.#heads[dir] = null;
      this.#tails[dir] = null;
      while (op !== null) {
        const next = op.next;
        this.#leave(op);
        op.abandon();
        op.reject!(error(op.syscall));
        op = next;
      }
    }
    if (this.registered) this.#reactor.deregister(this);
  }

  #leave(op: Op): void {
    op.next = null;
    op.source = undefined;
    const hooks = op.cancelHooks;
    if (hooks !== undefined) {
      op.cancelHooks = undefined;
      hooks.signal?.removeEventListener('abort', hooks.onAbort);
      if (hooks.timer !== undefined) clearTimeout(hooks.timer);
    }
    this.parked--;
    this.#reactor.parkedChange(-1);
  }

  #arm(op: Op, dir: Direction, wait: WaitOptions): void {
    const signal = wait.signal;
    const onAbort = () => this.cancel(op, dir, abortError(signal, op.syscall));
    const hooks: NonNullable<Op['cancelHooks']> = { signal, onAbort, timer: undefined };
    op.cancelHooks = hooks;
    signal?.addEventListener('abort', onAbort, { once: true });
    if (wait.timeout) {
      const ms = wait.timeout;
      hooks.timer = setTimeout(() => {
        this.cancel(
          op,
          dir,
          new IoError({
            code: 'ERR_TIMEOUT',
            syscall: op.syscall,
            engine: 'epoll',
            message: `${op.syscall} on a ${this.what} timed out after ${ms} ms`,
          }),
        );
      }, ms);
    }
  }
}
