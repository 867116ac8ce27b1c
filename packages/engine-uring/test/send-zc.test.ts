import { type Mode, OutputBuffer } from '@binio/core';
import { createNetns, fdSnapshot, type Netns, netnsUnavailableReason } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abi, createUringEngine, type UringTcpStream } from '../src/index.js';
import {
  expectHeldUntilNotified,
  inNetns,
  localNode as local,
  type NodeStarter,
  pattern,
  peerProcess,
  refuser,
  sha,
} from './helpers.js';

// A Node server that reads one connection to its end and prints its length and hash.
const SINK = `
import net from 'node:net';
import { createHash } from 'node:crypto';
const srv = net.createServer((s) => {
  const h = createHash('sha256'); let n = 0;
  s.on('data', (d) => { h.update(d); n += d.length; });
  s.on('end', () => { console.log(JSON.stringify({ n, sha: h.digest('hex') })); s.end(); srv.close(); });
});
srv.listen(Number(process.argv[2]), process.argv[1], () => console.log(JSON.stringify({ port: srv.address().port })));
`;

/**
 * {@link SINK} in its own process (a sync engine blocks this thread, and the
 * kernel keeps zero-copy pages until the peer has read them): its port, and
 * what it received once the connection ends.
 */
const sink = (start: NodeStarter, host: string, port = 0) =>
  peerProcess<{ n: number; sha: string }>(start, SINK, [host, String(port)]);

describe.each(['sync', 'async'] as const)('SEND_ZC on TCP (%s)', (mode) => {
  it('1 MiB in zero-copy sends from recycled registered buffers arrives intact', async () => {
    const fds = fdSnapshot();
    const peer = await sink(local, '127.0.0.1');
    const e = createUringEngine({ mode, buffers: { count: 4, size: 65536 } });
    const s = (await e.connectTcp(`127.0.0.1:${peer.port}`)) as UringTcpStream<Mode>;
    const data = pattern(1 << 20, 5);
    let at = 0;
    while (at < data.byteLength) {
      const b = e.getBuffer();
      b.append(data.subarray(at, at + b.capacity));
      let sent = 0;
      while (sent < b.initialized)
        sent += await s.sendZeroCopy(b, { maxBytes: b.initialized - sent });
      at += sent;
      await s.zeroCopyIdle(); // the kernel let go of it: it may be recycled
      e.recycleBuffer(b);
    }
    await s.shutdown('write');
    expect(await peer.result).toEqual({ n: data.byteLength, sha: sha(data) });
    await s.close();
    await e.close();
    expect(fds.leaked()).toEqual([]);
  });

  it('bad input and a kernel without SEND_ZC are refused before submission', async () => {
    const fds = fdSnapshot();
    const peer = await sink(local, '127.0.0.1');
    const e = createUringEngine({ mode });
    const s = (await e.connectTcp(`127.0.0.1:${peer.port}`)) as UringTcpStream<Mode>;
    const b = OutputBuffer.alloc(16);
    b.append(pattern(16));
    const refused = refuser(e, [b]);
    // A plain Uint8Array cannot be tracked in flight while the kernel reads it.
    await refused(() => s.sendZeroCopy(pattern(16)), 'ERR_INVALID_ARG_TYPE');
    await refused(() => s.sendZeroCopy(b, { offset: 0 } as never), 'ERR_INVALID_ARG_VALUE');
    await refused(() => s.sendZeroCopy(b, { maxBytes: -1 }), 'ERR_OUT_OF_RANGE');
    // What a kernel without the opcode looks like to the engine: its probe entry is 0.
    e._core.supported[abi.Op.SEND_ZC] = 0;
    await refused(() => s.sendZeroCopy(b), 'ERR_UNSUPPORTED');
    e._core.supported[abi.Op.SEND_ZC] = 1;
    await s.close();
    await refused(() => s.sendZeroCopy(b), 'EBADF');
    await e.close();
    await peer.stop();
    expect(fds.leaked()).toEqual([]);
  });
});

const reason = netnsUnavailableReason();

describe.skipIf(reason !== undefined)(
  `SEND_ZC across a veth: the buffer is held until the notification${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let ns: Netns;
    beforeAll(() => {
      ns = createNetns({ ipv6: false });
    });
    afterAll(() => ns?.destroy());

    for (const mode of ['sync', 'async'] as const) {
      it(`${mode}: sent (first CQE, F_MORE) while the link is down, released (NOTIF) only once the peer acknowledged`, async () => {
        const fds = fdSnapshot();
        const peer = await sink(inNetns(ns), ns.peerIPv4);
        const e = createUringEngine({ mode, buffers: { count: 1, size: 65536 } });
        try {
          const s = (await e.connectTcp(`${ns.peerIPv4}:${peer.port}`)) as UringTcpStream<Mode>;
          const data = pattern(65536, 11);
          const b = e.getBuffer();
          b.append(data);
          // No packet gets through while the link is down: the data cannot be
          // acknowledged, so the kernel keeps the pages for retransmission.
          await expectHeldUntilNotified(
            ns,
            e,
            b,
            65536,
            () => s.sendZeroCopy(b),
            () => s.zeroCopyIdle(), // retransmitted, acknowledged: the notification came
          );
          e.recycleBuffer(b);
          await s.shutdown('write');
          expect(await peer.result).toEqual({ n: 65536, sha: sha(data) });
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
