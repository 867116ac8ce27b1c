import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseProtocolLine, type ReadyInfo } from '../protocol.js';

/** A child process speaking the worker protocol. */
export interface ProtocolProcess<T> {
  /** Resolves on its `ready` line. */
  readonly ready: Promise<ReadyInfo>;
  /** Resolves on its `result` (or `probe`) line; rejects on `error`, a bad exit or the time limit. */
  readonly result: Promise<T>;
  /** Kills it (SIGKILL); harmless once it exited (a pooled worker that finished its job is kept). */
  kill(): void;
  /** The process that runs it. */
  readonly pid?: number;
}

/** Options of {@link startProtocolProcess}. */
export interface StartOptions {
  /** Killed after this long, whatever it is doing. */
  timeoutMs: number;
  /** Name in error messages. */
  name: string;
  env?: NodeJS.ProcessEnv;
}

export const STDERR_KEEP = 4000;

/**
 * One job's promises and how its protocol lines settle them: `ready`, then
 * one `result` (or `probe`), or an `error`, a bad exit or the time limit.
 * `onEnd` hears how it ended (true: a result), once.
 */
export class JobState<T> {
  readonly ready: Promise<ReadyInfo>;
  readonly result: Promise<T>;
  #settled = false;
  #onReady!: (info: ReadyInfo) => void;
  #onReadyFail!: (e: Error) => void;
  #onResult!: (value: T) => void;
  #onFail!: (e: Error) => void;
  readonly #timer: NodeJS.Timeout;

  constructor(
    readonly name: string,
    timeoutMs: number,
    private readonly onEnd: (ok: boolean) => void,
  ) {
    this.ready = new Promise<ReadyInfo>((res, rej) => {
      this.#onReady = res;
      this.#onReadyFail = rej;
    });
    this.result = new Promise<T>((res, rej) => {
      this.#onResult = res;
      this.#onFail = rej;
    });
    // Callers await only what they need; the other promise must not count as unhandled.
    this.ready.catch(() => {});
    this.result.catch(() => {});
    this.#timer = setTimeout(
      () => this.fail(new Error(`${name} did not finish within ${Math.round(timeoutMs / 1000)} s`)),
      timeoutMs,
    );
  }

  /** True once it has a result or failed. */
  get settled(): boolean {
    return this.#settled;
  }

  /** Takes one stdout line. */
  line(line: string): void {
    const msg = parseProtocolLine(line);
    if (msg === undefined || this.#settled) return;
    if (msg.kind === 'ready') this.#onReady(msg.payload);
    else if (msg.kind === 'error') this.fail(new Error(`${this.name}: ${msg.payload.message}`));
    else {
      this.#settled = true;
      clearTimeout(this.#timer);
      this.#onReadyFail(new Error(`${this.name} finished without listening`));
      this.#onResult(msg.payload as T);
      this.onEnd(true);
    }
  }

  /** Fails it (first failure wins; harmless once settled). */
  fail(e: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#onReadyFail(e);
    this.#onFail(e);
    this.onEnd(false);
  }

  /** The failure for a process that exited mid-job, with the last line of its stderr. */
  exited(code: number | null, signal: NodeJS.Signals | null, stderr: string): void {
    const last = lastLine(stderr);
    this.fail(
      new Error(
        `${this.name} exited (${signal ?? `code ${code}`}) without a result${last ? `: ${last}` : ''}`,
      ),
    );
  }
}

/**
 * Starts `command args` and follows its protocol lines. Every process gets a
 * hard time limit: a worker stuck in a blocking call (a sync `recvmmsg`
 * whose end marker was lost) must not hang the run.
 */
export function startProtocolProcess<T>(
  command: string,
  args: readonly string[],
  options: StartOptions,
): ProtocolProcess<T> {
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  });
  let stderr = '';
  const job = new JobState<T>(options.name, options.timeoutMs, (ok) => {
    // After a result it should exit by itself; if it lingers, it goes.
    if (ok) setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    else child.kill('SIGKILL');
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-STDERR_KEEP);
  });
  createInterface({ input: child.stdout }).on('line', (line) => job.line(line));
  child.on('error', (e) => job.fail(new Error(`${options.name} could not start: ${e.message}`)));
  child.on('close', (code, signal) => job.exited(code, signal, stderr));
  return {
    ready: job.ready,
    result: job.result,
    pid: child.pid,
    kill: () => child.kill('SIGKILL'),
  };
}

function lastLine(text: string): string {
  const lines = text
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '');
  return (lines.at(-1) ?? '').trim().slice(0, 300);
}

/** Output of a plain command. */
export interface CommandOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (killed at `timeoutMs`); never throws for a non-zero exit. */
export function runCommand(
  command: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<CommandOutput> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${Math.round(timeoutMs / 1000)} s)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: `${stderr}${e.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The first line of `text` (for one-line messages). */
export function firstLine(text: string): string {
  return (text.trim().split('\n')[0] ?? '').trim().slice(0, 300);
}
