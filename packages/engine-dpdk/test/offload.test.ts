import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDpdkEngine, type DpdkEngine, Eal } from '../src/index.js';
import { pollWhile, startPeer } from './support/peer.js';
import { dpdkUnavailableReason, skipWithReason } from './support/skip.js';
import { type Capture, startCapture, tsharkUnavailableReason } from './support/tshark.js';

// The checksum offload path, on the one virtual device that offers it:
// net_tap computes IPv4 and UDP checksums from the flags and pseudo-header
// sum the engine leaves. The kernel owns the tap's other end, with an
// address and a kernel UDP socket; tshark checks what crossed.
const skip = skipWithReason(
  'checksum offload',
  dpdkUnavailableReason() ??
    tsharkUnavailableReason() ??
    (existsSync('/dev/net/tun') ? undefined : '/dev/net/tun is missing'),
);

const SIZES = [0, 1, 63, 64, 1472];

describe.skipIf(skip)('checksum offload through net_tap', () => {
  const tap = `bdt${process.pid.toString(36)}`.slice(0, 15);
  const block = (process.pid % 250) + 1;
  const dpdkIp = `10.234.${block}.1`;
  const kernelIp = `10.234.${block}.2`;
  let eal: Eal;
  let engine: DpdkEngine;
  let cap: Capture | undefined;

  beforeAll(() => {
    eal = Eal.init({
      vdevs: [`net_tap0,iface=${tap}`],
      filePrefix: `binio-tap-${process.pid}`,
      logLevel: 'critical',
    });
    engine = createDpdkEngine({
      eal,
      port: 'net_tap0',
      address: `${dpdkIp}/30`,
      receiveTimeout: 5000,
    });
    execFileSync('sysctl', ['-qw', `net.ipv6.conf.${tap}.disable_ipv6=1`]);
    execFileSync('ip', ['addr', 'add', `${kernelIp}/30`, 'dev', tap]);
    execFileSync('ip', ['link', 'set', tap, 'up']);
  });

  afterAll(() => {
    cap?.dispose();
    if (!engine) return;
    const report = engine.closeWithReport();
    // net_tap keeps its receive ring stocked with our mbufs until the port
    // closes: they come back then, at EAL cleanup.
    expect(report.mbufs.inUse).toBeLessThanOrEqual(1024);
    expect(eal.cleanup()).toEqual({ pools: report.lingering ? 1 : 0, missingMbufs: 0 });
  });

  it('leaves the checksums to the device, which gets them right', async () => {
    expect(engine.device.txUdpChecksumOffload).toBe(true);
    expect(engine.checksumOffload).toBe(true);
    cap = await startCapture(tap);
    const peer = startPeer(undefined, ['recv', '6300', String(SIZES.length * 2)]);
    await pollWhile(
      () => engine.poll(),
      peer.line((l) => 'ready' in l),
    );
    const sock = engine.createUdpSocket();
    engine.bindUdp(sock, `${dpdkIp}:6301`);
    const fill = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 13 + 5) & 255);
    for (const n of SIZES) engine.send(sock, fill(n), `${kernelIp}:6300`);
    const bufs = engine.getBuffers(SIZES.length);
    bufs.forEach((b, i) => {
      b.append(fill(SIZES[i]!));
    });
    expect(engine.transmit(sock, bufs, `${kernelIp}:6300`)).toBe(SIZES.length);
    await pollWhile(() => engine.poll(), peer.exited);
    // The kernel verifies UDP checksums and drops bad datagrams: all came.
    const got = peer.lines.filter((l) => 'data' in l).map((l) => l.data as string);
    expect(got).toEqual([...SIZES, ...SIZES].map((n) => Buffer.from(fill(n)).toString('hex')));
    await cap.stop();
    const frames = cap.decode(
      ['ip.len', 'ip.checksum.status', 'udp.length', 'udp.checksum.status'],
      `ip.src==${dpdkIp} && udp`,
    );
    expect(frames).toEqual(
      [...SIZES, ...SIZES].map((n) => ({
        'ip.len': String(28 + n),
        'ip.checksum.status': '1',
        'udp.length': String(8 + n),
        'udp.checksum.status': '1',
      })),
    );
  });
});
