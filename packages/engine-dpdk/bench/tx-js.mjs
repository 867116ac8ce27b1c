// One JavaScript transmit run, in its own process (EAL starts once per
// process): the engine from the package's build (dist/), 64-byte UDP
// datagrams to the subnet broadcast (no ARP), in bursts.
//   node bench/tx-js.mjs <net_null|net_ring> <ms> <payload> <burst> <transmit|sendMany|sendPacked>
//   transmit: getBuffers(burst), write each payload into its mbuf, transmit (zero copy)
//   sendMany: the trait's sendMany of { data: Uint8Array, to } (one copy into mbufs)
//   sendPacked: one array holding the burst's payloads back to back, copied natively
import { createDpdkEngine } from '../dist/index.js';

const [dev, msArg, payloadArg, burstArg, mode] = process.argv.slice(2);
const ms = Number(msArg);
const payload = Number(payloadArg);
const burst = Number(burstArg);
const engine = createDpdkEngine({
  eal: { vdevs: [`${dev}0`], filePrefix: `binio-txjs-${process.pid}` },
  port: `${dev}0`,
  address: '192.0.2.1/24',
});
const ring = dev === 'net_ring';
const sock = engine.createUdpSocket();
engine.bindUdp(sock, '192.0.2.1:9000');
const to = '192.0.2.255:9000';
const data = Uint8Array.from({ length: 2048 }, (_, i) => (i * 7) & 255);
const src = data.subarray(0, payload);

function burstTransmit() {
  const bufs = engine.getBuffers(burst);
  for (let i = 0; i < burst; i++) bufs[i].append(src);
  const n = engine.transmit(sock, bufs, to);
  if (n < burst) engine.recycleBuffers(bufs.slice(n));
  if (ring) engine.discardReceived(burst);
  return n;
}

const outgoing = Array.from({ length: burst }, () => ({ data: src, to }));
function burstSendMany() {
  const n = engine.sendMany(sock, outgoing);
  if (ring) engine.discardReceived(burst);
  return n;
}

const packed = new Uint8Array(burst * payload);
for (let i = 0; i < burst; i++) packed.set(src, i * payload);
function burstPacked() {
  const n = engine.sendPacked(sock, packed, payload, to);
  if (ring) engine.discardReceived(burst);
  return n;
}

const step =
  mode === 'sendMany' ? burstSendMany : mode === 'sendPacked' ? burstPacked : burstTransmit;
const warm = performance.now() + 200;
while (performance.now() < warm) step();
let sent = 0;
const cpu0 = process.cpuUsage();
const start = performance.now();
const end = start + ms;
let now = start;
// Check the clock every 64 bursts: reading it costs more than a burst's share.
for (;;) {
  for (let k = 0; k < 64; k++) sent += step();
  now = performance.now();
  if (now >= end) break;
}
const pps = (sent * 1000) / (now - start);
const cpu = process.cpuUsage(cpu0);
const cpuPps = (sent * 1e6) / (cpu.user + cpu.system);
sock.close();
engine.close();
engine.eal.cleanup();
console.log(JSON.stringify({ pps: Math.round(pps), cpuPps: Math.round(cpuPps), sent }));
