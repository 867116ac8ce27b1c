import { parseArgs } from 'node:util';
import type { RecachePolicy } from './run/plan.js';

/** What the command line asked for. */
export interface Settings {
  profile: 'quick' | 'full';
  reps: number;
  /** Per run; `undefined` lets `--quick` fit the whole run into {@link budgetS}. */
  durationMs: number | undefined;
  /** `--quick`'s target for the whole run. */
  budgetS: number;
  fileSize: number;
  file: string | undefined;
  only: string[] | undefined;
  subjects: string[] | undefined;
  jsonPath: string;
  svgPath: string;
  recache: RecachePolicy;
  /** Every run in freshly started worker processes, none reused. */
  freshWorkers: boolean;
  list: boolean;
  help: boolean;
}

/** Usage text for `--help`. */
export const HELP = `binio-bench — binio engines side by side with Node, Bun, fio, iperf3 and C

Usage: binio-bench [options]

Runs every workload with every binio engine installed (each mode it offers)
and the references, in worker processes reused from run to run (DPDK's
in fresh ones), round-robin over repetitions, and reports the median, the
spread and the ratio to each reference.

Options:
  --quick            about a minute in all (default): 3 reps, a 256 MiB file
                     re-cached once per workload, run length fitted to the
                     budget (never under 0.2 s); leaves out the SQPOLL
                     variants and Bun unless --subjects names them
  --full             5 reps of 3 s, a 1 GiB file, page cache rebuilt before
                     every file-read run
  --only LIST        workloads by id or prefix, comma-separated
                     (e.g. file-randread-4k, or file,udp)
  --subjects LIST    subjects by id, prefix or group (binio, node, bun, limit)
  --reps N           repetitions per subject and workload
  --duration S       seconds per run (decimals allowed)
  --file PATH        file to read (made if absent, kept); writes go to a
                     file of the bench's own beside it
  --recache WHEN     rebuild the page cache before each file-read 'run', each
                     'round' of subjects, or once per 'workload'
                     (quick: workload, full: run)
  --fresh-workers    start fresh worker processes for every run instead of
                     reusing idle ones (slower; to compare)
  --json PATH        JSON report (default bench-results/<time>.json)
  --svg PATH         SVG chart (default bench-results/<time>.svg)
  --list             show workloads, subjects and what is missing; run nothing
  --help             this text

Missing engines or tools are named with how to get them; the run goes on.
`;

const MIB = 1 << 20;

function list(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const items = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
}

function number(
  name: string,
  v: string | undefined,
  min: number,
  max: number,
  integer: boolean,
): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new Error(
      `--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got '${v}'`,
    );
  }
  return n;
}

/** Parses the command line; throws a one-line message on bad input. */
export function parseSettings(argv: readonly string[], now: Date = new Date()): Settings {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      quick: { type: 'boolean' },
      full: { type: 'boolean' },
      only: { type: 'string' },
      subjects: { type: 'string' },
      reps: { type: 'string' },
      duration: { type: 'string' },
      file: { type: 'string' },
      recache: { type: 'string' },
      'fresh-workers': { type: 'boolean' },
      json: { type: 'string' },
      svg: { type: 'string' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.quick && values.full) throw new Error('--quick and --full exclude each other');
  const full = values.full === true;
  const recache = values.recache ?? (full ? 'run' : 'workload');
  if (recache !== 'run' && recache !== 'round' && recache !== 'workload')
    throw new Error(`--recache must be 'run', 'round' or 'workload', got '${recache}'`);
  const duration = number('duration', values.duration, 0.05, 600, false);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return {
    profile: full ? 'full' : 'quick',
    reps: number('reps', values.reps, 1, 1000, true) ?? (full ? 5 : 3),
    durationMs: duration !== undefined ? duration * 1000 : full ? 3000 : undefined,
    budgetS: 60,
    fileSize: (full ? 1024 : 256) * MIB,
    file: values.file,
    only: list(values.only),
    subjects: list(values.subjects),
    jsonPath: values.json ?? `bench-results/${stamp}.json`,
    svgPath: values.svg ?? `bench-results/${stamp}.svg`,
    recache,
    freshWorkers: values['fresh-workers'] === true,
    list: values.list === true,
    help: values.help === true,
  };
}
