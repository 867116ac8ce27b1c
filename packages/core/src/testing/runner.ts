import { IoError, abortError, retryLimit } from '../errors.js';
import type { RetryOnInterrupt } from '../errors.js';
import type { Mode, Ret } from '../mode.js';
import type { FaultOp, FaultPlan } from './faults.js';

/** Returned by an attempt that cannot complete yet (no data, no peer). */
export const WOULD_BLOCK: unique symbol = Symbol('would-block');

/** Something an attempt can wait on; `notify()` wakes the waiters to try again. */
export class Readiness {
  readonly #waiters = new Set<() => void>();

  /** Wakes everyone waiting. */
  notify(): void {
    const ws = [...this.#waiters];
    this.#waiters.clear();
    for (const w of ws) w();
  }

  /** @internal */
  wait(wake: () => void): () => void {
    this.#waiters.add(wake);
    return () => this.#waiters.delete(wake);
  }
}

/** How one memory-engine operation runs. */
export interface OpSpec<T> {
  /** Fault-plan name of the operation. */
  op: Exclude<FaultOp, '*'>;
  /** Path for path-specific faults. */
  path?: string | undefined;
  /** Interrupt policy of the call. */
  retry?: RetryOnInterrupt | undefined;
  /** Abort signal (async). */
  signal?: AbortSignal | undefined;
  /** Where to wait when the attempt would block. */
  readiness?: Readiness | undefined;
  /**
   * One attempt; `cap` is the most bytes it may move (a `short` fault lowers
   * it). Returns the result, or WOULD_BLOCK to wait for `readiness`.
   */
  attempt: (cap: number) => T | typeof WOULD_BLOCK;
  /** Called exactly once when the operation settles (gives buffers back). */
  settle?: ((ok: boolean) => void) | undefined;
}

/**
 * Runs operations the way a real engine would, on memory: applies the fault
 * plan (EINTR retried per `retryOnInterrupt`, EAGAIN/ENOSPC/EIO surfaced,
 * short transfers, delayed completions), and in async mode waits for
 * readiness and honours AbortSignal. This is where the interrupt policy is
 * specified in executable form.
 */
export class OpRunner<M extends Mode> {
  constructor(
    readonly mode: M,
    readonly engine: string,
    readonly faults: FaultPlan,
  ) {}

  run<T>(spec: OpSpec<T>): Ret<M, T> {
    if (this.mode === 'sync') {
      let ok = false;
      try {
        const r = this.#attemptOnce(spec, retryLimit(spec.retry));
        if (r.value === WOULD_BLOCK) {
          throw new IoError({
            code: 'EAGAIN',
            engine: this.engine,
            syscall: spec.op,
            message: `EAGAIN: ${spec.op} would block forever: a sync memory engine has no one else to provide data`,
          });
        }
        ok = true;
        return r.value as Ret<M, T>;
      } finally {
        spec.settle?.(ok);
      }
    }
    return this.#runAsync(spec) as Ret<M, T>;
  }

  async #runAsync<T>(spec: OpSpec<T>): Promise<T> {
    let ok = false;
    try {
      const limit = retryLimit(spec.retry);
      // Real engines never complete synchronously in async mode.
      await Promise.resolve();
      for (;;) {
        if (spec.signal?.aborted) throw abortError(spec.signal, spec.op);
        const r = this.#attemptOnce(spec, limit);
        if (r.delay > 0) await new Promise((res) => setTimeout(res, r.delay));
        if (r.value !== WOULD_BLOCK) {
          ok = true;
          return r.value;
        }
        await this.#waitReady(spec);
      }
    } finally {
      spec.settle?.(ok);
    }
  }

  #attemptOnce<T>(spec: OpSpec<T>, limit: number): { value: T | typeof WOULD_BLOCK; delay: number } {
    let retries = 0;
    let delay = 0;
    for (;;) {
      const f = this.faults.take(spec.op, spec.path);
      let cap = Number.POSITIVE_INFINITY;
      if (f) {
        switch (f.kind) {
          case 'EINTR':
            if (retries < limit) {
              retries++;
              continue;
            }
            throw this.#err('EINTR', 4, spec, limit > 0 ? `gave up after ${retries} retries` : 'retry disabled');
          case 'EAGAIN':
            throw this.#err('EAGAIN', 11, spec, 'injected');
          case 'ENOSPC':
            throw this.#err('ENOSPC', 28, spec, 'injected');
          case 'EIO':
            throw this.#err('EIO', 5, spec, 'injected');
          case 'short':
            cap = f.bytes;
            break;
          case 'delay':
            delay = f.ms;
            break;
        }
      }
      return { value: spec.attempt(cap), delay };
    }
  }

  #waitReady(spec: OpSpec<unknown>): Promise<void> {
    const readiness = spec.readiness;
    if (!readiness) throw new IoError({ code: 'EAGAIN', engine: this.engine, syscall: spec.op });
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        cancel();
        reject(abortError(spec.signal, spec.op));
      };
      const cancel = readiness.wait(() => {
        spec.signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      spec.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #err(code: string, errno: number, spec: OpSpec<unknown>, why: string): IoError {
    return new IoError({
      code,
      errno,
      engine: this.engine,
      syscall: spec.op,
      path: spec.path,
      message: `${code}: ${spec.op}${spec.path ? ` '${spec.path}'` : ''} failed (${why})`,
    });
  }
}
