import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { InputBuffer, type Mode, OutputBuffer } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPosixEngine } from '../src/index.js';
import { MODES, pattern, scratch } from './helpers.js';
import { installInterruptingHandler, onMainThread } from './signals.js';

// Pipes (FIFOs) with a real peer in another process: short reads are normal,
// readFilling loops over them, EOF is a short count, and a blocking write
// interrupted after some progress returns that partial count.

let dir: ReturnType<typeof scratch>;
let fds: ReturnType<typeof fdSnapshot>;
let count = 0;
beforeAll(() => {
  fds = fdSnapshot();
  dir = scratch();
});
afterAll(() => {
  dir.dispose();
  expect(fds.leaked()).toEqual([]);
});

function fifo(): string {
  const p = dir.file(`fifo${count++}`);
  execFileSync('mkfifo', [p]);
  return p;
}

/** A peer writing `chunks` chunks of `size` bytes of pattern, `gapMs` apart, then closing. */
function trickle(path: string, chunks: number, size: number, gapMs: number): ChildProcess {
  const script = `
    const fs = require('fs');
    const [path, chunks, size, gap] = process.argv.slice(1).map((v, i) => i ? Number(v) : v);
    const fd = fs.openSync(path, 'w');
    const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    const all = Buffer.alloc(chunks * size);
    for (let i = 0; i < all.length; i++) all[i] = i % 251;
    for (let c = 0; c < chunks; c++) { fs.writeSync(fd, all, c * size, size); sleep(gap); }
    fs.closeSync(fd);
  `;
  return spawn(
    process.execPath,
    ['-e', script, path, String(chunks), String(size), String(gapMs)],
    { stdio: 'ignore' },
  );
}

describe.each(MODES)('posix %s: pipes', (mode: Mode) => {
  const engine = createPosixEngine({ mode });
  afterAll(() => engine.close());

  it('returns short reads as data trickles in, and 0 at EOF', async () => {
    const path = fifo();
    const child = trickle(path, 5, 10, 30);
    const exited = once(child, 'exit');
    const f = await engine.openReadOnly(path);
    const out = OutputBuffer.alloc(65536);
    const first = await f.readInto(out);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(50); // a short read: only what had arrived
    let total = first;
    for (;;) {
      const n = await f.readInto(out);
      if (n === 0) break;
      total += n;
    }
    expect(total).toBe(50);
    expect(out.filled).toEqual(pattern(50));
    await f.close();
    await exited;
  });

  it('readFilling loops over many short reads until full', async () => {
    const path = fifo();
    const child = trickle(path, 100, 7, 2);
    const exited = once(child, 'exit');
    const f = await engine.openReadOnly(path);
    const out = OutputBuffer.alloc(500);
    expect(await f.readFilling(out)).toBe(500);
    expect(out.filled).toEqual(pattern(500));
    // The rest, then EOF: a short count, not an error.
    const rest = OutputBuffer.alloc(1000);
    expect(await f.readFilling(rest)).toBe(200);
    expect(rest.filled).toEqual(pattern(700).subarray(500));
    await f.close();
    await exited;
  });
});

describe.skipIf(!onMainThread())('sync: partial writes into a pipe during a signal storm', () => {
  let restore: () => void;
  beforeAll(() => {
    restore = installInterruptingHandler();
  });
  afterAll(() => restore());

  it('write returns a partial count and writeAll finishes the job', async () => {
    const engine = createPosixEngine({ mode: 'sync' });
    const path = fifo();
    // A slow reader that also signals us every 5 ms until EOF, then reports what it got.
    const script = `
      const fs = require('fs');
      const [path, pid] = process.argv.slice(1);
      const fd = fs.openSync(path, 'r');
      const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      const hash = require('crypto').createHash('sha256');
      const buf = Buffer.alloc(16384);
      let total = 0;
      for (;;) {
        process.kill(Number(pid), 'SIGUSR2');
        sleep(5);
        const n = fs.readSync(fd, buf, 0, buf.length, null);
        if (n === 0) break;
        hash.update(buf.subarray(0, n));
        total += n;
      }
      process.stdout.write(total + ' ' + hash.digest('hex'));
    `;
    const child = spawn(process.execPath, ['-e', script, path, String(process.pid)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let report = '';
    child.stdout!.on('data', (d) => {
      report += d;
    });
    const exited = once(child, 'exit');
    const payload = pattern(1 << 20, 3);
    const input = new InputBuffer(payload);
    try {
      const f = engine.openWriteOnly(path);
      const n = f.write(input);
      // Interrupted while blocked on a full pipe after some progress: partial, not EINTR.
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThan(payload.byteLength);
      expect(input.consumed).toBe(n);
      f.writeAll(input);
      expect(input.remaining).toBe(0);
      f.close();
    } finally {
      await exited;
      engine.close();
    }
    expect(report).toBe(
      `${payload.byteLength} ${createHash('sha256').update(payload).digest('hex')}`,
    );
  });
});
