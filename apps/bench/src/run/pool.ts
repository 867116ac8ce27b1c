import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { JobState, type ProtocolProcess, STDERR_KEEP } from './process.js';

/** A JavaScript runtime that runs `worker.js`. */
export interface Runtime {
  readonly name: 'node' | 'bun';
  readonly command: string;
}

/** A worker process serving specs from its stdin, one at a time. */
class Worker {
  readonly child: ChildProcessWithoutNullStreams;
  /** The job it runs now. */
  job: JobState<unknown> | undefined;
  stderr = '';
  exited = false;

  constructor(
    readonly runtime: Runtime,
    /** The only affinity it serves (see {@link PoolRunOptions.affinity}). */
    readonly affinity: string,
    script: string,
    onExit: (w: Worker) => void,
  ) {
    this.child = spawn(runtime.command, [script, '--serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
    // Idle workers must not keep the bench alive: a running job's time limit does.
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr])
      (s as unknown as { unref?: () => void }).unref?.();
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-STDERR_KEEP);
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.job?.line(line));
    this.child.stdin.on('error', () => {}); // a dead worker's stdin: its 'close' reports it
    this.child.on('error', (e) =>
      this.job?.fail(new Error(`${this.job.name} could not start: ${e.message}`)),
    );
    this.child.on('close', (code, signal) => {
      this.exited = true;
      this.job?.exited(code, signal, this.stderr);
      onExit(this);
    });
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

/** How a spec is run: by a reused worker, or one started for it alone. */
export interface PoolRunOptions {
  timeoutMs: number;
  /** Name in error messages. */
  name: string;
  /**
   * Run it in a process of its own that exits afterwards (DPDK: EAL can be
   * initialised once per process; probes, which load everything).
   */
  fresh?: boolean;
  /**
   * Runs with the same affinity share workers, and a worker serves one
   * affinity only (default ''). The bench gives each engine configuration
   * its own: a worker that ran two engines through one driver had that
   * driver's call sites see both, and V8 optimises such polymorphic calls
   * less (posix-sync 481k reads/s in shared workers against 556k in fresh
   * ones, 1 s × 5 runs; Node's own `readSync` 467k against 483k).
   */
  affinity?: string;
}

/**
 * Worker processes kept between runs. A worker that finished a run cleanly
 * takes the next spec over stdin instead of exiting, so a run costs the
 * spec's set-up, not a runtime's start-up and imports. A worker whose run
 * failed or timed out is killed, never reused; a paired workload takes two
 * workers at once, so up to {@link maxIdle} per runtime are kept idle.
 * {@link close} kills them all (the bench calls it at the end, on errors and
 * on signals); a worker whose stdin closes (the bench died) exits by itself.
 */
export class WorkerPool {
  // Oldest first.
  readonly #idle: Worker[] = [];
  readonly #live = new Set<Worker>();
  /** Every run in a fresh process (`--fresh-workers`: to see what reuse changes). */
  alwaysFresh = false;

  constructor(
    readonly script: string,
    /** Idle workers kept per runtime and affinity. */
    readonly maxIdle = 2,
    /** Idle workers kept in all; past it the longest idle goes. */
    readonly maxIdleTotal = 24,
  ) {}

  /** Runs `spec` in a worker of `runtime` and follows its protocol lines. */
  run<T>(runtime: Runtime, spec: object, options: PoolRunOptions): ProtocolProcess<T> {
    const fresh = options.fresh === true || this.alwaysFresh;
    const affinity = options.affinity ?? '';
    const worker =
      (fresh ? undefined : this.#take(runtime, affinity)) ?? this.#spawn(runtime, affinity);
    const job = new JobState<T>(options.name, options.timeoutMs, (ok) => {
      worker.job = undefined;
      if (ok && !fresh) this.#release(worker);
      else if (ok)
        worker.child.stdin.end(); // it exits by itself
      else worker.kill();
    });
    worker.job = job as JobState<unknown>;
    worker.child.stdin.write(`${JSON.stringify(spec)}\n`);
    return {
      ready: job.ready,
      result: job.result,
      pid: worker.child.pid,
      // Mid-job, the worker goes; once it finished, it is the pool's.
      kill: () => job.fail(new Error(`${options.name} was stopped`)),
    };
  }

  /** Processes alive now (idle or running), for tests and checks. */
  get pids(): number[] {
    return [...this.#live].flatMap((w) => (w.child.pid === undefined ? [] : [w.child.pid]));
  }

  /** Kills every worker, idle or running. */
  close(): void {
    for (const w of this.#live) w.kill();
    this.#idle.length = 0;
  }

  #take(runtime: Runtime, affinity: string): Worker | undefined {
    const i = this.#idle.findIndex(
      (w) => w.runtime.command === runtime.command && w.affinity === affinity && !w.exited,
    );
    return i < 0 ? undefined : this.#idle.splice(i, 1)[0];
  }

  #release(worker: Worker): void {
    const same = this.#idle.filter(
      (w) => w.runtime.command === worker.runtime.command && w.affinity === worker.affinity,
    );
    if (worker.exited || same.length >= this.maxIdle) {
      worker.kill();
      return;
    }
    this.#idle.push(worker);
    while (this.#idle.length > this.maxIdleTotal) this.#idle.shift()!.kill();
  }

  #spawn(runtime: Runtime, affinity: string): Worker {
    const w = new Worker(runtime, affinity, this.script, (gone) => {
      this.#live.delete(gone);
      const i = this.#idle.indexOf(gone);
      if (i >= 0) this.#idle.splice(i, 1);
    });
    this.#live.add(w);
    return w;
  }
}
