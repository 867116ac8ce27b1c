import { InputBuffer, OutputBuffer, type Received } from '@binio/core';
import { createNetns, fdSnapshot, type Netns, netnsUnavailableReason } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUringEngine, type UringEngine } from '../src/index.js';
import { Op } from '../src/uring/abi.js';
import { errOf, pattern } from './helpers.js';

describe.each(['sync', 'async'] as const)('UDP over the ring (%s)', (mode) => {
  it('IPv4 and IPv6: SENDMSG/RECVMSG carry the address both ways', async () => {
    const e = createUringEngine({ mode });
    for (const [family, at] of [
      ['ipv4', '127.0.0.1:0'],
      ['ipv6', '[::1]:0'],
    ] as const) {
      const a = await e.createUdpSocket({ family });
      const b = await e.createUdpSocket({ family });
      const aAt = await e.bindUdp(a, at);
      const bAt = await e.bindUdp(b, at);
      expect(await e.send(a, pattern(200, 3), bAt)).toBe(200);
      const out = OutputBuffer.alloc(1000);
      const got = await e.recv(b, out);
      expect(got).toEqual({ bytes: 200, from: aAt, truncated: false });
      expect(out.filled).toEqual(pattern(200, 3));
      // And back.
      await e.send(b, pattern(7), aAt);
      const back = await e.recv(a, OutputBuffer.alloc(64));
      expect(back.from.toString()).toBe(bAt.toString());
      await e.closeUdp(a);
      await e.closeUdp(b);
    }
    await e.close();
  });

  it('an IPv4 destination on an IPv6 socket goes IPv4-mapped', async () => {
    const e = createUringEngine({ mode });
    const v4 = await e.createUdpSocket();
    const v4At = await e.bindUdp(v4, '127.0.0.1:0');
    const v6 = await e.createUdpSocket({ family: 'ipv6' });
    await e.bindUdp(v6, '[::]:0');
    await e.send(v6, pattern(10), v4At);
    const got = await e.recv(v4, OutputBuffer.alloc(64));
    expect(got.bytes).toBe(10);
    await e.close();
  });

  it('reports a cut datagram (MSG_TRUNC), singly and in batches', async () => {
    const e = createUringEngine({ mode });
    const a = await e.createUdpSocket();
    const b = await e.createUdpSocket();
    await e.bindUdp(a, '127.0.0.1:0');
    const bAt = await e.bindUdp(b, '127.0.0.1:0');
    await e.send(a, pattern(300), bAt);
    const out = OutputBuffer.alloc(100);
    expect(await e.recv(b, out)).toMatchObject({ bytes: 100, truncated: true });
    expect(out.filled).toEqual(pattern(100));
    await e.sendMany(a, [
      { data: pattern(50), to: bAt },
      { data: pattern(150), to: bAt },
    ]);
    const bufs = [OutputBuffer.alloc(100), OutputBuffer.alloc(100)];
    let r = await e.recvMany(b, bufs);
    const truncated = [...r.truncated];
    if (r.count === 1) {
      r = await e.recvMany(b, [bufs[1]!]);
      truncated.push(...r.truncated);
    }
    expect(truncated).toEqual([false, true]);
    expect(bufs.map((x) => x.initialized)).toEqual([50, 100]);
    await e.close();
  });

  it('recvMany takes what is queued, in order, without waiting for more', async () => {
    const e = createUringEngine({ mode });
    const a = await e.createUdpSocket();
    const b = await e.createUdpSocket();
    await e.bindUdp(a, '127.0.0.1:0');
    const bAt = await e.bindUdp(b, '127.0.0.1:0');
    // Loopback queues a datagram at the receiver before the send completes.
    for (let i = 0; i < 3; i++) await e.send(a, pattern(10 + i, i), bAt);
    const bufs = Array.from({ length: 8 }, () => OutputBuffer.alloc(64));
    const r = await e.recvMany(b, bufs);
    expect(r.count).toBe(3);
    for (let i = 0; i < 3; i++) expect(bufs[i]!.filled).toEqual(pattern(10 + i, i));
    for (let i = 3; i < 8; i++) {
      expect(bufs[i]!.initialized).toBe(0);
      expect(bufs[i]!.ownership).toBe('caller');
    }
    // Nothing left in flight: the chain's EAGAIN ended it.
    expect(e._core.slots.inUse).toBe(0);
    await e.close();
  });

  it('sendMany consumes engine buffers, sent or not', async () => {
    const e = createUringEngine({ mode, buffers: { count: 8, size: 2048 } });
    const a = await e.createUdpSocket();
    const b = await e.createUdpSocket();
    await e.bindUdp(a, '127.0.0.1:0');
    const bAt = await e.bindUdp(b, '127.0.0.1:0');
    const free = e.pool.available;
    const bufs = e.getBuffers(4);
    for (const [i, x] of bufs.entries()) x.append(pattern(32, i));
    expect(
      await e.sendMany(
        a,
        bufs.map((data) => ({ data, to: bAt })),
      ),
    ).toBe(4);
    expect(e.pool.available).toBe(free);
    expect(bufs.every((x) => x.ownership === 'pooled')).toBe(true);
    const outs = Array.from({ length: 4 }, () => OutputBuffer.alloc(64));
    let got = 0;
    while (got < 4) got += (await e.recvMany(b, outs.slice(got))).count;
    for (const [i, o] of outs.entries()) expect(o.filled).toEqual(pattern(32, i));
    await e.close();
  });

  it('a closed socket is EBADF before anything reaches the kernel; nothing leaks', async () => {
    const fds = fdSnapshot();
    const e = createUringEngine({ mode });
    const a = await e.createUdpSocket();
    await e.bindUdp(a, '127.0.0.1:0');
    await e.closeUdp(a);
    await e.closeUdp(a); // twice is a no-op
    const input = new InputBuffer(pattern(4));
    const out = OutputBuffer.alloc(16);
    for (const f of [
      () => e.send(a, input, '127.0.0.1:9'),
      () => e.recv(a, out),
      () => e.sendMany(a, [{ data: input, to: '127.0.0.1:9' }]),
      () => e.recvMany(a, [out]),
      () => e.bindUdp(a, '127.0.0.1:0'),
    ]) {
      expect(await errOf(f)).toMatchObject({ code: 'EBADF' });
    }
    expect(input.ownership).toBe('caller');
    expect(out.ownership).toBe('caller');
    expect(e._core.slots.inUse).toBe(0);
    expect(e.ring.unsubmitted).toBe(0);
    // Bad input is refused before submission too, and leaves the buffers the caller's.
    const c = await e.createUdpSocket();
    expect(await errOf(() => e.send(c, input, '[::1]:9'))).toMatchObject({
      code: 'ERR_INVALID_ADDRESS',
    });
    expect(await errOf(() => e.send(c, new Uint8Array(70000), '127.0.0.1:9'))).toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
    });
    expect(
      await errOf(() => e.send(c, input, '127.0.0.1:9', { colour: 1 } as never)),
    ).toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
    expect(input.ownership).toBe('caller');
    expect(e._core.slots.inUse).toBe(0);
    // Another engine's socket is refused, and stays open.
    const other = createUringEngine({ mode });
    const foreign = await other.createUdpSocket();
    for (const f of [
      () => e.closeUdp(foreign),
      () => e.send(foreign, input, '127.0.0.1:9'),
      () => e.bindUdp(foreign, '127.0.0.1:0'),
    ]) {
      expect(await errOf(f)).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    }
    expect(foreign.closed).toBe(false);
    await other.close();
    // Sockets left open close with the engine.
    await e.close();
    expect(c.closed).toBe(true);
    expect(fds.leaked()).toEqual([]);
  });

  it('restricted to UDP, the ring allows SENDMSG and RECVMSG and nothing else', async () => {
    const e = createUringEngine({
      mode,
      capabilities: ['udp.socket', 'udp.bind', 'udp.send', 'udp.recv', 'udp.close', 'udp.batch'],
    });
    expect(e._core.allowed[Op.SENDMSG]).toBe(1);
    expect(e._core.allowed[Op.RECVMSG]).toBe(1);
    expect(e._core.allowed[Op.READ]).toBe(0);
    const a = await e.createUdpSocket();
    const b = await e.createUdpSocket();
    await e.bindUdp(a, '127.0.0.1:0');
    const bAt = await e.bindUdp(b, '127.0.0.1:0');
    await e.sendMany(a, [{ data: pattern(5), to: bAt }]);
    expect((await e.recv(b, OutputBuffer.alloc(8))).bytes).toBe(5);
    await e.close();
    const sendOnly = createUringEngine({
      mode,
      capabilities: ['udp.socket', 'udp.bind', 'udp.send'],
    });
    const s = await sendOnly.createUdpSocket();
    expect(await errOf(() => sendOnly.recv(s, OutputBuffer.alloc(8)))).toMatchObject({
      code: 'ERR_UNSUPPORTED',
    });
    await sendOnly.close();
  });
});

describe('UDP over the ring (async only)', () => {
  let e: UringEngine<'async'>;
  beforeAll(() => {
    e = createUringEngine({ mode: 'async' });
  });
  afterAll(async () => {
    await e.close();
  });

  it('an AbortSignal cancels a waiting recv and recvMany; the socket still works', async () => {
    const a = await e.createUdpSocket();
    const b = await e.createUdpSocket();
    await e.bindUdp(a, '127.0.0.1:0');
    const bAt = await e.bindUdp(b, '127.0.0.1:0');
    const out = OutputBuffer.alloc(64);
    const ac = new AbortController();
    const waiting = e.recv(b, out, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 20));
    expect(out.ownership).toBe('in-flight');
    ac.abort();
    expect(await errOf(() => waiting)).toMatchObject({ code: 'ERR_ABORTED' });
    expect(out.ownership).toBe('caller');
    const ac2 = new AbortController();
    const bufs = [OutputBuffer.alloc(64), OutputBuffer.alloc(64)];
    const many = e.recvMany(b, bufs, { signal: ac2.signal });
    await new Promise((r) => setTimeout(r, 20));
    ac2.abort();
    expect(await errOf(() => many)).toMatchObject({ code: 'ERR_ABORTED' });
    expect(bufs.every((x) => x.ownership === 'caller')).toBe(true);
    expect(e._core.slots.inUse).toBe(0);
    await e.send(a, pattern(9), bAt);
    expect((await e.recv(b, out)).bytes).toBe(9);
    await a.close();
    await b.close();
  });

  it('closing a socket fails its waiting receive with EBADF', async () => {
    const b = await e.createUdpSocket();
    await e.bindUdp(b, '127.0.0.1:0');
    const out = OutputBuffer.alloc(64);
    const waiting = e.recv(b, out);
    const many = e.recvMany(b, [OutputBuffer.alloc(64)]);
    await new Promise((r) => setTimeout(r, 20));
    await b.close();
    expect(await errOf(() => waiting)).toMatchObject({ code: 'EBADF' });
    expect(await errOf(() => many)).toMatchObject({ code: 'EBADF' });
    expect(out.ownership).toBe('caller');
    expect(e._core.slots.inUse).toBe(0);
  });

  it('a waiting recvMany returns the first datagram that arrives', async () => {
    const a = await e.createUdpSocket();
    const b = await e.createUdpSocket();
    await e.bindUdp(a, '127.0.0.1:0');
    const bAt = await e.bindUdp(b, '127.0.0.1:0');
    const bufs = Array.from({ length: 4 }, () => OutputBuffer.alloc(64));
    const many = e.recvMany(b, bufs);
    await new Promise((r) => setTimeout(r, 20));
    await e.send(a, pattern(11), bAt);
    const r = await many;
    expect(r.count).toBe(1);
    expect(bufs[0]!.filled).toEqual(pattern(11));
    await a.close();
    await b.close();
  });
});

const netnsMissing = netnsUnavailableReason();
describe.runIf(!netnsMissing)(
  `UDP with a peer in another network namespace${netnsMissing ? ` (skipped: ${netnsMissing})` : ''}`,
  () => {
    let ns: Netns;
    beforeAll(() => {
      ns = createNetns();
    });
    afterAll(() => ns?.destroy());

    // A Node dgram echo server inside the namespace: replies to each datagram with its bytes reversed.
    const echo = (family: 'udp4' | 'udp6', host: string) => `
      import dgram from 'node:dgram';
      const s = dgram.createSocket('${family}');
      let left = 4;
      s.on('message', (m, from) => {
        s.send(Buffer.from(m).reverse(), from.port, from.address, () => { if (--left === 0) s.close(); });
      });
      s.bind(0, '${host}', () => console.log(s.address().port));
    `;

    async function exchange(mode: 'sync' | 'async', family: 'ipv4' | 'ipv6'): Promise<void> {
      const peer = family === 'ipv4' ? ns.peerIPv4 : ns.peerIPv6!;
      const local = family === 'ipv4' ? ns.hostIPv4! : ns.hostIPv6!;
      const child = ns.spawnNode({ code: echo(family === 'ipv4' ? 'udp4' : 'udp6', peer) });
      try {
        const port = await new Promise<number>((resolve, reject) => {
          child.stdout!.once('data', (d) => resolve(Number(String(d).trim())));
          child.once('exit', (c) => reject(new Error(`echo exited ${c}`)));
        });
        const e = createUringEngine({ mode });
        const s = await e.createUdpSocket({ family });
        const at = await e.bindUdp(s, family === 'ipv4' ? `${local}:0` : `[${local}]:0`);
        const to = family === 'ipv4' ? `${peer}:${port}` : `[${peer}]:${port}`;
        const got: Received[] = [];
        const outs: OutputBuffer[] = [];
        // Two single sends, then a batch of two; each comes back reversed.
        for (let i = 0; i < 2; i++) {
          await e.send(s, pattern(100, i), to);
          const out = OutputBuffer.alloc(2048);
          got.push(await e.recv(s, out));
          outs.push(out);
        }
        await e.sendMany(s, [
          { data: pattern(100, 2), to },
          { data: pattern(100, 3), to },
        ]);
        while (outs.length < 4) {
          const bufs = [OutputBuffer.alloc(2048), OutputBuffer.alloc(2048)].slice(outs.length - 2);
          const r = await e.recvMany(s, bufs);
          for (let i = 0; i < r.count; i++) {
            outs.push(bufs[i]!);
            got.push({ bytes: bufs[i]!.initialized, from: r.from[i]!, truncated: r.truncated[i]! });
          }
        }
        for (const [i, out] of outs.entries()) {
          expect(got[i]!.from.toString()).toBe(to);
          expect(out.filled).toEqual(pattern(100, i).reverse());
        }
        expect(at.toString()).toContain(local);
        await e.close();
      } finally {
        child.kill();
      }
    }

    for (const mode of ['sync', 'async'] as const) {
      it(`${mode}: IPv4 datagrams both ways`, () => exchange(mode, 'ipv4'));
      it(`${mode}: IPv6 datagrams both ways`, () => exchange(mode, 'ipv6'));
    }
  },
);
