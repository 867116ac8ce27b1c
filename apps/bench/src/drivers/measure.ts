import type { WorkerResult } from '../protocol.js';

/** Milliseconds on the monotonic clock (cheap enough to call per operation). */
export const now = (): number => performance.now();

/**
 * Times one measured loop: wall time and the process's CPU time (user +
 * system, all threads, so the libuv pool's work counts too).
 */
export class Meter {
  #t0 = 0;
  #cpu0: NodeJS.CpuUsage = { user: 0, system: 0 };

  /** Starts (or restarts) the clocks. */
  start(): void {
    this.#cpu0 = process.cpuUsage();
    this.#t0 = now();
  }

  /** CPU microseconds since {@link start}. */
  cpuUs(): number {
    const d = process.cpuUsage(this.#cpu0);
    return d.user + d.system;
  }

  /** The result of a loop that did `ops` operations moving `bytes`, ending now. */
  stop(ops: number, bytes: number): WorkerResult {
    const elapsedNs = Math.round((now() - this.#t0) * 1e6);
    return { ops, bytes, elapsedNs, cpuUs: this.cpuUs() };
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves on the next turn of the event loop (after pending I/O callbacks). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
