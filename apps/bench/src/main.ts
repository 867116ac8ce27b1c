import { availableParallelism, homedir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { HELP, parseSettings, type Settings } from './args.js';
import { formatBytes, formatSeconds } from './report/format.js';
import { buildReport, type RunSettings, writeOutput } from './report/json.js';
import { listText, missingLine } from './report/list.js';
import { summarizeWorkload } from './report/stats.js';
import { renderSvg } from './report/svg.js';
import { resultsTable } from './report/table.js';
import { prepareDataFiles } from './run/data-files.js';
import { discover, selectSubjects } from './run/discover.js';
import {
  estimateSeconds,
  fitDuration,
  type PlannedRun,
  planRuns,
  quickSubjects,
  recacheSeconds,
  subjectsOf,
} from './run/plan.js';
import { Progress } from './run/progress.js';
import { executePlan } from './run/runner.js';
import { closeVeth } from './run/veth.js';
import { WORKERS } from './run/workers.js';
import { selectWorkloads, WORKLOADS } from './workloads.js';

/** Where compiled helpers are kept between runs. */
function cacheDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'binio-bench');
}

const err = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let settings: Settings;
  try {
    settings = parseSettings(argv);
  } catch (e) {
    err(`binio-bench: ${(e as Error).message} (see --help)`);
    return 2;
  }
  if (settings.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const startedAt = new Date();
  WORKERS.alwaysFresh = settings.freshWorkers;
  const found = await discover({ cacheDir: cacheDir() });
  const probedAt = Date.now();
  if (settings.list) {
    process.stdout.write(listText(WORKLOADS, found.subjects, found.missing));
    return 0;
  }
  for (const m of found.missing) err(missingLine(m));

  let workloads: ReturnType<typeof selectWorkloads>;
  try {
    workloads = selectWorkloads(settings.only);
  } catch (e) {
    err(`binio-bench: ${(e as Error).message}`);
    return 2;
  }
  const picked = selectSubjects(found.subjects, settings.subjects);
  for (const u of picked.unmatched) err(`note: no subject here matches '${u}' (see --list)`);
  const quick =
    settings.profile === 'quick'
      ? quickSubjects(picked.subjects, settings.subjects !== undefined)
      : { kept: picked.subjects, left: [] };
  const subjects = quick.kept;
  const quickNotes = [...new Set(quick.left.map((s) => s.notInQuick!))].map(
    (why) =>
      `--quick leaves out ${quick.left
        .filter((s) => s.notInQuick === why)
        .map((s) => s.id)
        .join(', ')} (${why}); --full or --subjects runs them`,
  );
  for (const n of quickNotes) err(`note: ${n}`);
  for (const w of workloads) {
    if (subjectsOf(w, subjects).length === 0) err(`note: nothing here runs ${w.id}; skipped`);
  }
  workloads = workloads.filter((w) => subjectsOf(w, subjects).length > 0);
  const runs = planRuns(workloads, subjects, settings.reps);
  if (runs.length === 0) {
    err('binio-bench: nothing to run (see --list)');
    return 1;
  }

  const needsFile = workloads.some((w) => w.kind === 'file');
  const setupS = needsFile ? 2 * recacheSeconds(settings.fileSize) : 0;
  const durationMs =
    settings.durationMs ??
    fitDuration(runs, settings.budgetS, settings.fileSize, settings.recache, setupS);
  const estimatedRunS = estimateSeconds(runs, durationMs, settings.fileSize, settings.recache);
  const files = needsFile ? prepareDataFiles(settings.fileSize, settings.file) : undefined;
  const preparedAt = Date.now();
  const cleanup = (): void => {
    WORKERS.close();
    closeVeth();
    files?.cleanup();
  };
  const onSignal = (): void => {
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const runSettings: RunSettings = {
    profile: settings.profile,
    reps: settings.reps,
    durationMs,
    fileSize: files?.size ?? settings.fileSize,
    file: files?.readPath,
    recache: settings.recache,
    freshWorkers: settings.freshWorkers,
  };
  const header =
    `binio-bench ${settings.profile}: ${subjects.length} subjects, ${workloads.length} workloads, ` +
    `${runs.length} runs of ${formatSeconds(durationMs / 1000)}` +
    (needsFile
      ? `, ${formatBytes(runSettings.fileSize)} file, page cache rebuilt per ${settings.recache}`
      : '');
  err(header);

  let outcome: Awaited<ReturnType<typeof executePlan>>;
  try {
    outcome = await executePlan(runs, {
      durationMs,
      files,
      policy: settings.recache,
      progress: new Progress(runs.length),
    });
  } finally {
    cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const results = workloads.map((w) =>
    summarizeWorkload(w, subjectsOf(w, subjects), outcome.samples.get(w.id) ?? new Map()),
  );
  const doneAt = Date.now();
  const elapsedS = (doneAt - startedAt.getTime()) / 1000;
  const timing = {
    probeS: (probedAt - startedAt.getTime()) / 1000,
    prepareS: (preparedAt - probedAt) / 1000,
    runS: (doneAt - preparedAt) / 1000,
    estimatedRunS,
    recacheS: outcome.recacheS,
    overheadMs: overheadByWorkload(outcome.runMs, runs, durationMs),
  };
  process.stdout.write(`${resultsTable(results)}\n`);
  err(
    `\n${header}; took ${formatSeconds(elapsedS)}, planned ${formatSeconds(setupS + estimatedRunS)} (load average ${(loadavg()[0] ?? 0).toFixed(1)} on ` +
      `${availableParallelism()} cores). spread: ± half the range over the reps; ` +
      "CPU: all of the subject's processes; ×ref: median ops/s over the reference's.",
  );
  const report = buildReport({
    startedAt,
    elapsedS,
    argv: [...argv],
    settings: runSettings,
    timing,
    notes: [...quickNotes, ...outcome.notes],
    missing: found.missing,
    failures: outcome.failures,
    results,
  });
  writeOutput(settings.jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  writeOutput(settings.svgPath, renderSvg(results, header));
  err(`JSON: ${resolve(settings.jsonPath)}`);
  err(`SVG:  ${resolve(settings.svgPath)}`);
  const measured = results.some((r) => r.results.length > 0);
  return measured ? 0 : 1;
}

/** Per workload, the median run's wall time beyond its measured duration, ms. */
function overheadByWorkload(
  runMs: readonly { workload: string; subject: string; ms: number }[],
  runs: readonly PlannedRun[],
  durationMs: number,
): Record<string, number> {
  const minMs = new Map(runs.map((r) => [r.subject.id, r.subject.minDurationMs ?? 0]));
  const by = new Map<string, number[]>();
  for (const r of runMs) {
    const extra = r.ms - Math.max(durationMs, minMs.get(r.subject) ?? 0);
    by.set(r.workload, [...(by.get(r.workload) ?? []), extra]);
  }
  const out: Record<string, number> = {};
  for (const [w, xs] of by) {
    xs.sort((a, b) => a - b);
    out[w] = Math.round(xs[Math.floor(xs.length / 2)]!);
  }
  return out;
}
