#!/usr/bin/env node
// Where the transmit path's time goes, piece by piece: each line is one
// loop of 32-buffer bursts into net_null (nothing leaves the process),
// adding one step to the line before, in CPU nanoseconds per packet. The
// C comparison is the workspace bench's (apps/bench, `--only dpdk`); this
// is the breakdown of the JavaScript side. Needs the package built and root.
//   node bench/tx-breakdown.mjs [ms per loop, default 700]
import { createDpdkEngine } from '../dist/index.js';

const ms = Number(process.argv[2] ?? 700);
const engine = createDpdkEngine({
  eal: { vdevs: ['net_null0'], filePrefix: `binio-breakdown-${process.pid}` },
  port: 'net_null0',
  address: '192.0.2.1/24',
});
const sock = engine.createUdpSocket();
engine.bindUdp(sock, '192.0.2.1:9000');
const to = '192.0.2.255:9000';
const B = 32;
const data = Uint8Array.from({ length: 64 }, (_, i) => i);
const packed = new Uint8Array(64 * B);
for (let i = 0; i < B; i++) packed.set(data, i * 64);

const loops = {
  'getBuffers + recycleBuffers': () => {
    const b = engine.getBuffers(B);
    engine.recycleBuffers(b);
    return B;
  },
  'getBuffers + commit(64) + transmit': () => {
    const b = engine.getBuffers(B);
    for (const x of b) x.commit(64);
    return engine.transmit(sock, b, to);
  },
  'getBuffers + append(64 B) + transmit': () => {
    const b = engine.getBuffers(B);
    for (const x of b) x.append(data);
    return engine.transmit(sock, b, to);
  },
  'sendPacked (payloads in one array)': () => engine.sendPacked(sock, packed, 64, to),
};

for (const [name, burst] of Object.entries(loops)) {
  for (let i = 0; i < 20000; i++) burst(); // warm up (JIT)
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < ms) for (let i = 0; i < 64; i++) n += burst();
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `${name.padEnd(40)} ${(((cpu.user + cpu.system) * 1000) / n).toFixed(1)} ns CPU/packet`,
  );
}
sock.close();
engine.close();
engine.eal.cleanup();
