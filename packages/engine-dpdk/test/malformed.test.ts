import { fileURLToPath } from 'node:url';
import { OutputBuffer } from '@binio/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DpdkUdpSocket, DropReason } from '../src/index.js';
import { arpRequest, concat, eth, hexOf, icmpFrame, ipv4, udpFrame } from './support/frames.js';
import { pollWhile, startPeer } from './support/peer.js';
import { skipWithReason } from './support/skip.js';
import { openVethRig, type VethRig, vethUnavailableReason } from './support/veth.js';

// Frames the kernel would never send, injected from an AF_PACKET socket on
// the kernel's end of the veth: each is dropped and counted under its own
// reason, and the engine keeps serving with every mbuf back in its pool.
const skip = skipWithReason('malformed frames', vethUnavailableReason());
const RAW_PY = fileURLToPath(new URL('./support/raw.py', import.meta.url));
const COPIES = 5;

describe.skipIf(skip)('malformed and foreign frames', () => {
  let rig: VethRig;
  let sock: DpdkUdpSocket;
  let peerMac: string;

  beforeAll(() => {
    rig = openVethRig('bad');
    sock = rig.engine.createUdpSocket();
    rig.engine.bindUdp(sock, `${rig.dpdkIp}:5000`);
    const link = rig.ns.exec(['ip', '-o', 'link', 'show', rig.ns.peerInterface]);
    peerMac = /link\/ether ([0-9a-f:]{17})/.exec(link)![1]!;
  });
  afterAll(() => rig?.close());

  it('drops each kind and counts it, delivers the good ones, and keeps serving', async () => {
    const { engine, ns, dpdkIp, peerIp } = rig;
    const l2 = { dst: engine.mac, src: peerMac };
    const l3 = { src: peerIp, dst: dpdkIp };
    const p = { sport: 4000, dport: 5000 };
    const hello = new TextEncoder().encode('hello');
    const good = udpFrame(l2, l3, p, hello);
    // A datagram in two fragments: net_af_packet's socket has the kernel
    // reassemble them (PACKET_FANOUT_FLAG_DEFRAG), so it arrives whole.
    const udpPart = udpFrame(
      l2,
      l3,
      p,
      new TextEncoder().encode('hello, in two fragments'),
    ).subarray(34);
    const frag = (off: number, bytes: Uint8Array, more: boolean) =>
      concat(
        eth(engine.mac, peerMac, 0x0800),
        ipv4({
          ...l3,
          proto: 17,
          payloadLength: bytes.length,
          flagsFrag: (more ? 0x2000 : 0) | (off / 8),
        }),
        bytes,
      );
    const cases: Array<[DropReason | 'delivered', Uint8Array[]]> = [
      ['delivered', [good]],
      // IP options move the payload: still delivered.
      ['delivered', [udpFrame(l2, l3, p, hello, { ip: { options: Uint8Array.of(1, 1, 1, 0) } })]],
      [
        'delivered',
        [frag(0, udpPart.subarray(0, 16), true), frag(16, udpPart.subarray(16), false)],
      ],
      ['truncated', [good.subarray(0, 24)]],
      // A UDP header cut short, the IP length agreeing.
      [
        'truncated',
        [
          concat(
            eth(engine.mac, peerMac, 0x0800),
            ipv4({ ...l3, proto: 17, payloadLength: 4 }),
            udpPart.subarray(0, 4),
          ),
        ],
      ],
      ['badIhl', [udpFrame(l2, l3, p, hello, { ip: { ihl: 3 } })]],
      ['badIhl', [udpFrame(l2, l3, p, hello, { ip: { ihl: 15 } })]],
      ['badIpLength', [udpFrame(l2, l3, p, hello, { ip: { totalLength: 200 } })]],
      ['badIpVersion', [udpFrame(l2, l3, p, hello, { ip: { version: 6 } })]],
      ['badIpChecksum', [udpFrame(l2, l3, p, hello, { ip: { checksum: 0x1234 } })]],
      ['badUdpChecksum', [udpFrame(l2, l3, p, hello, { udp: { checksum: 0x1234 } })]],
      ['badUdpLength', [udpFrame(l2, l3, p, hello, { udp: { length: 40 } })]],
      ['unknownEthertype', [concat(eth(engine.mac, peerMac, 0x88b5), new Uint8Array(46))]],
      ['notForUs', [udpFrame({ dst: '02:00:00:00:00:99', src: peerMac }, l3, p, hello)]],
      ['ipNotForUs', [udpFrame(l2, { src: peerIp, dst: '10.99.0.1' }, p, hello)]],
      [
        'unknownProtocol',
        [
          concat(
            eth(engine.mac, peerMac, 0x0800),
            ipv4({ ...l3, proto: 6, payloadLength: 20 }),
            new Uint8Array(20),
          ),
        ],
      ],
      ['noSocket', [udpFrame(l2, l3, { sport: 4000, dport: 5999 }, hello)]],
      ['arpNotForUs', [arpRequest(peerMac, peerIp, '10.99.0.7')]],
      [
        'badArp',
        [
          concat(
            eth('ff:ff:ff:ff:ff:ff', peerMac, 0x0806),
            Uint8Array.of(0, 6, 8, 0, 6, 4, 0, 1),
            new Uint8Array(20),
          ),
        ],
      ],
      ['icmpIgnored', [icmpFrame(l2, l3, 13, new Uint8Array(16))]],
      ['badIcmp', [icmpFrame(l2, l3, 8, new Uint8Array(16), 0xbeef)]],
    ];

    const before = engine.stats();
    const inUse = engine.pool.counts().inUse;
    const lines: string[] = [];
    for (let k = 0; k < COPIES; k++)
      for (const [, frames] of cases) for (const f of frames) lines.push(hexOf(f));
    const out = ns.exec(['python3', RAW_PY, 'inject', ns.peerInterface], {
      input: `${lines.join('\n')}\n`,
    });
    expect(JSON.parse(out)).toEqual({ sent: lines.length });

    const expected = new Map<string, number>();
    for (const [why] of cases) expected.set(why, (expected.get(why) ?? 0) + COPIES);
    const counted = () => {
      const now = engine.stats();
      return new Map(
        [...expected.keys()].map((why) => [
          why,
          why === 'delivered'
            ? now.rxDatagrams - before.rxDatagrams
            : now.drops[why as DropReason] - before.drops[why as DropReason],
        ]),
      );
    };
    const deadline = Date.now() + 5000;
    while ([...counted()].some(([why, n]) => n < expected.get(why)!) && Date.now() < deadline)
      engine.poll();
    for (const [why, n] of counted()) {
      // Stray kernel chatter could only add to these two; everything else is exact.
      if (why === 'notForUs' || why === 'unknownEthertype')
        expect(n, why).toBeGreaterThanOrEqual(expected.get(why)!);
      else expect(n, why).toBe(expected.get(why));
    }

    // The good ones arrived intact.
    const payloads: string[] = [];
    for (let i = 0; i < 3 * COPIES; i++) {
      const buf = OutputBuffer.alloc(64);
      const r = engine.recv(sock, buf, { timeout: 1000 });
      payloads.push(new TextDecoder().decode(buf.filled));
      expect(r.from.toString()).toBe(`${peerIp}:4000`);
    }
    expect(payloads.filter((x) => x === 'hello')).toHaveLength(2 * COPIES);
    expect(payloads.filter((x) => x === 'hello, in two fragments')).toHaveLength(COPIES);
    expect(engine.pool.counts().inUse).toBe(inUse);

    // Still serving: our datagram goes out to a kernel socket and its echo comes in.
    const peer = startPeer(ns, ['echo', '6200', '1']);
    await pollWhile(
      () => engine.poll(),
      peer.line((l) => 'ready' in l),
    );
    engine.send(sock, new TextEncoder().encode('still here'), `${peerIp}:6200`);
    const buf = OutputBuffer.alloc(64);
    engine.recv(sock, buf);
    expect(new TextDecoder().decode(buf.filled)).toBe('still here');
    await pollWhile(() => engine.poll(), peer.exited);
  });
});
