import type { Mode } from '@binio/core';
import type { WorkerResult } from '../protocol.js';
import type { Workload } from '../workloads.js';

/**
 * Who a subject is measured as: a binio engine, or a reference it is
 * compared with (Node's own modules, Bun running the same Node-API code,
 * and the limits: fio, iperf3, C).
 */
export type Group = 'binio' | 'node' | 'bun' | 'limit';

/** The files of the file workloads. */
export interface DataFiles {
  /** Read by the read workloads; the page cache is rebuilt before runs. */
  readonly readPath: string;
  /** Written by the write workloads (never the user's `--file`). */
  readonly writePath: string;
  /** Size of each, in bytes. */
  readonly size: number;
}

/** One measured run of one subject. */
export interface Job {
  readonly workload: Workload;
  readonly durationMs: number;
  readonly files: DataFiles;
}

/** What one run measured; CPU counts every process of the subject (both ends of a socket pair). */
export type Sample = WorkerResult;

/** One thing measured: an engine in one mode, or a reference. */
export interface Subject {
  /** Stable short id (`posix-sync`, `node-promises`, `fio-uring`), used by `--subjects` and as a column header. */
  readonly id: string;
  /** A longer description for `--list` and the JSON. */
  readonly label: string;
  readonly group: Group;
  /** For binio engines and the Node/Bun references: sync or async. */
  readonly mode?: Mode;
  /** Ids of the workloads it can run. */
  readonly workloads: readonly string[];
  /** The queue depth it runs `w` at. */
  queueDepth(w: Workload): number;
  /**
   * Cost of one of its runs beyond the measured duration, in ms, for
   * planning `--quick` (see `plan.ts`: a paired workload's second process
   * adds its cost again).
   */
  readonly overheadMs: number;
  /** Every run in processes of its own, never reused workers (DPDK's EAL, once per process). */
  readonly freshProcess?: boolean;
  /**
   * Why `--quick` leaves it out unless `--subjects` names it (a reference or
   * variant another subject already stands for); `--full` runs it.
   */
  readonly notInQuick?: string;
  /** Shortest run it can do (iperf3 counts whole seconds). */
  readonly minDurationMs?: number;
  /** Runs `job` once (in reused workers, or fresh processes: see {@link freshProcess}). */
  run(job: Job): Promise<Sample>;
}

/** Something that could not be measured here, and what would fix it. */
export interface Missing {
  /** The engine, tool or runtime. */
  readonly what: string;
  readonly reason: string;
  /** How to get it. */
  readonly hint?: string;
}

/** What probing a family found. */
export interface ProbeResult {
  readonly subjects: Subject[];
  readonly missing: Missing[];
}

/** Tools a probe may need. */
export interface ProbeContext {
  /** Where compiled helpers are cached. */
  readonly cacheDir: string;
}

/**
 * One file in `src/subjects/`: a family of subjects (an engine in each of
 * its modes, a tool's variants) and how to find out which of them can run
 * here. Adding an engine to the bench is adding one such file.
 */
export interface SubjectFamily {
  /** Name in messages (`@binio/engine-posix`, `fio`). */
  readonly name: string;
  /** Sort key: binio engines first, then Node, Bun, the limits. */
  readonly order: number;
  probe(ctx: ProbeContext): Promise<ProbeResult>;
}
