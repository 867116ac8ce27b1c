import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EpollEngine, createEpollEngine } from '../src/index.js';
import { epollTargets, rejection } from './helpers.js';

describe('readiness sources: eventfd, timerfd, pidfd', () => {
  let engine: EpollEngine;
  let fds: ReturnType<typeof fdSnapshot>;
  beforeAll(() => {
    fds = fdSnapshot();
    engine = createEpollEngine();
  });
  afterAll(async () => {
    await engine.close();
    expect(fds.leaked()).toEqual([]);
  });

  it('wakes a read on an eventfd that another thread writes to', async () => {
    const ev = engine.createEventFd();
    const reading = ev.read();
    // A worker thread adds 3, then 4, with plain 8-byte writes on the descriptor.
    const worker = new Worker(
      `const { writeSync } = require('node:fs'); const { workerData } = require('node:worker_threads');
       const b = Buffer.alloc(8); b.writeBigUInt64LE(3n); writeSync(workerData, b);`,
      { eval: true, workerData: ev.fd },
    );
    await new Promise((r) => worker.once('exit', r));
    expect(await reading).toBe(3);
    await ev.add(4);
    await ev.add(5);
    expect(await ev.read()).toBe(9);
    expect((await rejection(ev.read({ timeout: 20 }))).code).toBe('ERR_TIMEOUT');
    await ev.close();
    expect((await rejection(ev.read())).code).toBe('EBADF');
  });

  it('counts one at a time in semaphore mode', async () => {
    const ev = engine.createEventFd({ initial: 2, semaphore: true });
    expect(await ev.read()).toBe(1);
    expect(await ev.read()).toBe(1);
    expect((await rejection(ev.read({ timeout: 10 }))).code).toBe('ERR_TIMEOUT');
    await ev.close();
  });

  it('fires a periodic timer and counts expirations the process missed', async () => {
    const t = engine.createTimer({ interval: 10 });
    expect(await t.wait()).toBeGreaterThanOrEqual(1);
    // Keep the thread busy: the kernel keeps counting meanwhile.
    const until = Date.now() + 60;
    while (Date.now() < until);
    expect(await t.wait()).toBeGreaterThanOrEqual(2);
    t.disarm();
    expect(t.remaining()).toBe(0);
    expect((await rejection(t.wait({ timeout: 40 }))).code).toBe('ERR_TIMEOUT');
    t.set({ delay: 1 });
    let n = 0;
    for await (const count of t) {
      n += count;
      break;
    }
    expect(n).toBe(1);
    const waiting = t.wait();
    await t.close();
    expect((await rejection(waiting)).code).toBe('EBADF');
    expect(epollTargets(engine.epollFd)).toEqual([]);
  });

  it('refuses bad timer settings before creating anything', () => {
    const before = fdSnapshot();
    expect(() => engine.createTimer({ interval: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
    expect(() => engine.createTimer({ clock: 'sundial' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => engine.createTimer({ every: 5 } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(before.leaked()).toEqual([]);
  });

  it('waits for a child to end and signals it through its pidfd', async () => {
    const child = spawn('sleep', ['30']);
    const closed = new Promise((r) => child.once('close', r));
    const p = engine.watchProcess(child.pid!);
    const exiting = p.exited();
    p.kill('SIGTERM');
    const exit = await exiting;
    expect(exit.pid).toBe(child.pid);
    // Node reaps its children at once; when the engine looked first, it saw the signal.
    expect([null, 'SIGTERM']).toContain(exit.signal);
    expect(exit.code).toBeNull();
    await closed;
    await p.close();
  });

  it('waits for a process that is not its child', async () => {
    // A shell starts a grandchild and prints its pid: not ours to reap.
    const sh = spawn('sh', ['-c', 'sleep 30 & echo $!; wait'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const pid = Number(
      await new Promise<string>((r) => sh.stdout!.once('data', (d) => r(String(d)))),
    );
    const p = engine.watchProcess(pid);
    const exiting = p.exited({ timeout: 10_000 });
    process.kill(pid, 'SIGKILL');
    expect(await exiting).toEqual({ pid, code: null, signal: null });
    await new Promise((r) => sh.once('close', r));
    await p.close();
  });

  it('refuses a pid with no process', () => {
    let pid = 4_000_000;
    while (existsSync(`/proc/${pid}`)) pid++;
    expect(() => engine.watchProcess(pid)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });
});
