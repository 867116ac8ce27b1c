import type { ReadyInfo, WorkerResult, WorkerSpec } from '../protocol.js';

/** What a driver gets: its spec, and how to say it is listening. */
export interface DriverContext {
  spec: WorkerSpec;
  /** Prints the `ready` line (servers of paired workloads, once bound). */
  ready(info: ReadyInfo): void;
}

/** A workload implementation run inside a worker process. */
export type Driver = (ctx: DriverContext) => Promise<WorkerResult>;

/** The spec's field, or a clear error naming what the parent forgot. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`worker spec lacks ${what}`);
  return value;
}
