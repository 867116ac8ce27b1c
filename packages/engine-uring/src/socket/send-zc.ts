import {
  BufferList,
  type ByteSource,
  checkInt,
  checkOptions,
  InputBuffer,
  IoError,
  invalidArg,
  lendSource,
  OutputBuffer,
  settleSource,
} from '@binio/core';
import { E, errnoError, MSG } from '@binio/engine-posix/linux';
import type { UringCore } from '../engine/core.js';
import { type Completion, Kind } from '../engine/slots.js';
import { addressOf } from '../sys/memory.js';
import { CqeFlag, Op, RecvSendFlag } from '../uring/abi.js';

/*
 * SEND_ZC on a stream (and SENDMSG_ZC on any socket, sendmsg-zc.ts): the kernel sends straight from the caller's pages
 * and holds on to them until the data needs no retransmission. It posts two
 * CQEs for one request: the send's result (with IORING_CQE_F_MORE when a
 * notification follows), then the notification (IORING_CQE_F_NOTIF) once it
 * has let go of the pages. The result is handed back at the first CQE; the
 * buffer stays lent (in flight: untouchable, not recyclable) until the
 * second, and only then is it settled.
 */

/** Options of `sendZeroCopy`. */
export interface ZeroCopyOptions {
  /** Send at most this many bytes. */
  maxBytes?: number;
}

/** The zero-copy sends of one stream whose buffers the kernel still holds. */
class Pending {
  count = 0;
  readonly idle: Array<() => void> = [];

  /** A send's buffer came back. */
  release(): void {
    if (--this.count === 0) for (const f of this.idle.splice(0)) f();
  }
}

const pendingOf = new WeakMap<object, Pending>();
function pending(stream: object): Pending {
  let p = pendingOf.get(stream);
  if (p === undefined) {
    p = new Pending();
    pendingOf.set(stream, p);
  }
  return p;
}

/** What one zero-copy request (SEND_ZC or SENDMSG_ZC) is, once checked and lent. */
export interface ZeroCopyRequest {
  /** `Op.SEND_ZC` or `Op.SENDMSG_ZC`. */
  readonly op: number;
  /** The call's name in errors (`send_zc`, `sendmsg_zc`). */
  readonly syscall: string;
  readonly fd: number;
  /** The SQE's `addr` and `len`: the bytes (SEND_ZC) or the msghdr and 1 (SENDMSG_ZC). */
  readonly addr: number;
  readonly len: number;
  /** The peer, for errors. */
  readonly where: string | undefined;
  /** Gives the lent data back after `n` bytes were sent (at the notification). */
  settle(n: number): void;
  /** The send part is over (first CQE, or refused): the kernel no longer reads the msghdr. */
  sent?(): void;
  /** Extra SQE fields, at word `w` (a fixed buffer). */
  prep?(w: number): void;
  /** Issues the whole call again once a slot is free (async, none was). */
  again(): Promise<number>;
}

/** One zero-copy request in the ring: its result, then its buffer's release. */
class ZcSend implements Completion {
  sent = false;
  res = 0;
  resolve: ((n: number) => void) | undefined;
  reject: ((e: unknown) => void) | undefined;

  constructor(
    readonly core: UringCore,
    readonly request: ZeroCopyRequest,
    readonly owner: Pending,
  ) {}

  /** The request's slot in the operation table. */
  slot = -1;

  complete(res: number, flags: number, more: boolean): void {
    // The core frees a slot before delivering its last CQE; a slot still
    // holding this request means the engine is tearing down with the kernel
    // not done: the buffer stays in flight for good, never handed back.
    if (!more && this.core.slots.target[this.slot] === this) {
      this.owner.release(); // nothing will come back: nobody should wait for it
      if (!this.sent) this.reject?.(this.error(res));
      this.sent = true;
      return;
    }
    if (!this.sent) {
      this.sent = true;
      this.res = res;
      this.request.sent?.();
      // No notification follows a send the kernel refused (no F_MORE): release now.
      if (!more) this.#release();
      if (res < 0) this.reject?.(this.error(res));
      else this.resolve?.(res);
      return;
    }
    // Only a real notification hands the pages back. The engine tearing down
    // with the request unfinished (no NOTIF flag) keeps the buffer in flight.
    if (flags & CqeFlag.NOTIF) this.#release();
  }

  #release(): void {
    this.request.settle(Math.max(this.res, 0));
    this.owner.release();
  }

  error(res: number): IoError {
    const syscall = this.request.syscall;
    if (this.core.closing && (res === -E.ECANCELED || res === -E.EINTR)) {
      return new IoError({
        code: 'ERR_CLOSED',
        engine: 'uring',
        syscall,
        message: `${syscall} did not complete: the uring engine was closed while it was in flight`,
      });
    }
    return errnoError(-res, { syscall, engine: 'uring', address: this.request.where });
  }
}

/**
 * Refuses data a zero-copy send cannot track in flight: the kernel reads
 * its memory until the notification. Engine buffers (`InputBuffer`,
 * `OutputBuffer`) always; a `BufferList` where the call takes one.
 */
export function checkZeroCopySource(data: unknown, what: string, lists = false): void {
  if (data instanceof InputBuffer || data instanceof OutputBuffer) return;
  if (lists && data instanceof BufferList) return;
  throw invalidArg(
    'ERR_INVALID_ARG_TYPE',
    `${what} needs an InputBuffer or OutputBuffer${lists ? ' or a BufferList' : ''} (an engine buffer): the kernel reads its memory until the notification, so it must be tracked in flight, which a plain Uint8Array cannot be`,
  );
}

/**
 * Submits a zero-copy request whose data is lent: returns (sync) or
 * resolves to (async) the bytes sent at the first CQE; the data is settled
 * at the kernel's notification. `socket` keys the pending count
 * {@link zeroCopyIdle} waits on. Call after every check passed.
 */
export function runZeroCopy(
  core: UringCore,
  socket: object,
  r: ZeroCopyRequest,
): number | Promise<number> {
  const sync = core.mode === 'sync';
  const owner = pending(socket);
  const req = new ZcSend(core, r, owner);
  const s = core.begin(Kind.CUSTOM, r.op, r.fd, r.addr, r.len, 0, req);
  if (s < 0) {
    r.settle(0);
    r.sent?.();
    if (sync)
      throw new IoError({
        code: 'EBUSY',
        engine: 'uring',
        message: 'EBUSY: no free slot in the sync engine',
      });
    return core.later(r.again);
  }
  core.ring.setOpFlags(core.w, MSG.MSG_NOSIGNAL);
  r.prep?.(core.w);
  core.slots.retries[s] = 0;
  req.slot = s;
  owner.count++;
  if (sync) {
    while (!req.sent) core.submitBatch(1);
    if (req.res < 0) throw req.error(req.res);
    return req.res;
  }
  const p = new Promise<number>((resolve, reject) => {
    req.resolve = resolve;
    req.reject = reject;
  });
  core.queued();
  return p;
}

/**
 * IORING_OP_SEND_ZC of `data` on `fd`: returns (sync) or resolves to (async)
 * the bytes sent, at the first CQE; `data` stays in flight until the
 * kernel's notification. `stream` keys the pending count {@link zeroCopyIdle} waits on.
 */
export function sendZeroCopy(
  core: UringCore,
  stream: object,
  fd: number,
  data: ByteSource,
  options: ZeroCopyOptions | undefined,
  where: string,
  fixed = -1,
): number | Promise<number> {
  const o = checkOptions(options, ['maxBytes'], 'sendZeroCopy');
  const max =
    o.maxBytes === undefined
      ? Number.POSITIVE_INFINITY
      : checkInt('maxBytes', o.maxBytes, 0, 0x7ffff000);
  checkZeroCopySource(data, 'sendZeroCopy');
  core.assertOpen('send');
  core.require(Op.SEND_ZC);
  const all = lendSource(data);
  const bytes = max < all.byteLength ? all.subarray(0, max) : all;
  if (bytes.byteLength === 0) {
    settleSource(data, 0);
    return core.mode === 'sync' ? 0 : Promise.resolve(0);
  }
  return runZeroCopy(core, stream, {
    op: Op.SEND_ZC,
    syscall: 'send_zc',
    fd,
    addr: addressOf(bytes),
    len: bytes.byteLength,
    where,
    settle: (n) => settleSource(data, n),
    // A registered buffer goes as one (IORING_RECVSEND_FIXED_BUF): the kernel
    // uses the pages it pinned at registration instead of pinning them per send.
    prep:
      fixed < 0
        ? undefined
        : (w) => {
            core.ring.setIoprio(w, RecvSendFlag.FIXED_BUF);
            core.ring.setBufIndex(w, fixed);
          },
    again: () => sendZeroCopy(core, stream, fd, data, options, where, fixed) as Promise<number>,
  });
}

/**
 * Waits until the kernel has given back the buffers of every zero-copy send
 * on `stream` (their notifications arrived). In sync mode this waits inside
 * the ring, so the peer must be able to acknowledge the data meanwhile.
 */
export function zeroCopyIdle(core: UringCore, stream: object): void | Promise<void> {
  const owner = pending(stream);
  if (core.mode === 'sync') {
    while (owner.count > 0 && core.slots.inUse > 0) core.submitBatch(1);
    return;
  }
  if (owner.count === 0) return Promise.resolve();
  return new Promise<void>((resolve) => owner.idle.push(resolve));
}
