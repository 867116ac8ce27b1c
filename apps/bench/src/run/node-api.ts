import type { WorkerSpec } from '../protocol.js';
import { driverWorkload, type Workload } from '../workloads.js';
import type { Group, Job, Sample, Subject } from './subject.js';
import { overVeth, VETH_WORKLOAD, vethUnavailable } from './veth.js';
import { type Runtime, runPair, runSolo, SLACK_MS, startWorker } from './workers.js';

const FILE_WORKLOADS = ['file-randread-4k', 'file-seqread-128k', 'file-randwrite-4k'];

/** The data file a file job uses. */
export function fileFor(job: Job): string {
  return job.workload.op === 'write' ? job.files.writePath : job.files.readPath;
}

/**
 * The reference subjects written against Node's own API (`fs`,
 * `fs.promises`, `dgram`, `net`), run by `runtime`: Node itself, or Bun
 * running the very same scripts (the runtime a user might switch to).
 */
export function nodeApiSubjects(
  runtime: Runtime,
  group: Group,
  prefix: string,
  overheadMs: number,
): Subject[] {
  const spec = (
    driver: string,
    job: Job,
    queueDepth: number,
    extra: Partial<WorkerSpec> = {},
  ): WorkerSpec => ({
    driver,
    role: 'solo',
    workload: driverWorkload(job.workload, queueDepth),
    durationMs: job.durationMs,
    ...extra,
  });
  const pair = (driver: string, job: Job, measuredAt: 'server' | 'client'): Promise<Sample> => {
    const timeout = job.durationMs + SLACK_MS;
    return runPair(
      () => startWorker(runtime, { ...spec(driver, job, 1), role: 'server' }, timeout),
      (port) => startWorker(runtime, { ...spec(driver, job, 1), role: 'client', port }, timeout),
      measuredAt,
      `${prefix} ${job.workload.id}`,
    );
  };
  const who = runtime.name === 'node' ? 'Node' : 'Bun';
  return [
    {
      id: `${prefix}-sync`,
      label: `${who}: fs.readSync / fs.writeSync`,
      group,
      mode: 'sync',
      workloads: FILE_WORKLOADS,
      queueDepth: (w: Workload) => w.queueDepth.sync,
      overheadMs,
      run: (job) =>
        runSolo(
          runtime,
          spec('node-file-sync', job, job.workload.queueDepth.sync, { file: fileFor(job) }),
        ),
    },
    {
      id: `${prefix}-promises`,
      label: `${who}: fs.promises FileHandle.read / write at the async queue depth`,
      group,
      mode: 'async',
      workloads: [...FILE_WORKLOADS, 'file-randread-4k-qd1'],
      queueDepth: (w: Workload) => w.queueDepth.async,
      overheadMs,
      run: (job) =>
        runSolo(
          runtime,
          spec('node-file-promises', job, job.workload.queueDepth.async, { file: fileFor(job) }),
        ),
    },
    {
      id: `${prefix}-dgram`,
      label: `${who}: dgram socket.send / 'message' (one datagram per call)`,
      group,
      mode: 'async',
      workloads:
        runtime.name === 'node' && vethUnavailable() === undefined
          ? ['udp-pps-64', VETH_WORKLOAD]
          : ['udp-pps-64'],
      queueDepth: () => 1,
      overheadMs,
      run: (job) =>
        job.workload.kind === 'veth-udp'
          ? overVeth(true, (veth) => runSolo(runtime, spec('node-udp-veth', job, 1, { veth })))
          : pair('node-udp', job, 'server'),
    },
    {
      id: `${prefix}-net`,
      label: `${who}: net sockets`,
      group,
      mode: 'async',
      workloads: ['tcp-stream-64k', 'tcp-pingpong-64'],
      queueDepth: () => 1,
      overheadMs,
      run: (job) =>
        pair('node-tcp', job, job.workload.kind === 'tcp-pingpong' ? 'client' : 'server'),
    },
  ];
}
