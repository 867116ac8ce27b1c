import type { Capability, Mode } from '@binio/core';
import type { EngineRef, ProbeReport, WorkerSpec } from '../protocol.js';
import { driverWorkload, type Workload } from '../workloads.js';
import { fileFor } from './node-api.js';
import { FRESH_OVERHEAD_MS, POOLED_OVERHEAD_MS } from './plan.js';
import type { Job, Missing, ProbeResult, Sample, Subject, SubjectFamily } from './subject.js';
import { overVeth, VETH_WORKLOAD, vethUnavailable } from './veth.js';
import { NODE, runPair, runSolo, SLACK_MS, startWorker } from './workers.js';

/** How the bench finds and makes one binio engine. */
export interface EngineFamilySpec {
  /** The package, e.g. `@binio/engine-posix`. */
  readonly package: string;
  /** Prefix of the subject ids (`posix` gives `posix-sync`, `posix-async`). */
  readonly short: string;
  /** The exported factory; it gets `{ ...options, mode }` (or just `options`, see {@link passMode}). */
  readonly factory: string;
  /** Modes to try (or, without {@link passMode}, the one mode the engine has). */
  readonly modes: readonly Mode[];
  /** Whether the factory takes a `mode` option (default true); engines with one mode may refuse it. */
  readonly passMode?: boolean;
  /** Further factory options (JSON), e.g. a buffer pool big enough for the workloads. */
  readonly options?: Record<string, unknown>;
  /** Sort key among the binio engines. */
  readonly order: number;
  /** Kernel-bypass UDP (DPDK): the engine runs the `dpdk-*` workloads from `bind` to `to`, not loopback UDP. */
  readonly bypass?: { bind: string; to: string; packed?: boolean };
  /** Fixed cost of one of its runs beyond the duration (process start, native set-up), ms. */
  readonly overheadMs?: number;
  /**
   * Every run in a process of its own, never a reused worker: for an engine
   * whose native state can be set up once per process (DPDK's EAL).
   */
  readonly freshProcess?: boolean;
  /** Subject id per mode (default `${short}-${mode}`), for a variant such as `uring-sqpoll`. */
  readonly id?: (mode: Mode) => string;
  /** Label of the subjects (default `binio <package> (<mode>)`). */
  readonly label?: string;
  /** Only these workloads, of those the engine can run (a variant measured where its reference is). */
  readonly only?: readonly string[];
  /** The driver of its file runs (default `binio-file`, the traits); a variant may measure an engine-specific API. */
  readonly fileDriver?: string;
  /** Why `--quick` leaves these subjects out (see {@link Subject.notInQuick}). */
  readonly notInQuick?: string;
}

const NEEDS: Record<string, readonly Capability[]> = {
  read: ['file.openReadOnly'],
  write: ['file.openWriteOnly'],
  udp: ['udp.socket', 'udp.bind', 'udp.send', 'udp.recv'],
  tcp: ['tcp.connect', 'tcp.listen'],
  tx: ['udp.socket', 'udp.bind', 'udp.batch'],
  echo: ['udp.socket', 'udp.bind', 'udp.batch', 'udp.recv'],
};

/** The workloads an engine with `caps` can run. */
export function workloadsFor(caps: ReadonlySet<string>, bypass: boolean, mode: Mode): string[] {
  const has = (k: string): boolean => NEEDS[k]!.every((c) => caps.has(c));
  const out: string[] = [];
  if (has('read')) out.push('file-randread-4k', 'file-seqread-128k');
  if (has('read') && mode === 'async') out.push('file-randread-4k-qd1');
  if (has('write')) out.push('file-randwrite-4k');
  if (bypass) {
    if (has('tx')) out.push('dpdk-tx-64', 'dpdk-tx-ring-64');
    if (has('echo')) out.push('dpdk-echo-ring-64');
  } else if (has('udp')) out.push('udp-pps-64');
  if (bypass ? has('tx') : has('udp')) out.push(VETH_WORKLOAD);
  if (has('tcp')) out.push('tcp-stream-64k', 'tcp-pingpong-64');
  return out;
}

/**
 * A {@link SubjectFamily} for a binio engine: probes the package in a child
 * process, then offers one subject per mode that works, running the generic
 * binio drivers against the engine's public API.
 */
export function engineFamily(spec: EngineFamilySpec): SubjectFamily {
  return {
    name: spec.label === undefined ? spec.package : `${spec.package} (${spec.short})`,
    order: spec.order,
    async probe(): Promise<ProbeResult> {
      const ref: EngineRef = {
        package: spec.package,
        factory: spec.factory,
        options: spec.options ?? {},
      };
      let report: ProbeReport;
      try {
        const probe = {
          driver: 'binio-probe',
          engine: ref,
          modes: spec.modes,
          passMode: spec.passMode !== false,
        };
        report = await startWorker<ProbeReport>(NODE, probe, 60_000, true).result;
      } catch (e) {
        return {
          subjects: [],
          missing: [{ what: spec.package, reason: `probe failed: ${(e as Error).message}` }],
        };
      }
      if (report.importError !== undefined)
        return { subjects: [], missing: [importMissing(spec.package, report)] };
      const subjects: Subject[] = [];
      const missing: Missing[] = [];
      for (const mode of spec.modes) {
        const m = report.modes[mode];
        const id = spec.id?.(mode) ?? `${spec.short}-${mode}`;
        if (m === undefined || 'error' in m) {
          missing.push({ what: id, reason: m?.error ?? 'not probed' });
          continue;
        }
        let workloads = workloadsFor(
          new Set(m.capabilities),
          spec.bypass !== undefined,
          mode,
        ).filter((w) => spec.only === undefined || spec.only.includes(w));
        const noVeth = workloads.includes(VETH_WORKLOAD) ? vethUnavailable() : undefined;
        if (noVeth !== undefined) {
          workloads = workloads.filter((w) => w !== VETH_WORKLOAD);
          missing.push({ what: id, reason: noVeth });
        }
        if (workloads.length === 0) {
          missing.push({
            what: id,
            reason: `offers none of the workloads (capabilities: ${m.capabilities.join(', ')})`,
          });
          continue;
        }
        const options = spec.passMode === false ? ref.options : { ...ref.options, mode };
        subjects.push(engineSubject(spec, mode, id, { ...ref, options }, workloads));
      }
      return { subjects, missing };
    },
  };
}

function importMissing(pkg: string, report: ProbeReport): Missing {
  const err = report.importError!;
  if (err.code === 'ERR_MODULE_NOT_FOUND' && err.message.includes(`'${pkg}'`)) {
    return {
      what: pkg,
      reason: 'not installed',
      hint: `add it to the bench: pnpm --filter @binio/bench add ${pkg}@workspace:^`,
    };
  }
  const built = err.code === 'ERR_MODULE_NOT_FOUND' ? ' (is it built? pnpm build)' : '';
  return { what: pkg, reason: `failed to load${built}: ${err.message.split('\n')[0]}` };
}

function engineSubject(
  spec: EngineFamilySpec,
  mode: Mode,
  id: string,
  engine: EngineRef,
  workloads: string[],
): Subject {
  const fresh = spec.freshProcess === true;
  const overheadMs = spec.overheadMs ?? (fresh ? FRESH_OVERHEAD_MS : POOLED_OVERHEAD_MS);
  const queueDepth = (w: Workload): number =>
    mode === 'sync' ? w.queueDepth.sync : w.queueDepth.async;
  const make = (driver: string, job: Job, extra: Partial<WorkerSpec> = {}): WorkerSpec => ({
    driver,
    role: 'solo',
    workload: driverWorkload(job.workload, queueDepth(job.workload)),
    durationMs: job.durationMs,
    engine: spec.bypass === undefined ? engine : { ...engine, udp: spec.bypass },
    ...extra,
  });
  const pair = (driver: string, job: Job, measuredAt: 'server' | 'client'): Promise<Sample> => {
    const timeout = job.durationMs + SLACK_MS;
    return runPair(
      () => startWorker(NODE, { ...make(driver, job), role: 'server' }, timeout, fresh),
      (port) => startWorker(NODE, { ...make(driver, job), role: 'client', port }, timeout, fresh),
      measuredAt,
      `${id} ${job.workload.id}`,
    );
  };
  return {
    id,
    label: spec.label ?? `binio ${spec.package} (${mode})`,
    group: 'binio',
    mode,
    workloads,
    queueDepth,
    overheadMs,
    freshProcess: fresh,
    notInQuick: spec.notInQuick,
    run(job: Job): Promise<Sample> {
      switch (job.workload.kind) {
        case 'file':
          return runSolo(
            NODE,
            make(spec.fileDriver ?? 'binio-file', job, { file: fileFor(job) }),
            fresh,
          );
        case 'udp':
          return pair('binio-udp', job, 'server');
        case 'tcp-stream':
          return pair('binio-tcp', job, 'server');
        case 'tcp-pingpong':
          return pair('binio-tcp', job, 'client');
        case 'dpdk-tx':
          return runSolo(NODE, make('binio-dpdk-tx', job), fresh);
        case 'dpdk-echo':
          return runSolo(NODE, make('binio-dpdk-echo', job), fresh);
        case 'veth-udp':
          return overVeth(spec.bypass === undefined, (veth) =>
            runSolo(NODE, make('binio-udp-veth', job, { veth }), fresh),
          );
      }
    },
  };
}
