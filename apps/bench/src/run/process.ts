import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseProtocolLine, type ReadyInfo } from '../protocol.js';

/** A child process speaking the worker protocol. */
export interface ProtocolProcess<T> {
  /** Resolves on its `ready` line. */
  readonly ready: Promise<ReadyInfo>;
  /** Resolves on its `result` (or `probe`) line; rejects on `error`, a bad exit or the time limit. */
  readonly result: Promise<T>;
  /** Kills it (SIGKILL); harmless once it exited. */
  kill(): void;
}

/** Options of {@link startProtocolProcess}. */
export interface StartOptions {
  /** Killed after this long, whatever it is doing. */
  timeoutMs: number;
  /** Name in error messages. */
  name: string;
  env?: NodeJS.ProcessEnv;
}

const STDERR_KEEP = 4000;

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
  let settled = false;
  let onReady!: (info: ReadyInfo) => void;
  let onReadyFail!: (e: Error) => void;
  let onResult!: (value: T) => void;
  let onFail!: (e: Error) => void;
  const ready = new Promise<ReadyInfo>((res, rej) => {
    onReady = res;
    onReadyFail = rej;
  });
  const result = new Promise<T>((res, rej) => {
    onResult = res;
    onFail = rej;
  });
  // Callers await only what they need; the other promise must not count as unhandled.
  ready.catch(() => {});
  result.catch(() => {});
  const fail = (e: Error): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    child.kill('SIGKILL');
    onReadyFail(e);
    onFail(e);
  };
  const timer = setTimeout(
    () =>
      fail(
        new Error(
          `${options.name} did not finish within ${Math.round(options.timeoutMs / 1000)} s`,
        ),
      ),
    options.timeoutMs,
  );
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-STDERR_KEEP);
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const msg = parseProtocolLine(line);
    if (msg === undefined || settled) return;
    if (msg.kind === 'ready') onReady(msg.payload);
    else if (msg.kind === 'error') fail(new Error(`${options.name}: ${msg.payload.message}`));
    else {
      settled = true;
      clearTimeout(timer);
      // It should exit by itself now; if it lingers, it goes.
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      onReadyFail(new Error(`${options.name} finished without listening`));
      onResult(msg.payload as T);
    }
  });
  child.on('error', (e) => fail(new Error(`${options.name} could not start: ${e.message}`)));
  child.on('close', (code, signal) => {
    const last = lastLine(stderr);
    fail(
      new Error(
        `${options.name} exited (${signal ?? `code ${code}`}) without a result${last ? `: ${last}` : ''}`,
      ),
    );
  });
  return { ready, result, kill: () => child.kill('SIGKILL') };
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
