import type { Group, Sample, Subject } from '../run/subject.js';
import type { Workload } from '../workloads.js';

/** Summary of one figure over the repetitions. */
export interface Stat {
  median: number;
  min: number;
  max: number;
  /** Half the range, in percent of the median: the ± shown in the table. */
  spreadPct: number;
}

/** The median (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median, min, max and spread of `values`. */
export function summarize(values: readonly number[]): Stat {
  const m = median(values);
  const min = values.length ? Math.min(...values) : Number.NaN;
  const max = values.length ? Math.max(...values) : Number.NaN;
  return { median: m, min, max, spreadPct: m > 0 ? ((max - min) / 2 / m) * 100 : Number.NaN };
}

/** Operations per second of one sample. */
export const opsPerSec = (s: Sample): number => s.ops / (s.elapsedNs / 1e9);
/** Megabytes (10⁶ bytes) per second of one sample. */
export const mbPerSec = (s: Sample): number => s.bytes / 1e6 / (s.elapsedNs / 1e9);
/** CPU microseconds per operation of one sample. */
export const cpuPerOp = (s: Sample): number => s.cpuUs / s.ops;

/** One subject's figures in one workload. */
export interface SubjectResult {
  id: string;
  label: string;
  group: Group;
  mode?: string;
  queueDepth: number;
  samples: Sample[];
  opsPerSec: Stat;
  mbPerSec: Stat;
  cpuUsPerOp: Stat;
  /** Median ops/s divided by each reference's median ops/s, by reference id. */
  ratios: Record<string, number>;
}

/** One workload's results. */
export interface WorkloadResult {
  workload: Workload;
  results: SubjectResult[];
  /** Ids of the references (everything not binio) that have results, in order. */
  references: string[];
}

/**
 * Summarizes the samples of each subject of `workload` and the ratio of
 * each to every reference that ran it. Subjects without samples (all runs
 * failed) are left out.
 */
export function summarizeWorkload(
  workload: Workload,
  subjects: readonly Subject[],
  samples: ReadonlyMap<string, Sample[]>,
): WorkloadResult {
  const results: SubjectResult[] = [];
  for (const s of subjects) {
    const list = samples.get(s.id) ?? [];
    if (list.length === 0) continue;
    results.push({
      id: s.id,
      label: s.label,
      group: s.group,
      mode: s.mode,
      queueDepth: s.queueDepth(workload),
      samples: list,
      opsPerSec: summarize(list.map(opsPerSec)),
      mbPerSec: summarize(list.map(mbPerSec)),
      cpuUsPerOp: summarize(list.map(cpuPerOp)),
      ratios: {},
    });
  }
  const references = results.filter((r) => r.group !== 'binio');
  for (const r of results) {
    for (const ref of references) r.ratios[ref.id] = r.opsPerSec.median / ref.opsPerSec.median;
  }
  return { workload, results, references: references.map((r) => r.id) };
}
