import { IoError } from '@binio/core';
import { E, errnoError } from '@binio/engine-posix/linux';
import type { UringCore } from '../engine/core.js';
import { type Completion, Kind } from '../engine/slots.js';
import { CQE_BUFFER_SHIFT, CqeFlag, RecvSendFlag, SqeFlag } from '../uring/abi.js';
import type { RingChunk, UringBufferRing } from './buffer-ring.js';

/*
 * The kernel side of a multishot receive into a provided-buffer ring, shared
 * by both modes and by streams (RECV) and datagram sockets (RECVMSG): one
 * SQE, one CQE per arrival naming the buffer the kernel filled. Chunks wait
 * in the socket's queue until handed out (their buffers stay out of the
 * ring: that is the flow control). When the ring runs dry the kernel ends
 * the multishot with ENOBUFS and the data waits in the socket; the
 * front-ends (recv-ring.ts) arm it again once buffers are back. EOF, the
 * socket closing or an error end it.
 */

/** What one kind of multishot receive adds to the shared machinery. */
export interface ReceiveSpec<T extends RingChunk> {
  /** `Op.RECV` or `Op.RECVMSG`. */
  readonly op: number;
  /** The call's name in errors (`recv`, `recvmsg`). */
  readonly syscall: string;
  /** The SQE's `addr` (a msghdr for RECVMSG; 0 for RECV). */
  readonly addr: number;
  /** The SQE's `len`. */
  readonly len: number;
  /** `msg_flags`. */
  readonly msgFlags: number;
  /** The chunk for buffer `bid` of `ring`, which the CQE says holds `res` bytes. */
  take(ring: UringBufferRing, bid: number, res: number): T;
  /** Called once when the receive is over and nothing is armed (gives back its message block). */
  release?(): void;
}

/** What a multishot receive needs to know about its socket. */
export interface ReceiveTarget {
  /** The descriptor. */
  readonly fd: number;
  /** The peer or local address, for errors. */
  readonly where: string | undefined;
  /** True once the socket is closed. */
  closed(): boolean;
}

/** The shared state machine; {@link RingRecvIterator} and {@link RingRecvSyncIterator} are its front-ends. */
export abstract class RingReceive<T extends RingChunk> implements Completion {
  protected readonly core: UringCore;
  protected readonly ring: UringBufferRing;
  protected readonly target: ReceiveTarget;
  protected readonly spec: ReceiveSpec<T>;
  /** Ends the iteration with ERR_ABORTED (each front-end watches it its own way). */
  protected readonly signal: AbortSignal | undefined;
  /** Chunks received and not yet handed out: the socket's, kept across iterations. */
  protected readonly ready: T[];
  /** The armed request's slot, or −1. */
  protected slot = -1;
  /** The kernel ended the receive with ENOBUFS (every buffer was out). */
  protected starved = false;
  /** The error that ended the receive, until reported. */
  protected error: unknown;
  /** No more chunks: EOF, closed, stopped or failed. */
  protected done = false;
  #starvations = 0;
  #released = false;
  readonly #onRefill = (): void => this.refilled();
  readonly #onAbort = (): void => this.aborted();

  constructor(
    core: UringCore,
    ring: UringBufferRing,
    target: ReceiveTarget,
    spec: ReceiveSpec<T>,
    ready: T[],
    signal: AbortSignal | undefined,
  ) {
    this.signal = signal;
    this.core = core;
    this.ring = ring;
    this.target = target;
    this.spec = spec;
    this.ready = ready;
    ring._users++;
    ring._refilled.add(this.#onRefill);
    signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** How many times the ring ran dry (ENOBUFS) and the receive waited for recycled buffers. */
  get starvations(): number {
    return this.#starvations;
  }

  /** Arms the multishot request (submitted with the next flush or enter). */
  protected arm(): void {
    const core = this.core;
    const spec = this.spec;
    const s = core.begin(Kind.CUSTOM, spec.op, this.target.fd, spec.addr, spec.len, 0, this);
    if (s < 0) {
      throw new IoError({
        code: 'EBUSY',
        engine: 'uring',
        message: `EBUSY: no free slot for a multishot ${spec.syscall}`,
      });
    }
    const ring = core.ring;
    ring.setFlags(core.w, SqeFlag.BUFFER_SELECT);
    ring.setBufIndex(core.w, this.ring.bgid);
    ring.setIoprio(core.w, RecvSendFlag.RECV_MULTISHOT);
    if (spec.msgFlags !== 0) ring.setOpFlags(core.w, spec.msgFlags);
    core.slots.retries[s] = 0;
    core.queued();
    this.slot = s;
    this.starved = false;
  }

  complete(res: number, flags: number, more: boolean): void {
    if (!more) this.slot = -1;
    const bid = flags & CqeFlag.BUFFER ? flags >>> CQE_BUFFER_SHIFT : -1;
    if (res > 0 && bid >= 0) {
      this.deliver(this.spec.take(this.ring, bid, res));
    } else if (res === 0) {
      // End of stream (a buffer may have been picked for it: give it back).
      if (bid >= 0) this.ring.recycle(this.ring._takeBytes(bid, 0));
      this.finish();
      return;
    } else if (res === -E.ENOBUFS) {
      // The ring ran dry: the kernel ended the multishot; data waits in the socket.
      this.starved = true;
      this.#starvations++;
    } else if (res < 0 && !this.done) {
      if (this.target.closed() || res === -E.ECANCELED) {
        this.finish();
        return;
      }
      this.fail(
        errnoError(-res, {
          syscall: this.spec.syscall,
          engine: 'uring',
          address: this.target.where,
        }),
      );
      return;
    }
    if (!more && this.done) this.release();
    else if (!more) this.ended();
  }

  /** A chunk arrived. */
  protected abstract deliver(chunk: T): void;
  /** The receive failed with `err`: report it and end. */
  protected abstract fail(err: IoError): void;
  /** The kernel ended the receive (starved, or its own choice) while the iteration goes on. */
  protected ended(): void {}
  /** Buffers came back to the ring. */
  protected refilled(): void {}
  /** The signal fired (only an async engine can see it happen). */
  protected aborted(): void {}

  /** Ends the iteration: no more chunks. */
  protected finish(): void {
    this.done = true;
    if (this.slot < 0) this.release();
  }

  /** Stops on our side: cancels the armed receive (its last CQE comes later). */
  protected stop(): void {
    if (this.slot >= 0) this.core.cancel(this.slot);
    this.finish();
  }

  /** Once no receive is armed: the ring is no longer in use by this iteration. */
  protected release(): void {
    if (this.#released) return;
    this.#released = true;
    this.ring._refilled.delete(this.#onRefill);
    this.ring._users--;
    this.signal?.removeEventListener('abort', this.#onAbort);
    this.spec.release?.();
  }

  /** Gives the chunks never handed out back to their ring (the socket is closed: nobody will). */
  protected dropReady(): void {
    for (const c of this.ready.splice(0)) c.ring.recycle(c);
  }
}
