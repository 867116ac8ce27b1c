import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { dirname } from 'node:path';
import type { RecachePolicy } from '../run/plan.js';
import type { Missing } from '../run/subject.js';
import type { WorkloadResult } from './stats.js';

/** A run that failed. */
export interface Failure {
  workload: string;
  subject: string;
  message: string;
}

/** How the run was set up. */
export interface RunSettings {
  profile: 'quick' | 'full';
  reps: number;
  durationMs: number;
  fileSize: number;
  file?: string;
  recache: RecachePolicy;
  /** True when every run had fresh worker processes (`--fresh-workers`); else idle workers were reused. */
  freshWorkers?: boolean;
}

/** Seconds spent in each phase. */
export interface Timing {
  probeS: number;
  prepareS: number;
  runS: number;
  /** What the planner expected the runs (and the page-cache rebuilds) to take. */
  estimatedRunS?: number;
  /** Of `runS`, the page-cache rebuilds. */
  recacheS?: number;
  /** Per workload, the median run's wall time beyond its measured duration (worker hand-over, set-up, the other end), ms. */
  overheadMs?: Record<string, number>;
}

/** The JSON report (`schema: 'binio-bench/1'`). */
export interface BenchReport {
  schema: 'binio-bench/1';
  startedAt: string;
  elapsedS: number;
  argv: string[];
  host: {
    node: string;
    kernel: string;
    cpus: number;
    cpuModel: string;
    platform: string;
    /** 1-minute load average at the end: a busy machine explains a wide spread. */
    loadAverage: number;
  };
  settings: RunSettings;
  /** Where the time went, in seconds: probing, making the data files, the runs (with their process starts). */
  timing: Timing;
  notes: string[];
  missing: Missing[];
  failures: Failure[];
  workloads: {
    id: string;
    title: string;
    kind: string;
    blockSize: number;
    opName: string;
    references: string[];
    results: WorkloadResult['results'];
  }[];
}

/** Builds the JSON report. Rates are per second; `spreadPct` is half the range in % of the median. */
export function buildReport(input: {
  startedAt: Date;
  elapsedS: number;
  argv: string[];
  settings: RunSettings;
  timing: Timing;
  notes: string[];
  missing: Missing[];
  failures: Failure[];
  results: readonly WorkloadResult[];
}): BenchReport {
  const cpu = cpus();
  return {
    schema: 'binio-bench/1',
    startedAt: input.startedAt.toISOString(),
    elapsedS: input.elapsedS,
    argv: input.argv,
    host: {
      node: process.version,
      kernel: release(),
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? 'unknown',
      platform: `${process.platform}-${process.arch}`,
      loadAverage: loadavg()[0] ?? 0,
    },
    settings: input.settings,
    timing: input.timing,
    notes: input.notes,
    missing: input.missing,
    failures: input.failures,
    workloads: input.results.map((w) => ({
      id: w.workload.id,
      title: w.workload.title,
      kind: w.workload.kind,
      blockSize: w.workload.blockSize,
      opName: w.workload.opName,
      references: w.references,
      results: w.results,
    })),
  };
}

/** Writes `text` to `path`, making its directory. */
export function writeOutput(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
