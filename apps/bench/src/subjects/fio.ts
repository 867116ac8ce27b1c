import { SQPOLL_NOT_IN_QUICK } from '../run/plan.js';
import { runCommand } from '../run/process.js';
import type { Job, ProbeResult, Sample, Subject, SubjectFamily } from '../run/subject.js';
import { checked, SLACK_MS } from '../run/workers.js';
import type { Workload } from '../workloads.js';

/** One way of running fio. */
export interface Variant {
  id: string;
  label: string;
  engine: 'psync' | 'io_uring';
  async: boolean;
  extra: string[];
}

const VARIANTS: Variant[] = [
  {
    id: 'fio-psync',
    label: 'fio psync (pread/pwrite) at QD1',
    engine: 'psync',
    async: false,
    extra: [],
  },
  {
    id: 'fio-uring',
    label: 'fio io_uring at the async queue depth, registered files and buffers',
    engine: 'io_uring',
    async: true,
    extra: ['--registerfiles=1', '--fixedbufs=1'],
  },
  {
    id: 'fio-sqpoll',
    label: 'fio io_uring with SQPOLL (its kernel poll thread is not in the CPU figure)',
    engine: 'io_uring',
    async: true,
    extra: ['--registerfiles=1', '--fixedbufs=1', '--sqthread_poll=1'],
  },
];

/** fio's command line for one run of `job`. */
export function fioArgs(v: Variant, job: Job, queueDepth: number): string[] {
  const w = job.workload;
  const rw = w.op === 'write' ? 'randwrite' : w.access === 'sequential' ? 'read' : 'randread';
  return [
    '--name=binio-bench',
    `--filename=${w.op === 'write' ? job.files.writePath : job.files.readPath}`,
    `--size=${job.files.size}`,
    `--rw=${rw}`,
    `--bs=${w.blockSize}`,
    `--ioengine=${v.engine}`,
    `--iodepth=${queueDepth}`,
    `--runtime=${Math.max(1, Math.round(job.durationMs))}ms`,
    '--time_based',
    // fio drops the file's cache before a job by default; the bench keeps it warm for everyone.
    '--invalidate=0',
    // Pure random offsets, as the other subjects use (no map of blocks already done).
    '--norandommap',
    '--randrepeat=0',
    '--output-format=json',
    ...v.extra,
  ];
}

interface FioJob {
  error?: number;
  job_runtime: number;
  usr_cpu: number;
  sys_cpu: number;
  read: { total_ios: number; io_bytes: number };
  write: { total_ios: number; io_bytes: number };
}

/** A sample from fio's JSON output (`usr_cpu`/`sys_cpu` are percentages of the job's run time). */
export function parseFio(stdout: string, op: 'read' | 'write'): Sample {
  const start = stdout.indexOf('{');
  if (start < 0) throw new Error('fio printed no JSON');
  const doc = JSON.parse(stdout.slice(start)) as { jobs: FioJob[] };
  const j = doc.jobs[0];
  if (j === undefined) throw new Error('fio reported no job');
  if (j.error) throw new Error(`fio job error ${j.error}`);
  const side = j[op];
  const runtimeMs = j.job_runtime;
  return {
    ops: side.total_ios,
    bytes: side.io_bytes,
    elapsedNs: runtimeMs * 1e6,
    cpuUs: ((j.usr_cpu + j.sys_cpu) / 100) * runtimeMs * 1000,
  };
}

function subject(v: Variant): Subject {
  const queueDepth = (w: Workload): number => (v.async ? w.queueDepth.async : w.queueDepth.sync);
  return {
    id: v.id,
    label: v.label,
    group: 'limit',
    workloads: [
      'file-randread-4k',
      'file-seqread-128k',
      'file-randwrite-4k',
      // fio io_uring at one in flight, beside the Promise APIs at one in flight.
      ...(v.id === 'fio-uring' ? ['file-randread-4k-qd1'] : []),
    ],
    queueDepth,
    notInQuick: v.id === 'fio-sqpoll' ? SQPOLL_NOT_IN_QUICK : undefined,
    // fio's own start-up, job set-up and report (measured, ~0.3–0.5 s).
    overheadMs: 400,
    async run(job) {
      const out = await runCommand(
        'fio',
        fioArgs(v, job, queueDepth(job.workload)),
        job.durationMs + SLACK_MS,
      );
      if (out.code !== 0)
        throw new Error(`fio exited ${out.code}: ${out.stderr.trim().split('\n').at(-1) ?? ''}`);
      return checked(parseFio(out.stdout, job.workload.op ?? 'read'), v.id);
    },
  };
}

/** fio, the limit for storage IO: psync at QD1, io_uring at QD32 with registered files and buffers, and SQPOLL. */
export const family: SubjectFamily = {
  name: 'fio',
  order: 40,
  async probe(): Promise<ProbeResult> {
    const v = await runCommand('fio', ['--version'], 15_000);
    if (v.code !== 0) {
      return {
        subjects: [],
        missing: [
          {
            what: 'fio',
            reason: 'not on PATH: the storage limits are skipped',
            hint: 'apt-get install fio',
          },
        ],
      };
    }
    return { subjects: VARIANTS.map(subject), missing: [] };
  },
};
