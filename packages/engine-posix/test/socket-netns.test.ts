import { execFileSync } from 'node:child_process';
import { type InetSocketAddress, OutputBuffer } from '@binio/core';
import { createNetns, fdSnapshot, type Netns, netnsUnavailableReason } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PosixUdpSocket, SocketOps } from '../src/socket/index.js';

const reason = netnsUnavailableReason();
if (reason !== undefined) console.warn(`Skipping the network-namespace suite: ${reason}`);

// A real peer of another make: Node's dgram in the namespace, echoing every
// datagram back with a prefix, on both address families.
const ECHO = `
import dgram from 'node:dgram';
const [v4, v6] = process.argv.slice(-2);
let ready = 0;
for (const [type, host] of [['udp4', v4], ['udp6', v6]]) {
  const s = dgram.createSocket(type);
  s.on('message', (m, r) => s.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address));
  s.bind(0, host, () => {
    console.log(type + ' ' + s.address().port);
    if (++ready === 2) console.log('ready');
  });
}
`;

describe.skipIf(reason !== undefined)('UDP with a peer in another network namespace', () => {
  let ns: Netns;
  let stopPeer: () => Promise<void>;
  const ports: Record<string, number> = {};
  const fds = fdSnapshot();

  beforeAll(async () => {
    ns = createNetns();
    const peer = ns.spawnNode({ code: ECHO }, [ns.peerIPv4, ns.peerIPv6!]);
    stopPeer = () =>
      new Promise((resolve) => {
        // 'close' comes once the child's stdio pipes are closed too.
        peer.on('close', () => resolve());
        peer.kill('SIGKILL');
      });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      peer.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        for (const m of out.matchAll(/(udp[46]) (\d+)/g)) ports[m[1]!] = Number(m[2]);
        if (out.includes('ready')) resolve();
      });
      peer.on('exit', (code) => reject(new Error(`echo peer exited (${code}): ${out}`)));
    });
  });

  afterAll(async () => {
    await stopPeer?.();
    ns?.destroy();
    if (ns)
      expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(ns.name);
    expect(fds.leaked()).toEqual([]);
  });

  it('the fixture puts one veth end in the namespace with its address', () => {
    expect(ns.exec(['ip', '-o', 'addr', 'show', 'dev', ns.peerInterface])).toContain(ns.peerIPv4);
    expect(
      execFileSync('ip', ['-o', 'addr', 'show', 'dev', ns.hostInterface], { encoding: 'utf8' }),
    ).toContain(ns.hostIPv4);
  });

  describe.each(['sync', 'async'] as const)('%s mode', (mode) => {
    const ops = new SocketOps({ mode });

    it.each(['ipv4', 'ipv6'] as const)(
      'exchanges datagrams over %s across the veth',
      async (family) => {
        const host = family === 'ipv4' ? ns.hostIPv4! : `[${ns.hostIPv6}]`;
        const peer =
          family === 'ipv4' ? `${ns.peerIPv4}:${ports.udp4}` : `[${ns.peerIPv6}]:${ports.udp6}`;
        const s = (await ops.createUdpSocket({ family })) as PosixUdpSocket<typeof mode>;
        try {
          const local = (await ops.bindUdp(s, `${host}:0`)) as InetSocketAddress;
          s.setOption('receiveTimeoutMs', 5000);
          await ops.send(s, new TextEncoder().encode('across'), peer);
          const out = OutputBuffer.alloc(64);
          const got = await ops.recv(s, out);
          expect(new TextDecoder().decode(out.filled)).toBe('echo:across');
          expect(got.from.toString()).toBe(peer);
          expect(local.ip.toString()).toBe(family === 'ipv4' ? ns.hostIPv4 : ns.hostIPv6);
        } finally {
          await s.close();
        }
      },
    );

    it('moves a batch to the peer and its echoes back intact', async () => {
      const s = (await ops.createUdpSocket()) as PosixUdpSocket<typeof mode>;
      try {
        await ops.bindUdp(s, `${ns.hostIPv4}:0`);
        s.setOption('receiveBufferSize', 1 << 20);
        s.setOption('receiveTimeoutMs', 5000);
        const to = `${ns.peerIPv4}:${ports.udp4}`;
        const batch = Array.from({ length: 40 }, (_, i) => ({
          data: new TextEncoder().encode(`d${i}`),
          to,
        }));
        let sent = 0;
        while (sent < batch.length) sent += await ops.sendMany(s, batch.slice(sent));
        const seen = new Set<string>();
        const bufs = Array.from({ length: 40 }, () => OutputBuffer.alloc(32));
        while (seen.size < 40) {
          for (const b of bufs) b.reset();
          const r = await ops.recvMany(s, bufs);
          for (let i = 0; i < r.count; i++) {
            expect(r.from[i]!.toString()).toBe(to);
            seen.add(new TextDecoder().decode(bufs[i]!.filled));
          }
        }
        expect([...seen].sort()).toEqual(batch.map((_, i) => `echo:d${i}`).sort());
      } finally {
        await s.close();
      }
    });
  });
});
