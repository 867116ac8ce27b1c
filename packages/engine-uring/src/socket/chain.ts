import { IoError } from '@binio/core';
import type { UringCore } from '../engine/core.js';
import { type Completion, Kind } from '../engine/slots.js';
import { SqeFlag } from '../uring/abi.js';

/**
 * A chain of SQEs linked with IOSQE_IO_LINK and submitted together (one
 * `io_uring_enter` carries them all): each starts only once the previous
 * one completed, so they run in order, and the first that fails ends the
 * chain (the kernel completes the rest with -ECANCELED). The batch forms
 * of UDP use it: sends go out in order and stop at the first failure (a
 * prefix is sent), receives take what is queued in order and stop at the
 * first that finds nothing.
 *
 * Only the head may wait (for a datagram, or for send-buffer room); every
 * later link carries MSG_DONTWAIT, so once the head completed the rest of
 * the chain completes at once (a result, EAGAIN, or ECANCELED). That is
 * what lets both modes wait for the whole tail in one `io_uring_enter`:
 * the kernel runs each link as task work of the one before it, and under
 * DEFER_TASKRUN that work runs only inside an enter with GETEVENTS, one
 * hop per enter unless the enter waits for all of them.
 */

/** One operation of a chain: what goes in its SQE (every one after the first must carry MSG_DONTWAIT). */
export interface ChainOp {
  /** Opcode. */
  op: number;
  /** Descriptor. */
  fd: number;
  /** `addr` (the msghdr). */
  addr: number;
  /** `msg_flags`. */
  opFlags: number;
  /** What the kernel reads or writes (kept referenced until the completion). */
  keep: unknown;
}

/** How many operations a chain can have right now: free slots and free SQEs both bound it. */
export function chainRoom(core: UringCore): number {
  return Math.min(core.slots.available, core.ring.sqSpace);
}

// The slot's target: it also keeps what the kernel uses referenced (the
// engine holds targets of requests that never completed for good).
class Link implements Completion {
  constructor(
    readonly chain: Chain,
    readonly index: number,
    readonly keep: unknown,
  ) {}

  complete(res: number): void {
    this.chain.settle(this.index, res);
  }
}

class Chain {
  readonly res: Int32Array;
  readonly slots: Int32Array;
  readonly finished: Uint8Array;
  pending: number;
  aborted = false;
  driving = false;
  onDone: (() => void) | undefined;

  constructor(
    readonly core: UringCore,
    n: number,
  ) {
    this.res = new Int32Array(n);
    this.slots = new Int32Array(n);
    this.finished = new Uint8Array(n);
    this.pending = n;
  }

  settle(i: number, res: number): void {
    this.res[i] = res;
    this.finished[i] = 1;
    if (--this.pending === 0) this.onDone?.();
    else if (this.core.mode === 'async' && !this.driving) {
      // The next link is now task work in the kernel: run the tail soon rather than on the next wake-up.
      this.driving = true;
      queueMicrotask(this.drive);
    }
  }

  /**
   * Submits, and once the head completed, waits in one enter for the rest
   * (which cannot block: MSG_DONTWAIT). While the head waits, only submits:
   * its completion comes through the eventfd and calls settle.
   */
  readonly drive = (): void => {
    const core = this.core;
    // Completions reaped here do not schedule another drive.
    this.driving = true;
    try {
      if (this.finished[0] === 0) core.enterFor(0);
      if (this.finished[0] === 1) {
        while (this.pending > 0 && !core.closing) core.enterFor(this.pending);
      }
    } finally {
      this.driving = false;
    }
  };
}

/** What a chain gave: each operation's result (negative errno when it failed or was cut off). */
export interface ChainResult {
  /** Results, in order. */
  readonly res: Int32Array;
  /** True when an AbortSignal cancelled it. */
  readonly aborted: boolean;
}

/**
 * Prepares `ops` as one linked chain and runs it in the engine's mode: sync
 * waits inside `io_uring_enter` until every operation completed; async
 * resolves then. The caller made sure {@link chainRoom} is at least
 * `ops.length`. An AbortSignal cancels whatever is still in flight.
 */
export function runChain(
  core: UringCore,
  ops: readonly ChainOp[],
  signal: AbortSignal | undefined,
): ChainResult | Promise<ChainResult> {
  const n = ops.length;
  const chain = new Chain(core, n);
  for (let i = 0; i < n; i++) {
    const o = ops[i]!;
    // SENDMSG/RECVMSG take 1 in `len`: one message.
    const s = core.begin(Kind.CUSTOM, o.op, o.fd, o.addr, 1, 0, new Link(chain, i, o.keep));
    if (s < 0) {
      // Cannot happen after chainRoom said there was room; undo what was prepared.
      for (let k = i - 1; k >= 0; k--) core.abandon(chain.slots[k]!);
      throw new IoError({
        code: 'EBUSY',
        engine: 'uring',
        message: 'EBUSY: no room in the ring for the batch',
      });
    }
    chain.slots[i] = s;
    core.slots.retries[s] = 0;
    core.ring.setOpFlags(core.w, o.opFlags);
    if (i < n - 1) core.ring.setFlags(core.w, SqeFlag.IO_LINK);
  }
  if (core.mode === 'sync') {
    // Blocks in the kernel until the head completed, then the tail with it.
    while (chain.pending > 0) core.enterFor(chain.pending);
    return chain;
  }
  return new Promise<ChainResult>((resolve) => {
    const onAbort = () => {
      chain.aborted = true;
      for (let i = 0; i < n; i++) if (chain.finished[i] === 0) core.cancel(chain.slots[i]!);
    };
    chain.onDone = () => {
      signal?.removeEventListener('abort', onAbort);
      resolve(chain);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    chain.driving = true;
    queueMicrotask(chain.drive);
  });
}
