import { abortError, checkOptions, type IoError, invalidArg, type Mode } from '@binio/core';
import { checkSignal } from '@binio/engine-posix/file';
import type { UringCore } from '../engine/core.js';
import { Op } from '../uring/abi.js';
import { type RingChunk, ringDryError, UringBufferRing } from './buffer-ring.js';
import { type ReceiveSpec, type ReceiveTarget, RingReceive } from './multishot.js';

type Waiter<T> = { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void };

const DONE = { value: undefined, done: true } as const;

/**
 * Async front-end of a multishot receive ({@link RingReceive}): `next()`
 * returns a Promise that the next arrival settles. Chunks that arrive before
 * `next()` asks wait in the socket's queue, and the next iteration starts
 * with them. A starved receive is armed again once a recycled buffer is
 * back and someone waits. EOF, a `break`, the AbortSignal or closing the
 * socket end the iteration; an iteration that finds the socket closed gives
 * the chunks never handed out back to their ring.
 */
export class RingRecvIterator<T extends RingChunk = RingChunk>
  extends RingReceive<T>
  implements AsyncIterableIterator<T>
{
  readonly #waiting: Waiter<T>[] = [];

  protected deliver(chunk: T): void {
    const w = this.done ? undefined : this.#waiting.shift();
    // Data that arrives after a break waits for the next iteration: never dropped.
    if (w) w.resolve({ value: chunk, done: false });
    else this.ready.push(chunk);
  }

  protected fail(err: IoError): void {
    this.error = err;
    for (const w of this.#waiting.splice(0)) w.reject(err);
    this.finish();
  }

  protected override ended(): void {
    // Ended for another reason (starved, or the kernel's choice) while someone waits: go on.
    if (this.#waiting.length > 0 && (!this.starved || this.ring.available > 0)) this.arm();
  }

  protected override refilled(): void {
    if (this.starved && this.#waiting.length > 0 && this.slot < 0) this.arm();
  }

  protected override aborted(): void {
    this.error = abortError(this.signal, this.spec.syscall);
    for (const w of this.#waiting.splice(0)) w.reject(this.error);
    this.stop();
  }

  protected override finish(): void {
    this.done = true;
    for (const w of this.#waiting.splice(0)) w.resolve(DONE);
    super.finish();
  }

  next(): Promise<IteratorResult<T>> {
    const chunk = this.ready.shift();
    if (chunk !== undefined) return Promise.resolve({ value: chunk, done: false });
    if (this.error !== undefined) {
      const e = this.error;
      this.error = undefined;
      this.done = true;
      return Promise.reject(e);
    }
    if (this.done || this.target.closed()) {
      if (this.target.closed()) this.dropReady();
      this.stop();
      return Promise.resolve(DONE);
    }
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      if (this.slot < 0 && (!this.starved || this.ring.available > 0)) {
        try {
          this.arm();
        } catch (e) {
          this.#waiting.pop();
          reject(e);
        }
      }
    });
  }

  /** `break` (or `return`): cancels the receive; chunks not handed out wait for the next iteration. */
  return(): Promise<IteratorResult<T>> {
    this.stop();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}

/**
 * Sync front-end of a multishot receive ({@link RingReceive}): `next()`
 * waits inside `io_uring_enter` for the next arrival. The receive is armed
 * by the first `next()` and stays armed between calls (arrivals meanwhile
 * queue); a starved one is armed again by the next `next()` that finds a
 * buffer back. Nothing else runs while this thread waits, so a `next()`
 * that finds no chunk queued and every buffer out could never return: it
 * ends the iteration with ERR_INVALID_STATE instead. An AbortSignal cannot
 * fire while this thread waits; aborted between arrivals, it ends the
 * iteration at the next `next()` (ERR_ABORTED). `break` (or `return`)
 * cancels the receive and waits for its last CQE, so nothing is left in the
 * ring; chunks that arrived meanwhile start the next iteration.
 */
export class RingRecvSyncIterator<T extends RingChunk = RingChunk>
  extends RingReceive<T>
  implements IterableIterator<T>
{
  protected deliver(chunk: T): void {
    this.ready.push(chunk);
  }

  protected fail(err: IoError): void {
    this.error = err;
    this.finish();
  }

  next(): IteratorResult<T> {
    if (this.signal?.aborted && !this.done) {
      this.#halt();
      throw abortError(this.signal, this.spec.syscall);
    }
    for (;;) {
      const chunk = this.ready.shift();
      if (chunk !== undefined) return { value: chunk, done: false };
      if (this.error !== undefined) {
        const e = this.error;
        this.error = undefined;
        this.done = true;
        throw e;
      }
      if (this.done || this.target.closed()) {
        if (this.target.closed()) this.dropReady();
        this.#halt();
        return DONE;
      }
      if (this.ring.available === 0) {
        this.#halt();
        throw ringDryError(this.ring);
      }
      if (this.slot < 0) this.arm();
      // Submits (the arm, or nothing) and waits for at least one completion.
      this.core.submitBatch(1);
    }
  }

  /** `break` (or `return`): cancels the receive and reaps its last CQE; chunks not handed out wait for the next iteration. */
  return(): IteratorResult<T> {
    this.#halt();
    return DONE;
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this;
  }

  /** Stops and waits until the cancelled request's last CQE came back: no slot is left. */
  #halt(): void {
    this.stop();
    while (this.slot >= 0 && !this.core.closing) this.core.submitBatch(1);
  }
}

/** A multishot receive's iterator in mode `M`. */
export type ChunkIterator<M extends Mode, T extends RingChunk = RingChunk> = M extends 'sync'
  ? RingRecvSyncIterator<T>
  : RingRecvIterator<T>;

/** Options of `receiveChunks`. */
export interface ReceiveChunksOptions {
  /**
   * Ends the iteration with ERR_ABORTED: async, the pending `next()` rejects;
   * sync, the next `next()` throws (a sync engine cannot see it while it waits).
   */
  signal?: AbortSignal;
}

/** Chunks each socket received and no iteration handed out yet. */
const readyOf = new WeakMap<object, RingChunk[]>();

/**
 * Checks what every multishot receive needs — known options, a buffer ring
 * of this engine still open, an open engine, the opcode — before anything
 * reaches the ring. Returns the signal (async only).
 */
export function checkReceive(
  core: UringCore,
  ring: UringBufferRing,
  options: ReceiveChunksOptions | undefined,
  op: number,
): AbortSignal | undefined {
  const o = checkOptions(options, ['signal'], 'receiveChunks');
  if (!(ring instanceof UringBufferRing) || ring._core !== core) {
    throw invalidArg(
      'ERR_BUFFER_FOREIGN',
      'receiveChunks takes a buffer ring of this engine (engine.createBufferRing)',
    );
  }
  if (ring.closed)
    throw invalidArg('ERR_INVALID_STATE', 'receiveChunks: the buffer ring is closed');
  const signal = checkSignal(o.signal, 'recv');
  core.assertOpen('receive');
  core.require(op);
  return signal;
}

/**
 * Starts an iteration of `spec`'s receive on `socket` in the engine's mode;
 * nothing reaches the ring until the first `next()`. Call {@link checkReceive} first.
 */
export function startReceive<T extends RingChunk>(
  core: UringCore,
  socket: object,
  ring: UringBufferRing,
  target: ReceiveTarget,
  spec: ReceiveSpec<T>,
  signal: AbortSignal | undefined,
): RingRecvIterator<T> | RingRecvSyncIterator<T> {
  let ready = readyOf.get(socket) as T[] | undefined;
  if (ready === undefined) {
    ready = [];
    readyOf.set(socket, ready);
  }
  if (core.mode === 'sync')
    return new RingRecvSyncIterator<T>(core, ring, target, spec, ready, signal);
  return new RingRecvIterator<T>(core, ring, target, spec, ready, signal);
}

/** A stream's receive: RECV, each chunk the first `res` bytes of its buffer. */
function streamSpec(): ReceiveSpec<RingChunk> {
  return {
    op: Op.RECV,
    syscall: 'recv',
    addr: 0,
    len: 0,
    msgFlags: 0,
    take: (ring, bid, res) => ring._takeBytes(bid, res),
  };
}

/** Checks and starts a chunk iteration on `stream`'s descriptor `fd`. */
export function receiveChunks(
  core: UringCore,
  stream: object,
  fd: number,
  ring: UringBufferRing,
  options: ReceiveChunksOptions | undefined,
  where: string,
  closed: () => boolean,
): RingRecvIterator | RingRecvSyncIterator {
  const signal = checkReceive(core, ring, options, Op.RECV);
  return startReceive(core, stream, ring, { fd, where, closed }, streamSpec(), signal);
}
