/**
 * Local measurement (not a test): 4 KiB random reads from a page-cached
 * file, side by side in one process, subjects interleaved round by round.
 *
 *   node scripts/run-ts.mjs scripts/bench-pread.ts [--file PATH] [--size-mib 256] [--rounds 7] [--ops 200000]
 *
 * Sync: a bare koffi `pread` loop, the engine's `readInto(out, { offset })`
 * (a fresh options object per call, as users write it, and one reused),
 * and Node's `fs.readSync`. Async, 32 reads in flight: the engine's
 * `readInto`, koffi's bare `pread.async`, and `fs.promises` `FileHandle.read`.
 * Before each round the file is dropped from the cache and re-read
 * sequentially (PLATFORM.md: a cache refaulted by random reads is slower).
 * Prints each subject's median rate and its ratio to Node's; for the sync
 * loops also by CPU time, which other load on the machine disturbs less.
 * Also reports the load average, so a noisy run can be recognised.
 */
import { closeSync, existsSync, openSync, readSync, writeSync } from 'node:fs';
import { open as openPromise } from 'node:fs/promises';
import { OutputBuffer } from '@binio/core';
import { createPosixEngine } from '../src/index.js';
import { posixFadvise, pread } from '../src/libc/file-calls.js';
import { FADV } from '../src/linux/file-constants.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const path = arg('file', '/tmp/binio-bench-256m');
const sizeMiB = Number(arg('size-mib', '256'));
const rounds = Number(arg('rounds', '7'));
const ops = Number(arg('ops', '200000'));
const asyncOps = Number(arg('async-ops', '100000'));
const depth = Number(arg('depth', '32'));
const BLOCK = 4096;
const size = sizeMiB * 1024 * 1024;

if (!existsSync(path)) {
  const fd = openSync(path, 'w');
  const chunk = new Uint8Array(1 << 20);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;
  for (let i = 0; i < sizeMiB; i++) writeSync(fd, chunk);
  closeSync(fd);
}

// One random offset sequence for everyone: the bench's xorshift (apps/bench
// offsets.ts). A linear congruential generator taken modulo the block count
// (as this script first did) repeats short strides in its low bits: with
// it fs.readSync made 644k reads/s here, with this 473-487k, the bench's
// figure; every subject looked faster than on truly scattered pages.
const offsets = new Float64Array(ops);
let seed = 0x9e3779b9 | 0;
for (let i = 0; i < ops; i++) {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  offsets[i] = ((seed >>> 0) % (size / BLOCK)) * BLOCK;
}

function rewarm(): void {
  const fd = openSync(path, 'r');
  posixFadvise(fd, 0, 0, FADV.POSIX_FADV_DONTNEED);
  const buf = Buffer.allocUnsafe(1 << 20);
  while (readSync(fd, buf, 0, buf.length, null) > 0);
  closeSync(fd);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function rate(start: bigint, n: number): number {
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

/**
 * Runs a sync loop of `n` ops; returns ops per second of wall time and of
 * this process's CPU time. On a machine other work also loads, the CPU-time
 * rate is the steadier one (time spent descheduled does not count).
 */
function measure(loop: () => void, n: number): { wall: number; cpu: number } {
  const t = process.hrtime.bigint();
  const c = process.cpuUsage();
  loop();
  const used = process.cpuUsage(c);
  return { wall: rate(t, n), cpu: n / ((used.user + used.system) / 1e6) };
}

// ---- sync subjects ----
const syncEngine = createPosixEngine({ mode: 'sync' });
const file = syncEngine.openReadOnly(path);
const nodeFd = openSync(path, 'r');
const bareFd = openSync(path, 'r');
const heap = new Uint8Array(BLOCK);
const nodeBuf = Buffer.alloc(BLOCK);
const out = new OutputBuffer(new Uint8Array(BLOCK));
const reused = { offset: 0 };

const syncSubjects: Record<string, () => void> = {
  'bare koffi pread': () => {
    for (let i = 0; i < ops; i++) pread(bareFd, heap, BLOCK, offsets[i]!);
  },
  'engine readInto': () => {
    for (let i = 0; i < ops; i++) {
      out.reset();
      file.readInto(out, { offset: offsets[i]! });
    }
  },
  'engine readInto (reused options)': () => {
    for (let i = 0; i < ops; i++) {
      out.reset();
      reused.offset = offsets[i]!;
      file.readInto(out, reused);
    }
  },
  'fs.readSync': () => {
    for (let i = 0; i < ops; i++) readSync(nodeFd, nodeBuf, 0, BLOCK, offsets[i]!);
  },
};

// ---- async subjects ----
const asyncEngine = createPosixEngine({ mode: 'async' });
const afile = await asyncEngine.openReadOnly(path);
const handle = await openPromise(path, 'r');

async function lanes(run: (lane: number, i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: depth }, async (_, lane) => {
      for (;;) {
        const i = next++;
        if (i >= asyncOps) return;
        await run(lane, i);
      }
    }),
  );
  return rate(t, asyncOps);
}

const laneOut = Array.from({ length: depth }, () => new OutputBuffer(new Uint8Array(BLOCK)));
const laneHeap = Array.from({ length: depth }, () => new Uint8Array(BLOCK));
const laneNode = Array.from({ length: depth }, () => Buffer.alloc(BLOCK));

const asyncSubjects: Record<string, () => Promise<number>> = {
  'bare koffi pread.async': () =>
    lanes(
      (lane, i) =>
        new Promise((resolve, reject) =>
          pread.async(bareFd, laneHeap[lane], BLOCK, offsets[i]!, (e: unknown, n: number) =>
            e ? reject(e) : resolve(n),
          ),
        ),
    ),
  'engine async readInto': () =>
    lanes((lane, i) => {
      const o = laneOut[lane]!;
      o.reset();
      return afile.readInto(o, { offset: offsets[i]! });
    }),
  'fs.promises FileHandle.read': () =>
    lanes((lane, i) => handle.read(laneNode[lane]!, 0, BLOCK, offsets[i]!)),
};

// Warm up every path (JIT) once before measuring.
rewarm();
for (const f of Object.values(syncSubjects)) f();
for (const f of Object.values(asyncSubjects)) await f();

const syncRates: Record<string, number[]> = {};
const syncCpuRates: Record<string, number[]> = {};
const asyncRates: Record<string, number[]> = {};
for (let r = 0; r < rounds; r++) {
  rewarm();
  const names = Object.keys(syncSubjects);
  // Rotate the order each round so no subject always runs first.
  for (let k = 0; k < names.length; k++) {
    const name = names[(k + r) % names.length]!;
    const m = measure(syncSubjects[name]!, ops);
    syncRates[name] = [...(syncRates[name] ?? []), m.wall];
    syncCpuRates[name] = [...(syncCpuRates[name] ?? []), m.cpu];
  }
  const anames = Object.keys(asyncSubjects);
  for (let k = 0; k < anames.length; k++) {
    const name = anames[(k + r) % anames.length]!;
    asyncRates[name] = [...(asyncRates[name] ?? []), await asyncSubjects[name]!()];
  }
}

function report(title: string, rates: Record<string, number[]>, reference: string): void {
  const ref = median(rates[reference]!);
  console.log(`\n${title} (median of ${rounds} rounds; ratio to ${reference})`);
  for (const [name, xs] of Object.entries(rates)) {
    const m = median(xs);
    console.log(
      `  ${name.padEnd(34)} ${(m / 1000).toFixed(0).padStart(6)} k ops/s   ${(m / ref).toFixed(3)}x`,
    );
  }
}
report(`sync 4 KiB random pread, ${ops} ops per round, wall time`, syncRates, 'fs.readSync');
report(
  `sync 4 KiB random pread, ${ops} ops per round, CPU time of this process`,
  syncCpuRates,
  'fs.readSync',
);
report(
  `async 4 KiB random pread, ${depth} in flight, ${asyncOps} ops per round`,
  asyncRates,
  'fs.promises FileHandle.read',
);

console.log(
  `\nload average at the end: ${(await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
file.close();
syncEngine.close();
await afile.close();
await asyncEngine.close();
await handle.close();
closeSync(nodeFd);
closeSync(bareFd);
