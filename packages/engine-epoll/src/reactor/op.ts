import { E } from '@binio/engine-posix/linux';
import type { Source } from './source.js';

/** What one non-blocking try of an operation came to. */
export const AGAIN = 0;
/** The operation finished; its result is in `value`. */
export const DONE = 1;
/** The operation failed; its error is in `error` (buffers already given back). */
export const FAILED = 2;

/** Not a result: a call was interrupted (EINTR) within the retry budget; call again at once. */
export const RETRY = 3;

/** {@link AGAIN}, {@link DONE} or {@link FAILED}. */
export type Attempt = typeof AGAIN | typeof DONE | typeof FAILED;

/**
 * One operation of a descriptor: the system call it makes and the buffers it
 * holds. The engine tries it once at once; when the kernel says EAGAIN it is
 * parked in its descriptor's queue and tried again when epoll reports the
 * descriptor ready. An attempt that finishes (or fails) gives its buffers
 * back itself; {@link abandon} gives them back when the operation is
 * cancelled (abort, timeout, close) while parked.
 */
export abstract class Op<T = unknown> {
  /** Next parked operation in the same queue. */
  next: Op | null = null;
  /** The result once {@link attempt} returned {@link DONE}. */
  value: T | undefined = undefined;
  /** The error once {@link attempt} returned {@link FAILED}. */
  error: unknown = undefined;
  /** Settles the caller's Promise with `value` (set when parked). */
  resolve: ((value: unknown) => void) | undefined = undefined;
  /** Rejects the caller's Promise (set when parked). */
  reject: ((error: unknown) => void) | undefined = undefined;
  /** The queue it is parked in, while parked. */
  source: Source | undefined = undefined;
  /** Abort listener and timer while parked. */
  cancelHooks:
    | { signal: AbortSignal | undefined; onAbort: () => void; timer: NodeJS.Timeout | undefined }
    | undefined = undefined;

  /** EINTR retries left (core's `retryOnInterrupt`, as a count). */
  protected retries: number;

  constructor(retries = Number.POSITIVE_INFINITY) {
    this.retries = retries;
  }

  /** System call name, for errors raised while it waits (`recv`, `accept4`). */
  abstract readonly syscall: string;

  /** One non-blocking try. Must not throw: failures go to `error`. */
  abstract attempt(): Attempt;

  /** Gives back what the operation holds, keeping any progress it made. */
  abstract abandon(): void;

  /**
   * What a failed call's errno means: {@link AGAIN} (wait for readiness),
   * {@link RETRY} (interrupted, within the retry budget) or {@link FAILED}.
   * The one place the engine's interrupt policy lives.
   */
  protected outcome(errno: number): typeof AGAIN | typeof RETRY | typeof FAILED {
    if (errno === E.EAGAIN) return AGAIN;
    if (errno === E.EINTR && this.retries-- > 0) return RETRY;
    return FAILED;
  }

  /** Records a result; returns {@link DONE}. */
  protected done(value: T): Attempt {
    this.value = value;
    return DONE;
  }

  /** Records a failure; returns {@link FAILED}. */
  protected fail(error: unknown): Attempt {
    this.error = error;
    return FAILED;
  }
}
