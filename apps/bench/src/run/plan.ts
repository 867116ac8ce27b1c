import type { Workload } from '../workloads.js';
import type { Subject } from './subject.js';

/** One measured run to do. */
export interface PlannedRun {
  readonly workload: Workload;
  readonly subject: Subject;
  /** Repetition, from 0. */
  readonly rep: number;
  /** True for the first run of a round (one repetition of every subject of a workload). */
  readonly roundStart: boolean;
}

/** The subjects that run `w`, in the given order. */
export function subjectsOf(w: Workload, subjects: readonly Subject[]): Subject[] {
  return subjects.filter((s) => s.workloads.includes(w.id));
}

/**
 * Every run, workload by workload. Within a workload the subjects take
 * turns round-robin, one repetition each per round, and each round starts
 * one subject further on, so no subject always runs first (or right after
 * the same neighbour) while the machine drifts.
 */
export function planRuns(
  workloads: readonly Workload[],
  subjects: readonly Subject[],
  reps: number,
): PlannedRun[] {
  const runs: PlannedRun[] = [];
  for (const w of workloads) {
    const subs = subjectsOf(w, subjects);
    for (let rep = 0; rep < reps; rep++) {
      for (let i = 0; i < subs.length; i++) {
        runs.push({
          workload: w,
          subject: subs[(i + rep) % subs.length]!,
          rep,
          roundStart: i === 0,
        });
      }
    }
  }
  return runs;
}

/** Whether a run is of a workload whose file must be re-cached first, under the policy. */
export function needsRecache(run: PlannedRun, policy: 'run' | 'round'): boolean {
  return run.workload.recache === true && (policy === 'run' || run.roundStart);
}

/** Measured cost of a run in a reused worker beyond its duration (spec, imports once, engine set-up), ms. */
export const POOLED_OVERHEAD_MS = 60;

/** Measured cost of a run in a process started for it (runtime start-up, imports, engine set-up), ms. */
export const FRESH_OVERHEAD_MS = 400;

/** Seconds the page-cache rebuild of a file of `size` bytes takes, roughly (drop, then read at ~400 MB/s). */
export function recacheSeconds(size: number): number {
  return 0.1 + size / 400e6;
}

/** Seconds `runs` would take at `durationMs` per run, roughly. */
export function estimateSeconds(
  runs: readonly PlannedRun[],
  durationMs: number,
  fileSize: number,
  policy: 'run' | 'round',
): number {
  let ms = 0;
  for (const r of runs) {
    const paired =
      r.workload.kind !== 'file' &&
      r.workload.kind !== 'veth-udp' &&
      !r.workload.kind.startsWith('dpdk');
    ms +=
      Math.max(durationMs, r.subject.minDurationMs ?? 0) + r.subject.overheadMs * (paired ? 2 : 1);
    if (r.workload.kind === 'udp') ms += 100;
    if (needsRecache(r, policy)) ms += recacheSeconds(fileSize) * 1000;
  }
  return ms / 1000;
}

/** Durations `--quick` may pick, longest first. */
const CANDIDATES_MS = [2000, 1500, 1000, 750, 500, 400, 300, 250, 200];

/**
 * The longest run duration that keeps the whole plan within `budgetS`
 * (`--quick`'s "about a minute"), never below the shortest candidate.
 */
export function fitDuration(
  runs: readonly PlannedRun[],
  budgetS: number,
  fileSize: number,
  policy: 'run' | 'round',
  setupS: number,
): number {
  for (const d of CANDIDATES_MS) {
    if (setupS + estimateSeconds(runs, d, fileSize, policy) <= budgetS) return d;
  }
  return CANDIDATES_MS.at(-1)!;
}
