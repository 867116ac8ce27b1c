import { abortError, checkOptions, IoError, invalidArg } from '@binio/core';
import { checkSignal } from '@binio/engine-posix/file';
import { E, errnoError } from '@binio/engine-posix/linux';
import type { UringCore } from '../engine/core.js';
import { type Completion, Kind } from '../engine/slots.js';
import { CQE_BUFFER_SHIFT, CqeFlag, Op, RecvSendFlag, SqeFlag } from '../uring/abi.js';
import { type RingChunk, UringBufferRing } from './buffer-ring.js';

type Waiter = { resolve: (r: IteratorResult<RingChunk>) => void; reject: (e: unknown) => void };

/**
 * Chunks of a stream from one multishot RECV that picks its buffers from a
 * provided-buffer ring: one SQE, one CQE per arrival, each naming the
 * buffer the kernel filled. Chunks that arrive before `next()` asks wait in
 * the stream's queue (their buffers stay out of the ring: that is the flow
 * control), and the next iteration starts with them.
 * When the ring runs dry the kernel ends the multishot with ENOBUFS; it is
 * armed again once a recycled buffer is back and someone waits. EOF, a
 * `break`, the AbortSignal or closing the stream end the iteration; an
 * iteration that finds the stream closed gives the chunks never handed out
 * back to their ring.
 */
export class RingRecvIterator implements AsyncIterableIterator<RingChunk>, Completion {
  readonly #core: UringCore;
  readonly #fd: number;
  readonly #ring: UringBufferRing;
  readonly #where: string;
  readonly #closed: () => boolean;
  readonly #signal: AbortSignal | undefined;
  /** Chunks received and not yet handed out: the stream's, kept across iterations. */
  readonly #ready: RingChunk[];
  readonly #waiting: Waiter[] = [];
  #slot = -1;
  #starved = false;
  #starvations = 0;
  #error: unknown;
  #done = false;
  readonly #onRefill = (): void => {
    if (this.#starved && this.#waiting.length > 0 && this.#slot < 0) this.#arm();
  };
  readonly #onAbort = (): void => {
    this.#error = abortError(this.#signal, 'recv');
    for (const w of this.#waiting.splice(0)) w.reject(this.#error);
    this.#stop();
  };

  constructor(
    core: UringCore,
    fd: number,
    ring: UringBufferRing,
    where: string,
    closed: () => boolean,
    signal: AbortSignal | undefined,
    ready: RingChunk[],
  ) {
    this.#ready = ready;
    this.#core = core;
    this.#fd = fd;
    this.#ring = ring;
    this.#where = where;
    this.#closed = closed;
    this.#signal = signal;
    ring._users++;
    ring._refilled.add(this.#onRefill);
    signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  #arm(): void {
    const core = this.#core;
    const s = core.begin(Kind.CUSTOM, Op.RECV, this.#fd, 0, 0, 0, this);
    if (s < 0) {
      throw new IoError({
        code: 'EBUSY',
        engine: 'uring',
        message: 'EBUSY: no free slot for a multishot recv',
      });
    }
    const ring = core.ring;
    ring.setFlags(core.w, SqeFlag.BUFFER_SELECT);
    ring.setBufIndex(core.w, this.#ring.bgid);
    ring.setIoprio(core.w, RecvSendFlag.RECV_MULTISHOT);
    core.slots.retries[s] = 0;
    core.queued();
    this.#slot = s;
    this.#starved = false;
  }

  complete(res: number, flags: number, more: boolean): void {
    if (!more) this.#slot = -1;
    const bid = flags & CqeFlag.BUFFER ? flags >>> CQE_BUFFER_SHIFT : -1;
    if (res > 0 && bid >= 0) {
      const chunk = this.#ring._take(bid, res);
      const w = this.#done ? undefined : this.#waiting.shift();
      // Data that arrives after a break waits for the next iteration: never dropped.
      if (w) w.resolve({ value: chunk, done: false });
      else this.#ready.push(chunk);
    } else if (res === 0) {
      // End of stream (a buffer may have been picked for it: give it back).
      if (bid >= 0) this.#ring.recycle(this.#ring._take(bid, 0));
      this.#finish();
      return;
    } else if (res === -E.ENOBUFS) {
      // The ring ran dry: the kernel ended the multishot; data waits in the socket.
      this.#starved = true;
      this.#starvations++;
    } else if (res < 0 && !this.#done) {
      if (this.#closed() || res === -E.ECANCELED) {
        this.#finish();
        return;
      }
      this.#error = errnoError(-res, { syscall: 'recv', engine: 'uring', address: this.#where });
      for (const w of this.#waiting.splice(0)) w.reject(this.#error);
      this.#finish();
      return;
    }
    if (!more && this.#done) this.#release();
    // Ended for another reason (starved, or the kernel's choice) while someone waits: go on.
    if (
      !more &&
      !this.#done &&
      this.#waiting.length > 0 &&
      (!this.#starved || this.#ring.available > 0)
    ) {
      this.#arm();
    }
  }

  /** How many times the ring ran dry (ENOBUFS) and the receive waited for recycled buffers. */
  get starvations(): number {
    return this.#starvations;
  }

  next(): Promise<IteratorResult<RingChunk>> {
    const chunk = this.#ready.shift();
    if (chunk !== undefined) return Promise.resolve({ value: chunk, done: false });
    if (this.#error !== undefined) {
      const e = this.#error;
      this.#error = undefined;
      this.#done = true;
      return Promise.reject(e);
    }
    if (this.#done || this.#closed()) {
      if (this.#closed()) for (const c of this.#ready.splice(0)) c.ring.recycle(c);
      this.#stop();
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      if (this.#slot < 0 && (!this.#starved || this.#ring.available > 0)) {
        try {
          this.#arm();
        } catch (e) {
          this.#waiting.pop();
          reject(e);
        }
      }
    });
  }

  /** `break` (or `return`): cancels the receive; chunks not handed out wait for the next iteration. */
  return(): Promise<IteratorResult<RingChunk>> {
    this.#stop();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<RingChunk> {
    return this;
  }

  /** Ends the iteration: no more chunks; waiters get `done`. */
  #finish(): void {
    this.#done = true;
    for (const w of this.#waiting.splice(0)) w.resolve({ value: undefined, done: true });
    if (this.#slot < 0) this.#release();
  }

  /** Stops on our side: cancels the armed receive. */
  #stop(): void {
    if (this.#slot >= 0) this.#core.cancel(this.#slot);
    this.#finish();
  }

  /** Once no receive is armed: the ring is no longer in use by this iteration. */
  #release(): void {
    if (!this.#ring._refilled.delete(this.#onRefill)) return;
    this.#ring._users--;
    this.#signal?.removeEventListener('abort', this.#onAbort);
  }
}

/** Options of `receiveChunks`. */
export interface ReceiveChunksOptions {
  /** Ends the iteration: the pending `next()` rejects with ERR_ABORTED. */
  signal?: AbortSignal;
}

/** Chunks each stream received and no iteration handed out yet. */
const readyOf = new WeakMap<object, RingChunk[]>();

/**
 * Checks and starts a chunk iteration on `stream`'s descriptor `fd` (async
 * engines only); nothing reaches the ring until the first `next()`.
 */
export function receiveChunks(
  core: UringCore,
  stream: object,
  fd: number,
  ring: UringBufferRing,
  options: ReceiveChunksOptions | undefined,
  where: string,
  closed: () => boolean,
): RingRecvIterator {
  const o = checkOptions(options, ['signal'], 'receiveChunks');
  if (core.mode !== 'async') {
    throw new IoError({
      code: 'ERR_INVALID_STATE',
      engine: 'uring',
      message: 'receiveChunks needs an async engine (a multishot receive delivers as data comes)',
    });
  }
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
  core.require(Op.RECV);
  let ready = readyOf.get(stream);
  if (ready === undefined) {
    ready = [];
    readyOf.set(stream, ready);
  }
  return new RingRecvIterator(core, fd, ring, where, closed, signal, ready);
}
