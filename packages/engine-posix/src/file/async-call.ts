import { ASYNC_CALL_SLOTS, koffi } from '../libc/lib.js';

/**
 * Runs koffi functions on the libuv thread pool (`fn.async`) — the async
 * mode's only way into the kernel — and keeps their number under koffi's
 * cap on queued async calls.
 *
 * How koffi treats JS memory in these calls (koffi 3.3.4, read in its
 * source `src/koffi/src/util.hh` `TryPointer` and checked by
 * `test/async-memory.test.ts`): a typed array given for a `void *` is not
 * copied; koffi asks Node for its data pointer (`napi_get_buffer_info`),
 * and Node's `ArrayBufferView::Buffer()` moves a small on-heap typed array
 * to an off-heap backing store first. A backing store never moves, so the
 * pointer a pool thread uses stays valid as long as the ArrayBuffer is
 * alive and not detached. The engine keeps every buffer it lends referenced
 * until the call settles, and core's ownership states keep the caller's
 * hands off it meanwhile. (Detaching it by transferring its ArrayBuffer to
 * a worker while it is lent is the one misuse no check can catch.)
 */

/** A koffi function: callable, with an `.async` twin. */
export interface AsyncCapable {
  async: (...args: unknown[]) => void;
}

/**
 * Called once per call: `err` when koffi could not make the call,
 * otherwise the C result as a number, the errno the call left (meaningful
 * only when the result says it failed) and the result as koffi gave it
 * (a BigInt for pointers).
 */
export type CallDone = (err: unknown, result: number, errno: number, raw: unknown) => void;

// At most as many calls as koffi keeps resident call memory for (beyond
// that it allocates per call, which halved the rate); the libuv pool has 4
// threads, so more in flight would only wait in its queue instead of ours.
const LIMIT = ASYNC_CALL_SLOTS;
const waitingFn: AsyncCapable[] = [];
const waitingArgs: unknown[][] = [];
const waitingDone: CallDone[] = [];
let waitingHead = 0;
let active = 0;
let retryTimer: ReturnType<typeof setTimeout> | undefined;

/** Calls `fn(...args)` on the thread pool and reports to `done`. */
export function callAsync(fn: AsyncCapable, args: unknown[], done: CallDone): void {
  if (active < LIMIT && waitingHead === waitingFn.length && start(fn, args, done)) return;
  waitingFn.push(fn);
  waitingArgs.push(args);
  waitingDone.push(done);
  if (active === 0) scheduleRetry();
}

/** Calls on the thread pool or waiting for room (for tests and diagnostics). */
export function asyncCallsInFlight(): number {
  return active + (waitingFn.length - waitingHead);
}

/** Starts one call; false when koffi's shared queue is full (nothing started). */
function start(fn: AsyncCapable, args: unknown[], done: CallDone): boolean {
  active++;
  const callback = (err: unknown, result: unknown) => {
    // Read errno first: koffi restores the call's errno for this callback.
    const errno = err == null ? koffi.errno() : 0;
    active--;
    drain();
    done(err ?? null, typeof result === 'number' ? result : Number(result), errno, result);
  };
  try {
    fn.async(...args, callback);
    return true;
  } catch (e) {
    active--;
    // Another koffi user filled the shared queue: the caller waits for room.
    if (e instanceof Error && /too many asynchronous calls/i.test(e.message)) return false;
    done(e, -1, 0, undefined);
    return true;
  }
}

function drain(): void {
  while (active < LIMIT && waitingHead < waitingFn.length) {
    const i = waitingHead;
    if (!start(waitingFn[i]!, waitingArgs[i]!, waitingDone[i]!)) {
      if (active === 0) scheduleRetry();
      return;
    }
    waitingFn[i] = undefined as never;
    waitingArgs[i] = undefined as never;
    waitingDone[i] = undefined as never;
    waitingHead++;
  }
  if (waitingHead === waitingFn.length && waitingHead > 0) {
    waitingFn.length = 0;
    waitingArgs.length = 0;
    waitingDone.length = 0;
    waitingHead = 0;
  }
}

function scheduleRetry(): void {
  if (retryTimer !== undefined) return;
  retryTimer = setTimeout(() => {
    retryTimer = undefined;
    drain();
  }, 1);
}
