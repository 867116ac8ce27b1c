import { type InetSocketAddress, OutputBuffer } from '@binio/core';
import { type Netns, createNetns, fdSnapshot, netnsUnavailableReason } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EpollEngine, type EpollUdpSocket, createEpollEngine } from '../src/index.js';
import { epollTargets, rejection, sleep, startPeer } from './helpers.js';

function payload(i: number, n = 64): Uint8Array {
  const b = new Uint8Array(n);
  new DataView(b.buffer).setUint32(0, i);
  b.fill(i & 0xff, 4);
  return b;
}

describe('UDP on the epoll engine', () => {
  let engine: EpollEngine;
  let fds: ReturnType<typeof fdSnapshot>;
  const open: EpollUdpSocket[] = [];
  async function bound(at = '127.0.0.1:0'): Promise<EpollUdpSocket> {
    const family = at.startsWith('[') ? 'ipv6' : 'ipv4';
    const s = await engine.createUdpSocket({ family, receiveBufferSize: 1 << 20 });
    open.push(s);
    await engine.bindUdp(s, at);
    return s;
  }
  beforeAll(() => {
    fds = fdSnapshot();
    engine = createEpollEngine();
  });
  afterAll(async () => {
    for (const s of open) await s.close();
    await engine.close();
    expect(fds.leaked()).toEqual([]);
  });

  it('moves 2000 datagrams in batches (sendmmsg/recvmmsg), intact and in order', async () => {
    const a = await bound();
    const b = await bound();
    const total = 2000;
    const received: number[] = [];
    const receiving = (async () => {
      const bufs = Array.from({ length: 64 }, () => OutputBuffer.alloc(128));
      while (received.length < total) {
        for (const x of bufs) x.reset();
        const r = await engine.recvMany(b, bufs, { timeout: 5000 });
        for (let i = 0; i < r.count; i++) {
          const d = bufs[i]!.filled;
          expect(d.byteLength).toBe(64);
          expect(r.from[i]!.toString()).toBe(a.localAddress!.toString());
          expect(r.truncated[i]).toBe(false);
          received.push(new DataView(d.buffer, d.byteOffset).getUint32(0));
        }
      }
    })();
    for (let next = 0; next < total; ) {
      const chunk = Array.from({ length: Math.min(100, total - next) }, (_, k) => ({
        data: payload(next + k),
        to: b.localAddress!,
      }));
      next += await engine.sendMany(a, chunk);
      await sleep(0); // let the receiver keep up, as a real sender paced by its peer would
    }
    await receiving;
    expect(received).toEqual(Array.from({ length: total }, (_, i) => i));
  });

  it('flags each cut datagram of a batch, and consumes engine buffers sent in a batch', async () => {
    const a = await bound();
    const b = await bound();
    const bufs = engine.getBuffers(2);
    bufs[0]!.append(payload(1, 100));
    bufs[1]!.append(payload(2, 10));
    expect(
      await engine.sendMany(
        a,
        bufs.map((data) => ({ data, to: b.localAddress! })),
      ),
    ).toBe(2);
    // Sending an engine buffer hands it back to the engine.
    expect(bufs.map((x) => x.ownership)).toEqual(['pooled', 'pooled']);
    const small = [OutputBuffer.alloc(16), OutputBuffer.alloc(16)];
    const r = await engine.recvMany(b, small);
    expect(r.count).toBe(2);
    expect(r.truncated).toEqual([true, false]);
    expect(small.map((x) => x.initialized)).toEqual([16, 10]);
  });

  it('speaks IPv6, and maps IPv4 destinations on an IPv6 socket', async () => {
    const a = await bound('[::1]:0');
    const b = await bound('[::1]:0');
    await engine.send(a, payload(6), b.localAddress!);
    const got = await engine.recv(b, OutputBuffer.alloc(128));
    expect(got.from.toString()).toBe(a.localAddress!.toString());
    const v6any = await engine.createUdpSocket({ family: 'ipv6' });
    open.push(v6any);
    await engine.bindUdp(v6any, '[::]:0');
    const v4 = await bound();
    await engine.send(
      v4,
      payload(4),
      `127.0.0.1:${(v6any.localAddress as InetSocketAddress).port}`,
    );
    const mapped = await engine.recv(v6any, OutputBuffer.alloc(128));
    expect(mapped.from.toString()).toBe(
      `[::ffff:127.0.0.1]:${(v4.localAddress as InetSocketAddress).port}`,
    );
    // And back, to the IPv4 socket, from the IPv6 one.
    await engine.send(v6any, payload(5), v4.localAddress!);
    expect((await engine.recv(v4, OutputBuffer.alloc(128))).bytes).toBe(64);
  });

  it('connects a UDP socket to one peer: sends without a destination, receives from it', async () => {
    const a = await bound();
    const b = await bound();
    await engine.connectUdp(a, b.localAddress!);
    expect(a.remoteAddress?.toString()).toBe(b.localAddress!.toString());
    expect(await engine.send(a, payload(9), undefined)).toBe(64);
    const got = await engine.recv(b, OutputBuffer.alloc(128));
    expect(got.from.toString()).toBe(a.localAddress!.toString());
    expect((await rejection(engine.send(b, payload(0), undefined))).code).toBe(
      'ERR_INVALID_ARG_VALUE',
    );
    expect((await rejection(engine.connectUdp(a, '[::1]:9'))).code).toBe('ERR_INVALID_ARG_VALUE');
  });

  it('cancels a parked receive without leaving its registration, and refuses bad input before any call', async () => {
    const a = await bound();
    const out = OutputBuffer.alloc(64);
    const ac = new AbortController();
    const waiting = engine.recv(a, out, { signal: ac.signal });
    await sleep(5);
    expect(epollTargets(engine.epollFd)).toContain(a.fd);
    ac.abort();
    expect((await rejection(waiting)).code).toBe('ERR_ABORTED');
    expect(out.ownership).toBe('caller');
    expect(epollTargets(engine.epollFd)).not.toContain(a.fd);
    expect((await rejection(engine.recvMany(a, [out], { timeout: 20 }))).code).toBe('ERR_TIMEOUT');
    expect((await rejection(engine.send(a, payload(0), '[::1]:9'))).code).toBe(
      'ERR_INVALID_ADDRESS',
    );
    expect((await rejection(engine.send(a, new Uint8Array(70_000), '127.0.0.1:9'))).code).toBe(
      'ERR_OUT_OF_RANGE',
    );
    expect(
      (
        await rejection(
          engine.sendMany(a, [{ data: payload(0), to: '127.0.0.1:9' }, null as never]),
        )
      ).code,
    ).toBe('ERR_INVALID_ARG_TYPE');
    expect((await rejection(engine.recvMany(a, []))).code).toBe('ERR_OUT_OF_RANGE');
    expect((await rejection(engine.send({} as never, payload(0), '127.0.0.1:9'))).code).toBe(
      'ERR_INVALID_ARG_TYPE',
    );
    expect(engine.stats().parked).toBe(0);
  });
});

const reason = netnsUnavailableReason();
// A Node dgram echo in the namespace: every datagram goes back to its sender.
const DGRAM_ECHO = `
import dgram from 'node:dgram';
const s = dgram.createSocket(process.argv[1].includes(':') ? 'udp6' : 'udp4');
s.on('message', (m, r) => s.send(m, r.port, r.address));
s.bind(Number(process.argv[2]), process.argv[1], () => console.log('ready'));
`;

describe.skipIf(reason !== undefined)(
  `UDP with a peer in another network namespace${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let ns: Netns;
    let engine: EpollEngine;
    let fds: ReturnType<typeof fdSnapshot>;
    beforeAll(() => {
      fds = fdSnapshot();
      ns = createNetns();
      engine = createEpollEngine();
    });
    afterAll(async () => {
      await engine?.close();
      ns?.destroy();
      expect(fds.leaked()).toEqual([]);
    });

    it('echoes batches through a Node dgram peer across the veth', async () => {
      const echo = await startPeer(ns, DGRAM_ECHO, [ns.peerIPv4, '7008']);
      try {
        const s = await engine.createUdpSocket({ receiveBufferSize: 1 << 20 });
        await engine.bindUdp(s, `${ns.hostIPv4!}:0`);
        const to = `${ns.peerIPv4}:7008`;
        const got = new Set<number>();
        const bufs = Array.from({ length: 32 }, () => OutputBuffer.alloc(256));
        for (let round = 0; round < 10; round++) {
          const sent = await engine.sendMany(
            s,
            Array.from({ length: 32 }, (_, i) => ({ data: payload(round * 32 + i), to })),
          );
          expect(sent).toBe(32);
          let back = 0;
          while (back < 32) {
            for (const b of bufs) b.reset();
            const r = await engine.recvMany(s, bufs, { timeout: 5000 });
            for (let i = 0; i < r.count; i++) {
              expect(r.from[i]!.toString()).toBe(to);
              const d = bufs[i]!.filled;
              got.add(new DataView(d.buffer, d.byteOffset).getUint32(0));
            }
            back += r.count;
          }
        }
        expect(got.size).toBe(320);
        await s.close();
      } finally {
        await echo.stop();
      }
    });
  },
);
