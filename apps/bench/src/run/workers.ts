import { fileURLToPath } from 'node:url';
import { FRESH_PROCESS_DRIVERS } from '../drivers/index.js';
import type { WorkerResult, WorkerSpec } from '../protocol.js';
import { type Runtime, WorkerPool } from './pool.js';
import type { ProtocolProcess } from './process.js';
import type { Sample } from './subject.js';

export type { Runtime } from './pool.js';

/** The Node running the bench. */
export const NODE: Runtime = { name: 'node', command: process.execPath };

const WORKER = fileURLToPath(new URL('../worker.js', import.meta.url));

/** The bench's worker processes, reused from run to run (see {@link WorkerPool}). */
export const WORKERS = new WorkerPool(WORKER);
// Whatever path the bench leaves by, no worker outlives it.
process.once('exit', () => WORKERS.close());

/** Slack on top of a run's duration before its processes are killed (start-up on a busy machine, engine set-up). */
export const SLACK_MS = 15_000;

/**
 * Runs `spec` in a worker under `runtime`: a reused one, unless `fresh` or
 * the driver needs a process of its own ({@link FRESH_PROCESS_DRIVERS}).
 */
export function startWorker<T = WorkerResult>(
  runtime: Runtime,
  spec: object,
  timeoutMs: number,
  fresh = false,
  pool: WorkerPool = WORKERS,
): ProtocolProcess<T> {
  const driver = (spec as WorkerSpec).driver ?? 'probe';
  const engine = (spec as WorkerSpec).engine;
  return pool.run<T>(runtime, spec, {
    timeoutMs,
    name: `${runtime.name} worker (${driver})`,
    fresh: fresh || FRESH_PROCESS_DRIVERS.has(driver),
    // One engine configuration per worker, as in an application (see PoolRunOptions.affinity).
    affinity: engine === undefined ? '' : JSON.stringify(engine),
  });
}

/** Runs a single-process workload (in a fresh process when `fresh`). */
export async function runSolo(runtime: Runtime, spec: WorkerSpec, fresh = false): Promise<Sample> {
  return checked(
    await startWorker(runtime, spec, spec.durationMs + SLACK_MS, fresh).result,
    spec.workload.id,
  );
}

/**
 * Runs a two-process workload: the server starts and says its port, then the
 * client runs against it. The figures come from the side that `measuredAt`
 * names (the receiver of a stream, the client of a ping-pong); the CPU time
 * is both sides', since both are the subject's work.
 */
export async function runPair(
  startServer: () => ProtocolProcess<WorkerResult>,
  startClient: (port: number) => ProtocolProcess<WorkerResult>,
  measuredAt: 'server' | 'client',
  what: string,
): Promise<Sample> {
  const server = startServer();
  let client: ProtocolProcess<WorkerResult> | undefined;
  try {
    const { port } = await server.ready;
    if (port === undefined) throw new Error('the server did not say its port');
    client = startClient(port);
    const [s, c] = await Promise.all([server.result, client.result]);
    const m = measuredAt === 'server' ? s : c;
    return checked(
      { ops: m.ops, bytes: m.bytes, elapsedNs: m.elapsedNs, cpuUs: s.cpuUs + c.cpuUs },
      what,
    );
  } finally {
    server.kill();
    client?.kill();
  }
}

/** Refuses a result that measured nothing (a rate from it would be meaningless). */
export function checked(sample: Sample, what: string): Sample {
  if (!(sample.ops > 0) || !(sample.elapsedNs > 0)) {
    throw new Error(
      `${what}: the run measured nothing (${sample.ops} ops in ${sample.elapsedNs} ns)`,
    );
  }
  return sample;
}
