#!/usr/bin/env node
// 4 KiB random reads from a page-cached file: the uring engine's Promise,
// batch and sync APIs side by side with fs.promises, fs.readSync and fio's
// io_uring engine, interleaved round-robin in one run (timings on shared
// machines are noisy: compare the ratios). Needs `pnpm build` first.
//
//   node scripts/bench-randread.mjs [--size-mb 1024] [--seconds 2] [--rounds 3] [--file PATH]
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  promises as fsp,
  openSync,
  readSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { parseArgs } from 'node:util';
import { createUringEngine } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '1024' },
    seconds: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    file: { type: 'string', default: '/tmp/binio-bench-randread.dat' },
    keep: { type: 'boolean', default: false },
  },
});
const SIZE = Number(values['size-mb']) * 1024 * 1024;
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const PATH = values.file;
const BS = 4096;
const BLOCKS = SIZE / BS;

function makeFile() {
  if (existsSync(PATH) && statSync(PATH).size === SIZE) return;
  const fd = openSync(PATH, 'w');
  const chunk = Buffer.alloc(64 * 1024 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;
  for (let at = 0; at < SIZE; at += chunk.length)
    writeSync(fd, chunk, 0, Math.min(chunk.length, SIZE - at), at);
  closeSync(fd);
}

// The page cache here ages out idle regions; a sequential re-read before each
// run puts the whole file back (PLATFORM.md).
function warm() {
  const fd = openSync(PATH, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  for (let at = 0; at < SIZE; at += buf.length) readSync(fd, buf, 0, buf.length, at);
  closeSync(fd);
}

// Random 4 KiB-aligned offsets, the same sequence for every subject.
const OFFS = new Float64Array(1 << 20);
{
  let x = 0x9e3779b9;
  for (let i = 0; i < OFFS.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    OFFS[i] = ((x >>> 0) % BLOCKS) * BS;
  }
}
const MASK = OFFS.length - 1;

async function workers(qd, body) {
  let ops = 0;
  const end = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: qd }, async (_, w) => {
      let i = w * 7919;
      while (performance.now() < end) {
        for (let k = 0; k < 64; k++) await body(w, OFFS[i++ & MASK]);
        ops += 64;
      }
    }),
  );
  return ops / ((performance.now() - t0) / 1000);
}

const subjects = {
  'fs.promises qd32': async () => {
    const fh = await fsp.open(PATH, 'r');
    const bufs = Array.from({ length: 32 }, () => Buffer.alloc(BS));
    const r = await workers(32, (w, off) => fh.read(bufs[w], 0, BS, off));
    await fh.close();
    return r;
  },
  'fs.promises qd1': async () => {
    const fh = await fsp.open(PATH, 'r');
    const buf = Buffer.alloc(BS);
    const r = await workers(1, (_w, off) => fh.read(buf, 0, BS, off));
    await fh.close();
    return r;
  },
  'fs.readSync': async () => {
    const fd = openSync(PATH, 'r');
    const buf = Buffer.alloc(BS);
    let ops = 0;
    let i = 0;
    const t0 = performance.now();
    const end = t0 + SECONDS * 1000;
    while (performance.now() < end) {
      for (let k = 0; k < 256; k++) readSync(fd, buf, 0, BS, OFFS[i++ & MASK]);
      ops += 256;
    }
    closeSync(fd);
    return ops / ((performance.now() - t0) / 1000);
  },
  'uring promise qd32': async () => {
    const e = createUringEngine({ mode: 'async', buffers: { count: 32, size: BS } });
    const f = await e.openReadOnly(PATH);
    const bufs = e.getBuffers(32);
    const opts = bufs.map(() => ({ offset: 0 }));
    const r = await workers(32, (w, off) => {
      const b = bufs[w];
      b.reset();
      opts[w].offset = off;
      return f.readInto(b, opts[w]);
    });
    e.recycleBuffers(bufs);
    await e.close();
    return r;
  },
  'uring promise qd1': async () => {
    const e = createUringEngine({ mode: 'async', buffers: { count: 1, size: BS } });
    const f = await e.openReadOnly(PATH);
    const b = e.getBuffer();
    const opt = { offset: 0 };
    const r = await workers(1, (_w, off) => {
      b.reset();
      opt.offset = off;
      return f.readInto(b, opt);
    });
    e.recycleBuffer(b);
    await e.close();
    return r;
  },
  'uring batch qd32': async () => {
    const e = createUringEngine({ mode: 'async', buffers: { count: 32, size: BS } });
    const f = await e.openReadOnly(PATH);
    const bufs = e.getBuffers(32);
    let ops = 0;
    let i = 0;
    let stop = false;
    let inFlight = 0;
    let finish;
    const done = new Promise((r) => {
      finish = r;
    });
    const t0 = performance.now();
    const end = t0 + SECONDS * 1000;
    const batch = e.batch((tag, res) => {
      inFlight--;
      if (res !== BS) throw new Error(`short read ${res}`);
      ops++;
      if ((ops & 1023) === 0 && performance.now() > end) stop = true;
      if (stop) {
        if (inFlight === 0) finish();
        return;
      }
      const b = bufs[tag];
      b._count = 0;
      batch.read(f, b, OFFS[i++ & MASK], tag);
      inFlight++;
    });
    for (let w = 0; w < 32; w++) {
      batch.read(f, bufs[w], OFFS[i++ & MASK], w);
      inFlight++;
    }
    await done;
    const r = ops / ((performance.now() - t0) / 1000);
    e.recycleBuffers(bufs);
    await e.close();
    return r;
  },
  'uring sync': async () => {
    const e = createUringEngine({ mode: 'sync', buffers: { count: 1, size: BS } });
    const f = e.openReadOnly(PATH);
    const b = e.getBuffer();
    const opt = { offset: 0 };
    let ops = 0;
    let i = 0;
    const t0 = performance.now();
    const end = t0 + SECONDS * 1000;
    while (performance.now() < end) {
      for (let k = 0; k < 256; k++) {
        b._count = 0;
        opt.offset = OFFS[i++ & MASK];
        f.readInto(b, opt);
      }
      ops += 256;
    }
    const r = ops / ((performance.now() - t0) / 1000);
    e.recycleBuffer(b);
    e.close();
    return r;
  },
  'fio io_uring qd32': async () => fio([]),
  // fio's defaults enter the kernel once per IO; batching shows the kernel's limit.
  'fio qd32 batched': async () =>
    fio(['--iodepth_batch_submit=32', '--iodepth_batch_complete_max=32']),
};

function fio(extra) {
  const out = execFileSync(
    'fio',
    [
      '--name=r',
      `--filename=${PATH}`,
      '--rw=randread',
      `--bs=${BS}`,
      '--ioengine=io_uring',
      '--iodepth=32',
      `--size=${SIZE}`,
      `--runtime=${SECONDS}`,
      '--time_based',
      '--output-format=json',
      '--invalidate=0',
      ...extra,
    ],
    { encoding: 'utf8' },
  );
  return JSON.parse(out).jobs[0].read.iops;
}

makeFile();
const results = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(subjects)) {
    warm();
    const iops = await run();
    results[name].push(iops);
    console.error(`round ${round + 1} ${name}: ${Math.round(iops).toLocaleString('en')} IOPS`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
console.log(
  `\n4 KiB random reads, ${SIZE / 2 ** 20} MiB page-cached file, median of ${ROUNDS} rounds of ${SECONDS}s`,
);
for (const [k, v] of Object.entries(m))
  console.log(`  ${k.padEnd(20)} ${Math.round(v).toLocaleString('en').padStart(10)} IOPS`);
const r = (a, b) => (m[a] / m[b]).toFixed(2);
console.log('\nratios (targets from the issue in brackets)');
console.log(
  `  promise qd32 / fs.promises qd32   ${r('uring promise qd32', 'fs.promises qd32')}  [>= 4]`,
);
console.log(
  `  promise qd32 / fio io_uring qd32  ${r('uring promise qd32', 'fio io_uring qd32')}  [>= 0.85]`,
);
console.log(
  `  batch qd32 / fio io_uring qd32    ${r('uring batch qd32', 'fio io_uring qd32')}  [>= 0.95]`,
);
console.log(
  `  promise qd1 / fs.promises qd1     ${r('uring promise qd1', 'fs.promises qd1')}  [>= 5]`,
);
console.log(`  uring sync / fs.readSync          ${r('uring sync', 'fs.readSync')}  [>= 0.8]`);
if (!values.keep) unlinkSync(PATH);
