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

/** Why `--quick` leaves out the SQPOLL variants (`uring-sqpoll`, `fio-sqpoll`). */
export const SQPOLL_NOT_IN_QUICK =
  'SQPOLL variants: their kernel poll threads compete with everything on a small machine; the plain io_uring subjects stay';

/**
 * The subjects `--quick` runs: all but those it leaves out ({@link
 * Subject.notInQuick}), unless the command line named subjects itself.
 */
export function quickSubjects(
  subjects: readonly Subject[],
  named: boolean,
): { kept: Subject[]; left: Subject[] } {
  if (named) return { kept: [...subjects], left: [] };
  return {
    kept: subjects.filter((s) => s.notInQuick === undefined),
    left: subjects.filter((s) => s.notInQuick !== undefined),
  };
}

/** When the read file's page cache is rebuilt: before every run, every round, or once per workload. */
export type RecachePolicy = 'run' | 'round' | 'workload';

/** Whether a run is of a workload whose file must be re-cached first, under the policy. */
export function needsRecache(run: PlannedRun, policy: RecachePolicy): boolean {
  if (run.workload.recache !== true) return false;
  if (policy === 'run') return true;
  return run.roundStart && (policy === 'round' || run.rep === 0);
}

// What a run costs beyond its measured duration, as measured on a 2-core
// machine under load (the JSON's `timing.overheadMs` shows it per workload;
// recalibrate here when it drifts).

/** A run in a reused worker: the spec over stdin, the engine's set-up, the result back; ms. */
export const POOLED_OVERHEAD_MS = 15;

/** A run in a process started for it (runtime start-up, imports, engine set-up: DPDK's EAL), ms. */
export const FRESH_OVERHEAD_MS = 500;

/** A UDP run's end markers: the sender's pause and their gaps (`udp-markers.ts`), ms. */
const UDP_MARKERS_MS = 80;

/** A veth link's network namespace, veth pair and peer socket (two per workload: kernel and DPDK), ms. */
const VETH_SETUP_MS = 350;

/** Seconds the page-cache rebuild of a file of `size` bytes takes, roughly (drop, then read at ~400 MB/s). */
export function recacheSeconds(size: number): number {
  return 0.1 + size / 400e6;
}

/** Seconds `runs` would take at `durationMs` per run, roughly. */
export function estimateSeconds(
  runs: readonly PlannedRun[],
  durationMs: number,
  fileSize: number,
  policy: RecachePolicy,
): number {
  let ms = 0;
  for (const r of runs) {
    const paired =
      r.workload.kind !== 'file' &&
      r.workload.kind !== 'veth-udp' &&
      !r.workload.kind.startsWith('dpdk');
    ms +=
      Math.max(durationMs, r.subject.minDurationMs ?? 0) + r.subject.overheadMs * (paired ? 2 : 1);
    if (r.workload.kind === 'udp') ms += UDP_MARKERS_MS;
    if (r.workload.kind === 'veth-udp' && r.rep === 0 && r.roundStart) ms += 2 * VETH_SETUP_MS;
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
  policy: RecachePolicy,
  setupS: number,
): number {
  for (const d of CANDIDATES_MS) {
    if (setupS + estimateSeconds(runs, d, fileSize, policy) <= budgetS) return d;
  }
  return CANDIDATES_MS.at(-1)!;
}
