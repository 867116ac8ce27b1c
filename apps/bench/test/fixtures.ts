import type { Sample, Subject } from '../src/run/subject.js';
import type { Workload } from '../src/workloads.js';
import { WORKLOADS } from '../src/workloads.js';

/** A workload by id (throws when it is gone, so tests notice renames). */
export function workload(id: string): Workload {
  const w = WORKLOADS.find((x) => x.id === id);
  if (w === undefined) throw new Error(`no workload ${id}`);
  return w;
}

/** A subject that never runs anything: for planning and reporting tests. */
export function fakeSubject(
  id: string,
  group: Subject['group'],
  workloads: string[],
  overheadMs = 100,
): Subject {
  return {
    id,
    label: `fake ${id}`,
    group,
    mode: 'sync',
    workloads,
    queueDepth: (w) => w.queueDepth.sync,
    overheadMs,
    run: () => Promise.reject(new Error('fake subjects do not run')),
  };
}

/** A sample of `opsPerSec` over one second, with `cpuUsPerOp`. */
export function sample(opsPerSec: number, cpuUsPerOp = 1, bytesPerOp = 4096): Sample {
  return {
    ops: opsPerSec,
    bytes: opsPerSec * bytesPerOp,
    elapsedNs: 1e9,
    cpuUs: opsPerSec * cpuUsPerOp,
  };
}
