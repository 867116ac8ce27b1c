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

/**
 * How long the DPDK drivers run unmeasured before measuring: as long as the
 * C reference's loop does (`WARM_MS` in native/dpdk-tx.c). Each DPDK run is
 * a fresh process whose mbuf pool is touched for the first time (page
 * faults on `--no-huge` memory) and whose code is not yet optimised; the C
 * loop excludes the same start.
 */
export const DPDK_WARM_MS = 200;

// What this process has run already (see warmupMs).
const warmed = new Set<string>();

/**
 * How long to run a loop unmeasured before measuring it: the first time this
 * worker process runs `key` (a driver, workload and subject), a quarter of
 * the run and at most 100 ms, so that V8 has optimised the loop and the
 * engine's code under it before the clock starts (a 0.2 s quick run was
 * otherwise partly spent in the interpreter); 0 when it ran here before,
 * its code still optimised. The C references need none.
 */
export function warmupMs(key: string, durationMs: number): number {
  if (warmed.has(key)) return 0;
  warmed.add(key);
  return Math.min(100, durationMs / 4);
}

/** `key` for {@link warmupMs} from a worker spec. */
export function warmupKey(spec: {
  driver: string;
  workload: { id: string };
  engine?: unknown;
}): string {
  return JSON.stringify([spec.driver, spec.workload.id, spec.engine ?? null]);
}

/**
 * Runs `loop(ms)` (it returns how many ops it did) unmeasured for
 * {@link warmupMs}, then measured for `durationMs`.
 */
export function measureLoop(
  key: string,
  durationMs: number,
  bytesPerOp: number,
  loop: (ms: number) => number,
): WorkerResult {
  const warm = warmupMs(key, durationMs);
  if (warm > 0) loop(warm);
  const meter = new Meter();
  meter.start();
  const ops = loop(durationMs);
  return meter.stop(ops, ops * bytesPerOp);
}

/** {@link measureLoop} for a loop that awaits. */
export async function measureLoopAsync(
  key: string,
  durationMs: number,
  bytesPerOp: number,
  loop: (ms: number) => Promise<number>,
): Promise<WorkerResult> {
  const warm = warmupMs(key, durationMs);
  if (warm > 0) await loop(warm);
  const meter = new Meter();
  meter.start();
  const ops = await loop(durationMs);
  return meter.stop(ops, ops * bytesPerOp);
}
