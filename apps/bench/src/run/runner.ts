import type { Failure } from '../report/json.js';
import { readSequentially, recache } from './page-cache.js';
import { needsRecache, type PlannedRun, type RecachePolicy } from './plan.js';
import type { Progress } from './progress.js';
import type { DataFiles, Sample } from './subject.js';

/** Samples by workload id, then subject id. */
export type SampleTable = Map<string, Map<string, Sample[]>>;

/** What running the plan produced. */
export interface RunOutcome {
  samples: SampleTable;
  failures: Failure[];
  /** Things worth knowing about how it went (a page cache that could not be dropped). */
  notes: string[];
  /** Wall time of each run done (the subject's run call, not the page-cache rebuild before it), ms. */
  runMs: { workload: string; subject: string; ms: number }[];
  /** Time spent rebuilding the page cache, seconds. */
  recacheS: number;
}

/**
 * Runs the plan in order. Before a file-read run (or round, per `policy`)
 * the data file's page cache is rebuilt; before a round of writes the write
 * file is read in once, so writes land on cached pages for everyone. A
 * subject whose run fails is reported once and skipped for the rest of that
 * workload: the other subjects go on.
 */
export async function executePlan(
  runs: readonly PlannedRun[],
  opts: {
    durationMs: number;
    files: DataFiles | undefined;
    policy: RecachePolicy;
    progress: Progress;
  },
): Promise<RunOutcome> {
  const samples: SampleTable = new Map();
  const failures: Failure[] = [];
  const notes: string[] = [];
  const broken = new Set<string>();
  const runMs: RunOutcome['runMs'] = [];
  let recacheMs = 0;
  let dropWarned = false;
  for (const run of runs) {
    const { workload: w, subject: s } = run;
    const key = `${w.id}\u0000${s.id}`;
    if (broken.has(key)) {
      opts.progress.tick();
      continue;
    }
    opts.progress.start(w.id, `${s.id} (rep ${run.rep + 1})`);
    const t0 = performance.now();
    if (opts.files !== undefined && w.kind === 'file') {
      if (needsRecache(run, opts.policy) && !recache(opts.files.readPath) && !dropWarned) {
        dropWarned = true;
        const note =
          'could not drop the page cache (dd iflag=nocache failed): file reads ran on the cache as it was';
        notes.push(note);
        opts.progress.log(`note: ${note}`);
      }
      if (w.op === 'write' && run.roundStart) readSequentially(opts.files.writePath);
    }
    const t1 = performance.now();
    recacheMs += t1 - t0;
    try {
      if (opts.files === undefined && w.kind === 'file')
        throw new Error('no data file was prepared');
      const sample = await s.run({ workload: w, durationMs: opts.durationMs, files: opts.files! });
      const byWorkload = samples.get(w.id) ?? new Map<string, Sample[]>();
      samples.set(w.id, byWorkload);
      byWorkload.set(s.id, [...(byWorkload.get(s.id) ?? []), sample]);
      runMs.push({ workload: w.id, subject: s.id, ms: performance.now() - t1 });
    } catch (e) {
      broken.add(key);
      const message = (e as Error).message.split('\n')[0] ?? String(e);
      failures.push({ workload: w.id, subject: s.id, message });
      opts.progress.log(`failed: ${s.id} on ${w.id}: ${message} (skipped for this workload)`);
    }
    opts.progress.tick();
  }
  opts.progress.finish();
  return { samples, failures, notes, runMs, recacheS: recacheMs / 1000 };
}
