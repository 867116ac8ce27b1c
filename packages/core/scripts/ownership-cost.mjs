#!/usr/bin/env node
// Measures what core's ownership checks cost on a hot path: the checked
// accessors against raw field access, and one lend/settle pair per operation.
// Run after `pnpm build`: node packages/core/scripts/ownership-cost.mjs
import { OutputBuffer, lendTarget, settleTarget } from '../dist/index.js';

const N = 20_000_000;
const out = OutputBuffer.alloc(4096);
let sink = 0;

function time(label, fn) {
  for (let r = 0; r < 3; r++) fn(N / 10); // warm up
  const t0 = process.hrtime.bigint();
  fn(N);
  const ns = Number(process.hrtime.bigint() - t0) / N;
  console.log(`${label.padEnd(44)} ${ns.toFixed(2)} ns/op`);
  return ns;
}

const raw = time('raw view (field read + subarray)', (n) => {
  for (let i = 0; i < n; i++) sink += out._bytes.subarray(out._count).byteLength;
});
const checked = time('checked view (out.free)', (n) => {
  for (let i = 0; i < n; i++) sink += out.free.byteLength;
});
const bare = time('bare loop (field reads only)', (n) => {
  for (let i = 0; i < n; i++) sink += out._bytes.byteLength + out._count;
});
const lend = time('lendTarget + settleTarget, empty buffer', (n) => {
  for (let i = 0; i < n; i++) {
    sink += lendTarget(out).byteLength;
    settleTarget(out, 0);
  }
});
console.log(`checked accessor vs raw: ${(checked - raw).toFixed(2)} ns; lend+settle over a bare loop: ${(lend - bare).toFixed(2)} ns per operation`);
if (sink === 42) console.log('');
