import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollWhile, startPeer } from './support/peer.js';
import { skipWithReason } from './support/skip.js';
import { startCapture, tsharkUnavailableReason } from './support/tshark.js';
import { openVethRig, type VethRig, vethUnavailableReason } from './support/veth.js';

// What the engine puts on the wire, as Wireshark's dissectors see it on the
// kernel's end of the veth: valid Ethernet/IPv4/UDP with correct checksums
// (computed by the engine: af_packet offers no offload), ARP and ICMP too.
const skip = skipWithReason('capture', vethUnavailableReason() ?? tsharkUnavailableReason());

const FIELDS = [
  'eth.src',
  'eth.dst',
  'eth.type',
  'ip.version',
  'ip.hdr_len',
  'ip.len',
  'ip.ttl',
  'ip.flags.df',
  'ip.flags.mf',
  'ip.frag_offset',
  'ip.src',
  'ip.dst',
  'ip.checksum.status',
  'udp.srcport',
  'udp.dstport',
  'udp.length',
  'udp.checksum.status',
  'data.len',
  '_ws.malformed',
];

// Payload sizes: empty, odd, even, around a 64-bit word, the largest unfragmented.
const SIZES = [0, 1, 7, 8, 63, 64, 65, 1000, 1471, 1472];

describe.skipIf(skip)('frames on the wire', () => {
  let rig: VethRig;

  beforeAll(() => {
    rig = openVethRig('cap');
  });
  afterAll(() => rig?.close());

  it('decode as valid Ethernet/IPv4/UDP with correct checksums', async () => {
    const { engine, ns, peerIp, dpdkIp } = rig;
    const cap = await startCapture(ns.peerInterface, ns);
    try {
      const peer = startPeer(ns, ['recv', '6100', String(SIZES.length * 3)]);
      await pollWhile(
        () => engine.poll(),
        peer.line((l) => 'ready' in l),
      );
      const sock = engine.createUdpSocket();
      engine.bindUdp(sock, `${dpdkIp}:6101`);
      const fill = (n: number, seed: number) =>
        Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 255);
      // One of each send path: a copy, a zero-copy mbuf, a batch.
      for (const n of SIZES) engine.send(sock, fill(n, 1), `${peerIp}:6100`);
      for (const n of SIZES) {
        const b = engine.getBuffer();
        b.append(fill(n, 2));
        expect(engine.transmit(sock, [b], `${peerIp}:6100`)).toBe(1);
      }
      expect(
        engine.sendMany(
          sock,
          SIZES.map((n) => ({ data: fill(n, 3), to: `${peerIp}:6100` })),
        ),
      ).toBe(SIZES.length);
      await pollWhile(() => engine.poll(), peer.exited);
      // The kernel checks UDP checksums and drops bad ones: all arrived.
      const got = peer.lines.filter((l) => 'data' in l).map((l) => (l.data as string).length / 2);
      expect(got.sort((a, b) => a - b)).toEqual(
        [...SIZES, ...SIZES, ...SIZES].sort((a, b) => a - b),
      );
      await cap.stop();

      const frames = cap.decode(FIELDS, `ip.src==${dpdkIp} && udp`);
      expect(frames).toHaveLength(SIZES.length * 3);
      frames.forEach((f, i) => {
        const n = SIZES[i % SIZES.length]!;
        expect(f).toEqual({
          'eth.src': engine.mac,
          'eth.dst': expect.stringMatching(/^[0-9a-f:]{17}$/),
          'eth.type': '0x0800',
          'ip.version': '4',
          'ip.hdr_len': '20',
          'ip.len': String(28 + n),
          'ip.ttl': '64',
          'ip.flags.df': expect.stringMatching(/^(1|True)$/),
          'ip.flags.mf': expect.stringMatching(/^(0|False)$/),
          'ip.frag_offset': '0',
          'ip.src': dpdkIp,
          'ip.dst': peerIp,
          'ip.checksum.status': '1',
          'udp.srcport': '6101',
          'udp.dstport': '6100',
          'udp.length': String(8 + n),
          'udp.checksum.status': '1',
          'data.len': n === 0 ? '' : String(n),
          '_ws.malformed': '',
        });
      });
      // ARP went out well formed too: our request and the kernel's reply.
      const arp = cap.decode(
        ['arp.opcode', 'arp.src.hw_mac', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4'],
        'arp',
      );
      expect(arp).toContainEqual({
        'arp.opcode': '1',
        'arp.src.hw_mac': engine.mac,
        'arp.src.proto_ipv4': dpdkIp,
        'arp.dst.proto_ipv4': peerIp,
      });
    } finally {
      cap.dispose();
    }
  });
});
