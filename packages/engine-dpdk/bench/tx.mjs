#!/usr/bin/env node
// Transmit benchmark of the DPDK engine against the same loop in C, in one
// run: each subject runs in a fresh process per repetition, subjects take
// turns round-robin, and the median of the repetitions is reported with the
// ratio JavaScript / C. Rates are given per second of wall time and per
// second of the sender's own CPU time: on a shared machine the second is
// the steadier one. Needs the package built (`pnpm build`) and root.
//   node bench/tx.mjs [--devices net_null,net_ring] [--reps 5] [--ms 1000] [--payload 64] [--burst 32]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const opt = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const devices = opt('devices', 'net_null,net_ring').split(',');
const reps = Number(opt('reps', '5'));
const ms = opt('ms', '1000');
const payload = opt('payload', '64');
const burst = opt('burst', '32');

// The C loop, built now with DPDK's own flags.
const exe = join(mkdtempSync(join(tmpdir(), 'binio-dpdk-bench-')), 'tx-loop');
const flags = execFileSync('pkg-config', ['--cflags', '--libs', 'libdpdk'], { encoding: 'utf8' })
  .trim()
  .split(/\s+/);
execFileSync('cc', ['-O3', '-o', exe, join(here, 'tx-loop.c'), ...flags], { stdio: 'inherit' });

const subjects = [
  { id: 'c', run: (dev) => [exe, dev, ms, payload, burst] },
  {
    id: 'js-transmit',
    run: (dev) => [process.execPath, join(here, 'tx-js.mjs'), dev, ms, payload, burst, 'transmit'],
  },
  {
    id: 'js-sendPacked',
    run: (dev) => [
      process.execPath,
      join(here, 'tx-js.mjs'),
      dev,
      ms,
      payload,
      burst,
      'sendPacked',
    ],
  },
  {
    id: 'js-sendMany',
    run: (dev) => [process.execPath, join(here, 'tx-js.mjs'), dev, ms, payload, burst, 'sendMany'],
  },
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

console.log(`payload ${payload} B, burst ${burst}, ${reps} × ${ms} ms per subject, round-robin`);
for (const dev of devices) {
  const results = Object.fromEntries(subjects.map((s) => [s.id, []]));
  const cpuResults = Object.fromEntries(subjects.map((s) => [s.id, []]));
  for (let r = 0; r < reps; r++) {
    // Each round starts one subject further on.
    for (let k = 0; k < subjects.length; k++) {
      const s = subjects[(r + k) % subjects.length];
      const [cmd, ...args] = s.run(dev);
      const p = spawnSync(cmd, args, { encoding: 'utf8' });
      const line = p.stdout.trim().split('\n').pop();
      if (p.status !== 0 || !line?.startsWith('{')) {
        console.error(`${s.id} on ${dev} failed (${p.status}): ${p.stderr}`);
        process.exit(1);
      }
      const out = JSON.parse(line);
      results[s.id].push(out.pps);
      cpuResults[s.id].push(out.cpuPps);
    }
  }
  const c = median(results.c);
  const cc = median(cpuResults.c);
  for (const s of subjects) {
    const m = median(results[s.id]);
    const mc = median(cpuResults[s.id]);
    const all = results[s.id].map((x) => (x / 1e6).toFixed(1)).join(' ');
    console.log(
      `${dev.padEnd(9)} ${s.id.padEnd(14)} wall ${(m / 1e6).toFixed(2).padStart(6)} Mpps ×${(m / c).toFixed(2)} of C` +
        `   per CPU-second ${(mc / 1e6).toFixed(2).padStart(6)} Mpps ×${(mc / cc).toFixed(2)} of C   [wall runs: ${all}]`,
    );
  }
}
