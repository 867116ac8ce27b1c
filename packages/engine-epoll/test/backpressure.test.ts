import { type ChildProcess, spawn } from 'node:child_process';
import { type InetSocketAddress, InputBuffer } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EpollEngine, createEpollEngine } from '../src/index.js';
import { cpuMs, sleep } from './helpers.js';

// A slow reader in another process: connects, then reads 4 KiB every 50 ms
// until told (by a line on stdin) to read as fast as it can. It prints the
// bytes it got when the stream ends.
const SLOW_READER = `
import net from 'node:net';
const s = net.connect(Number(process.argv[1]), '127.0.0.1');
let got = 0; let fast = false;
s.on('connect', () => { s.pause(); const tick = () => { if (fast) return; let c; while (!fast && (c = s.read(4096)) === null) break; if (c) got += c.length; setTimeout(tick, 50); }; tick(); });
s.on('end', () => { console.log(String(got)); process.exit(0); });
process.stdin.on('data', () => { fast = true; s.on('data', (d) => { got += d.length; }); s.resume(); });
`;

describe('backpressure from a slow reader', () => {
  let engine: EpollEngine;
  let reader: ChildProcess | undefined;
  let fds: ReturnType<typeof fdSnapshot>;
  beforeAll(() => {
    fds = fdSnapshot();
    engine = createEpollEngine();
  });
  afterAll(async () => {
    reader?.kill();
    await engine.close();
    expect(fds.leaked()).toEqual([]);
  });

  it('parks the writer on writability without spinning, then finishes once the reader catches up', async () => {
    const l = await engine.listenTcp('127.0.0.1:0');
    reader = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        SLOW_READER,
        String((l.localAddress as InetSocketAddress).port),
      ],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const s = await l.accept({ timeout: 10_000 });
    const size = 16 << 20;
    const data = new InputBuffer(new Uint8Array(size).fill(5));
    const writing = s.writeAll(data);
    await sleep(100);
    // Blocked: the socket buffers are full and the write waits for room.
    expect(engine.stats().parked).toBe(1);
    expect(data.ownership).toBe('in-flight');

    // Over one second of backpressure, the process burns little CPU and the
    // engine wakes only as the reader frees room (about 20 reads a second),
    // not in a loop. These are bounds on work done, not timings of speed.
    const cpu0 = cpuMs();
    const wake0 = engine.stats().wakeups;
    await sleep(1000);
    const cpu = cpuMs() - cpu0;
    const wakeups = engine.stats().wakeups - wake0;
    expect(cpu).toBeLessThan(250);
    expect(wakeups).toBeLessThan(200);
    expect(engine.stats().parked).toBe(1);

    // The reader speeds up: the parked write drains and everything arrives.
    const printed = new Promise<string>((resolve) => {
      let out = '';
      reader!.stdout!.on('data', (d) => (out += d));
      reader!.on('exit', () => resolve(out.trim()));
    });
    reader.stdin!.write('go\n');
    await writing;
    expect(data.consumed).toBe(size);
    expect(data.ownership).toBe('caller');
    await s.shutdown('write');
    expect(Number(await printed)).toBe(size);
    await s.close();
    await l.close();
  });
});
