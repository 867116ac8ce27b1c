import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { BufferList, type Mode, OutputBuffer } from '@binio/core';
import { createNetns, fdSnapshot, type Netns, netnsUnavailableReason } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abi, createUringEngine, type UringUdpSocket } from '../src/index.js';
import { expectHeldUntilNotified, inNetns, pattern, peerProcess, refuser, sha } from './helpers.js';

// A Node dgram socket that hashes the first `count` datagrams it gets, in order, and prints the result.
const DGRAM_SINK = `
import dgram from 'node:dgram';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
const [host, count] = [process.argv[1], Number(process.argv[2])];
const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
const h = createHash('sha256'); let n = 0; const sizes = [];
s.on('message', (m) => {
  h.update(m); n += m.length; sizes.push(m.length);
  if (sizes.length === count) { console.log(JSON.stringify({ n, sizes, sha: h.digest('hex') })); s.close(); }
});
s.bind(0, host, () => console.log(JSON.stringify({ port: s.address().port })));
`;

type SinkResult = { n: number; sizes: number[]; sha: string };

describe.each(['sync', 'async'] as const)('SENDMSG_ZC (%s)', (mode) => {
  for (const family of ['ipv4', 'ipv6'] as const) {
    it(`${family}: datagrams from engine buffers and a BufferList arrive intact at a Node dgram socket`, async () => {
      const fds = fdSnapshot();
      const host = family === 'ipv4' ? '127.0.0.1' : '::1';
      const node = createSocket(family === 'ipv4' ? 'udp4' : 'udp6');
      const got: Buffer[] = [];
      const arrived = new Promise<void>((resolve) =>
        node.on('message', (m) => {
          got.push(m);
          if (got.length === 9) resolve();
        }),
      );
      await new Promise<void>((r) => node.bind(0, host, r));
      const to =
        family === 'ipv4' ? `${host}:${node.address().port}` : `[${host}]:${node.address().port}`;
      const e = createUringEngine({ mode, buffers: { count: 2, size: 4096 } });
      const s = (await e.createUdpSocket({ family })) as UringUdpSocket<Mode>;
      const sent: Uint8Array[] = [];
      // Eight datagrams from two registered buffers, each reused once the kernel let go of it.
      for (let i = 0; i < 8; i++) {
        const b = e.getBuffer();
        b.append(pattern(1000 + i * 300, i));
        sent.push(b.filled.slice());
        expect(await e.sendMsgZeroCopy(s, { data: b, to })).toBe(1000 + i * 300);
        await e.zeroCopyIdle(s);
        expect(b.ownership).toBe('caller'); // settled, not consumed
        e.recycleBuffer(b);
      }
      // And one gathered from three segments.
      const list = new BufferList([pattern(10, 1), pattern(20, 2), pattern(30, 3)]);
      expect(await e.sendMsgZeroCopy(s, { data: list, to })).toBe(60);
      await e.zeroCopyIdle(s);
      sent.push(Buffer.concat([pattern(10, 1), pattern(20, 2), pattern(30, 3)]));
      await arrived;
      expect(got.map((g) => sha(g))).toEqual(sent.map((x) => sha(x)));
      expect(e._core.slots.inUse).toBe(0);
      expect(e.pool.available).toBe(2);
      node.close();
      await e.close();
      expect(fds.leaked()).toEqual([]);
    });
  }

  it('bad input is refused before submission and leaves the buffer the caller’s', async () => {
    const fds = fdSnapshot();
    const e = createUringEngine({ mode });
    const s = (await e.createUdpSocket()) as UringUdpSocket<Mode>;
    const b = OutputBuffer.alloc(16);
    b.append(pattern(16));
    const refused = refuser(e, [b]);
    const to = '127.0.0.1:9';
    // A plain Uint8Array cannot be tracked in flight while the kernel reads it.
    await refused(() => e.sendMsgZeroCopy(s, { data: pattern(16), to }), 'ERR_INVALID_ARG_TYPE');
    await refused(
      () => e.sendMsgZeroCopy(s, { data: b, to, colour: 1 } as never),
      'ERR_INVALID_ARG_VALUE',
    );
    await refused(() => e.sendMsgZeroCopy(s, { data: b, to: '[::1]:9' }), 'ERR_INVALID_ADDRESS');
    const big = OutputBuffer.alloc(70000);
    big.append(new Uint8Array(70000));
    await refused(() => e.sendMsgZeroCopy(s, { data: big, to }), 'ERR_OUT_OF_RANGE');
    expect(big.ownership).toBe('caller');
    const unix = await e.createUnixDatagram();
    await refused(
      () => e.sendMsgZeroCopy(unix, { data: b, to: '@binio-nowhere' }),
      'ERR_UNSUPPORTED',
    );
    // What a kernel without the opcode looks like to the engine: its probe entry is 0.
    e._core.supported[abi.Op.SENDMSG_ZC] = 0;
    await refused(() => e.sendMsgZeroCopy(s, { data: b, to }), 'ERR_UNSUPPORTED');
    e._core.supported[abi.Op.SENDMSG_ZC] = 1;
    await s.close();
    await refused(() => e.sendMsgZeroCopy(s, { data: b, to }), 'EBADF');
    const other = createUringEngine({ mode });
    const foreign = await other.createUdpSocket();
    await refused(() => e.sendMsgZeroCopy(foreign, { data: b, to }), 'ERR_INVALID_ARG_VALUE');
    await other.close();
    await e.close();
    expect(fds.leaked()).toEqual([]);
  });
});

const reason = netnsUnavailableReason();

describe.skipIf(reason !== undefined)(
  `SENDMSG_ZC across a veth: the buffer is held until the notification${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let ns: Netns;
    beforeAll(() => {
      ns = createNetns({ ipv6: false });
      // With the link down the host cannot resolve the peer's address, so a
      // datagram waits in the neighbour queue holding its pages. Probing for
      // long (not 3 s) keeps it there however slow this machine is; the
      // probe after the link is back up resolves it and sends it.
      execFileSync('ip', [
        'ntable',
        'change',
        'name',
        'arp_cache',
        'dev',
        ns.hostInterface,
        'mcast_probes',
        '1000',
      ]);
    });
    afterAll(() => ns?.destroy());

    for (const mode of ['sync', 'async'] as const) {
      it(`${mode}: sent (first CQE) while the link is down, released (NOTIF) once the datagram left`, async () => {
        const fds = fdSnapshot();
        const peer = await peerProcess<SinkResult>(inNetns(ns), DGRAM_SINK, [ns.peerIPv4, '1']);
        const e = createUringEngine({ mode, buffers: { count: 1, size: 4096 } });
        try {
          const s = (await e.createUdpSocket()) as UringUdpSocket<Mode>;
          const data = pattern(1400, 11);
          const b = e.getBuffer();
          b.append(data);
          await expectHeldUntilNotified(
            ns,
            e,
            b,
            1400,
            () => e.sendMsgZeroCopy(s, { data: b, to: `${ns.peerIPv4}:${peer.port}` }),
            () => e.zeroCopyIdle(s), // resolved, sent, copied at the receiver: the notification came
          );
          e.recycleBuffer(b);
          const h = createHash('sha256').update(data).digest('hex');
          expect(await peer.result).toEqual({ n: 1400, sizes: [1400], sha: h });
          await s.close();
        } finally {
          await peer.stop();
          await e.close();
        }
        expect(fds.leaked()).toEqual([]);
      });
    }
  },
);
