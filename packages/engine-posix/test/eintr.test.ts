import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type IoError, OutputBuffer, type ReadOptions } from '@binio/core';
import { fdSnapshot, structLayout } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPosixEngine } from '../src/index.js';
import { ioError, scratch } from './helpers.js';
import {
  installInterruptingHandler,
  NR,
  onMainThread,
  SIGACTION,
  signalThread,
  threadInSyscall,
} from './signals.js';

// A read blocked on a pipe (a FIFO) is interrupted by a storm of signals
// whose handler lacks SA_RESTART, so each one makes the kernel return EINTR.

it('the sigaction layout the tests use matches <signal.h>', () => {
  expect(structLayout(['signal.h'], 'struct sigaction', Object.keys(SIGACTION.offsets))).toEqual(
    SIGACTION,
  );
});

let dir: ReturnType<typeof scratch>;
let restore: () => void;
let fds: ReturnType<typeof fdSnapshot>;
let fifoCount = 0;
beforeAll(() => {
  fds = fdSnapshot();
  dir = scratch();
  restore = installInterruptingHandler();
});
afterAll(() => {
  restore();
  dir.dispose();
  expect(fds.leaked()).toEqual([]);
});

function fifo(): string {
  const p = dir.file(`fifo${fifoCount++}`);
  execFileSync('mkfifo', [p]);
  return p;
}

/**
 * Another process that opens the FIFO for writing, then sends `signals`
 * SIGUSR2 to us 40 ms apart, then writes "data" and exits.
 */
function storm(path: string, signals: number): ChildProcess {
  const script = `
    const fs = require('fs');
    const [path, pid, n] = process.argv.slice(1);
    const fd = fs.openSync(path, 'w');
    const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    sleep(300);
    for (let i = 0; i < Number(n); i++) { process.kill(Number(pid), 'SIGUSR2'); sleep(40); }
    try { fs.writeSync(fd, 'data'); } catch {}
  `;
  return spawn(process.execPath, ['-e', script, path, String(process.pid), String(signals)], {
    stdio: 'ignore',
  });
}

describe.skipIf(!onMainThread())('sync mode: a signal storm from another process', () => {
  const engine = createPosixEngine({ mode: 'sync' });
  afterAll(() => engine.close());

  /** Reads during a storm; waits for the sender to end so no signal spills into the next test. */
  async function readDuringStorm(
    signals: number,
    options: ReadOptions,
  ): Promise<{ n?: number; error?: IoError; text: string }> {
    const path = fifo();
    const child = storm(path, signals);
    const exited = once(child, 'exit');
    const result: { n?: number; error?: IoError; text: string } = { text: '' };
    try {
      // Blocks until the child opened its end, then blocks in read(2) during the storm.
      const f = engine.openReadOnly(path);
      const out = OutputBuffer.alloc(64);
      try {
        result.n = f.readInto(out, options);
      } catch (e) {
        result.error = e as IoError;
      }
      f.close();
      result.text = new TextDecoder().decode(out.filled);
    } finally {
      await exited;
    }
    return result;
  }

  it('retries interrupted reads by default and returns the data', async () => {
    const r = await readDuringStorm(5, {});
    expect(r.error).toBeUndefined();
    expect(r.n).toBe(4);
    expect(r.text).toBe('data');
  });

  it('surfaces the first EINTR when retryOnInterrupt is false', async () => {
    const r = await readDuringStorm(5, { retryOnInterrupt: false });
    expect(r.error).toMatchObject({ code: 'EINTR', errno: 4, syscall: 'read' });
    expect(r.error!.message).toContain('retryOnInterrupt is off');
  });

  it('stops at the retry limit', async () => {
    const limited = await readDuringStorm(6, { retryOnInterrupt: 2 });
    expect(limited.error).toMatchObject({ code: 'EINTR' });
    expect(limited.error!.message).toContain('gave up after 2 retries');
    const enough = await readDuringStorm(3, { retryOnInterrupt: 10 });
    expect(enough.text).toBe('data');
  });
});

describe('async mode: signals at the pool thread blocked in read(2)', () => {
  const engine = createPosixEngine({ mode: 'async' });
  afterAll(() => engine.close());

  /**
   * Sends up to `signals` SIGUSR2, each only once a pool thread is seen
   * inside read(2) on the FIFO (so each one interrupts exactly one read),
   * then writes "data". Returns how many were sent and how the read ended.
   */
  async function readDuringStorm(signals: number, options: ReadOptions) {
    const path = fifo();
    const opening = engine.openReadOnly(path);
    const writer = openSync(path, 'w'); // meets the open running on the pool
    const f = await opening;
    const out = OutputBuffer.alloc(64);
    let settled = false;
    const reading = f.readInto(out, options).finally(() => {
      settled = true;
    });
    reading.catch(() => {});
    let sent = 0;
    while (!settled && sent < signals) {
      await sleep(20);
      const tid = threadInSyscall(NR.read, f.fd);
      if (tid !== undefined && !settled) {
        signalThread(tid);
        sent++;
      }
    }
    await sleep(20);
    if (!settled) writeSync(writer, 'data');
    let n: number | undefined;
    let error: IoError | undefined;
    try {
      n = await reading;
    } catch (e) {
      error = e as IoError;
    }
    closeSync(writer);
    await f.close();
    return { n, error, sent, text: new TextDecoder().decode(out.filled) };
  }

  it('retries interrupted reads by default and returns the data', async () => {
    const r = await readDuringStorm(5, {});
    expect(r.sent).toBe(5);
    expect(r.error).toBeUndefined();
    expect(r.text).toBe('data');
  });

  it('surfaces the first EINTR when retryOnInterrupt is false', async () => {
    const r = await readDuringStorm(5, { retryOnInterrupt: false });
    expect(r.sent).toBe(1);
    expect(r.error).toMatchObject({ code: 'EINTR', syscall: 'read' });
  });

  it('retries exactly up to the limit, then surfaces EINTR', async () => {
    const r = await readDuringStorm(6, { retryOnInterrupt: 2 });
    expect(r.sent).toBe(3);
    expect(r.error).toMatchObject({ code: 'EINTR' });
    expect(r.error!.message).toContain('gave up after 2 retries');
  });

  it('a retried read leaves its buffer with the caller afterwards', async () => {
    const path = fifo();
    const opening = engine.openReadOnly(path);
    const writer = openSync(path, 'w');
    const f = await opening;
    const out = OutputBuffer.alloc(8);
    const reading = f.readInto(out);
    await ioError(() => f.readInto(out), 'ERR_BUFFER_IN_FLIGHT');
    writeSync(writer, 'x');
    expect(await reading).toBe(1);
    expect(out.ownership).toBe('caller');
    closeSync(writer);
    await f.close();
  });
});
