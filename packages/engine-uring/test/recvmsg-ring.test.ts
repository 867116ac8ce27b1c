import { createSocket, type Socket } from 'node:dgram';
import type { Mode } from '@binio/core';
import { MSG } from '@binio/engine-posix/linux';
import { fdSnapshot } from '@binio/testkit';
import { describe, expect, it } from 'vitest';
import { createUringEngine, type DatagramChunk, type UringUdpSocket } from '../src/index.js';
import { pattern, refuser } from './helpers.js';

/** Round trips through the ring until a cancelled request's completion came back (bounded). */
async function quiesce(e: { nop(): unknown; _core: { slots: { inUse: number } } }) {
  for (let i = 0; i < 50 && e._core.slots.inUse > 0; i++) await e.nop();
}

/**
 * Sends `sizes` datagrams (pattern bytes, seed = index) from a Node dgram
 * socket — a real kernel UDP socket — and waits until each left: they wait
 * in the receiver's queue, so a sync engine can take them afterwards.
 */
async function sendFromNode(sock: Socket, sizes: readonly number[], port: number, host: string) {
  for (const [i, n] of sizes.entries()) {
    await new Promise<void>((resolve, reject) =>
      sock.send(pattern(n, i), port, host, (err) => (err ? reject(err) : resolve())),
    );
  }
}

/** Takes `n` chunks from `it` in either mode. */
async function take(it: Iterator<DatagramChunk> | AsyncIterator<DatagramChunk>, n: number) {
  const out: DatagramChunk[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

// 4 buffers of 256 bytes: after the 16-byte header and 32 bytes kept for the
// name, 208 bytes of payload fit; 500 bytes do not.
const SIZES = [0, 1, 100, 208, 500, 50, 60, 70];
const ROOM = 256 - 16 - 32;

describe.each(['sync', 'async'] as const)('multishot RECVMSG into a buffer ring (%s)', (mode) => {
  for (const family of ['ipv4', 'ipv6'] as const) {
    it(`${family}: payload views, the sender, a cut datagram flagged; the ring runs dry and re-arms`, async () => {
      const fds = fdSnapshot();
      const host = family === 'ipv4' ? '127.0.0.1' : '::1';
      const e = createUringEngine({ mode });
      const ring = e.createBufferRing({ count: 4, size: 256 });
      const s = (await e.createUdpSocket({ family })) as UringUdpSocket<Mode>;
      const at = await e.bindUdp(s, family === 'ipv4' ? `${host}:0` : `[${host}]:0`);
      const node = createSocket(family === 'ipv4' ? 'udp4' : 'udp6');
      await new Promise<void>((r) => node.bind(0, host, r));
      const nodeAt = node.address();
      const port = Number(at.toString().slice(at.toString().lastIndexOf(':') + 1));
      await sendFromNode(node, SIZES, port, host);
      const it = s.receiveChunks(ring);
      const got: DatagramChunk[] = [];
      let memory: ArrayBufferLike | undefined;
      // Holding all 4 buffers leaves the 4 datagrams after them nowhere to go
      // (ENOBUFS ends the receive); recycling lets the next next() re-arm it.
      while (got.length < SIZES.length) {
        const held = await take(it, 4);
        expect(held).toHaveLength(4);
        expect(ring.available).toBe(0);
        for (const c of held) {
          memory ??= c.bytes.buffer;
          expect(c.bytes.buffer).toBe(memory); // the ring's memory, not a copy
          got.push(c);
        }
        const copies = held.map((c) => ({
          bytes: c.bytes.slice(),
          from: c.from.toString(),
          length: c.length,
          truncated: c.truncated,
          trunc: (c.flags & MSG.MSG_TRUNC) !== 0,
        }));
        for (const [k, c] of copies.entries()) {
          const i = got.length - 4 + k;
          const n = SIZES[i]!;
          expect(c.from).toBe(
            family === 'ipv4' ? `${host}:${nodeAt.port}` : `[${host}]:${nodeAt.port}`,
          );
          expect(c.length).toBe(n);
          expect(c.truncated).toBe(n > ROOM);
          expect(c.trunc).toBe(n > ROOM);
          expect(c.bytes).toEqual(pattern(n, i).subarray(0, ROOM));
        }
        for (const c of held) ring.recycle(c);
      }
      expect(it.starvations).toBeGreaterThan(0);
      await it.return!();
      await quiesce(e);
      expect(e._core.slots.inUse).toBe(0);
      expect(ring.available).toBe(ring.count);
      node.close();
      await s.close();
      ring.close(); // refused if a receive were still armed on it
      await e.close();
      expect(fds.leaked()).toEqual([]);
    });
  }

  it('Unix datagram sockets too: the sender is its bound name', async () => {
    const e = createUringEngine({ mode });
    // A Unix name takes 112 bytes after the header: 128 of 256 are left for the payload.
    const ring = e.createBufferRing({ count: 2, size: 256 });
    const name = `@binio-recvmsg-ring-${process.pid}-${mode}`;
    const a = await e.createUnixDatagram({ bind: `${name}-a` });
    const b = await e.createUnixDatagram({ bind: `${name}-b` });
    await e.sendMsg(a, { data: pattern(128, 7), to: `${name}-b` });
    const it = b.receiveChunks(ring);
    const [c] = await take(it, 1);
    expect(c!.from.toString()).toBe(`${name}-a`);
    expect(c!.bytes).toEqual(pattern(128, 7));
    expect(c!.truncated).toBe(false);
    ring.recycle(c!);
    await it.return!();
    await quiesce(e);
    expect(e._core.slots.inUse).toBe(0);
    await e.close();
  });

  it('closing the socket ends the iteration; bad input is refused before anything reaches the ring', async () => {
    const fds = fdSnapshot();
    const e = createUringEngine({ mode });
    const ring = e.createBufferRing({ count: 2, size: 128 });
    const s = (await e.createUdpSocket()) as UringUdpSocket<Mode>;
    const at = await e.bindUdp(s, '127.0.0.1:0');
    const refused = refuser(e);
    const other = createUringEngine({ mode });
    const foreign = other.createBufferRing({ count: 2, size: 128 });
    await refused(() => s.receiveChunks(foreign), 'ERR_BUFFER_FOREIGN');
    // 48 bytes of header and name: a 48-byte buffer has no room for a payload.
    const tiny = e.createBufferRing({ count: 2, size: 48 });
    await refused(() => s.receiveChunks(tiny), 'ERR_INVALID_ARG_VALUE');
    await refused(() => s.receiveChunks(ring, { colour: 1 } as never), 'ERR_INVALID_ARG_VALUE');
    tiny.close();
    await other.close();
    // One datagram from another socket of this engine, then the socket closes mid-iteration.
    const a = await e.createUdpSocket();
    await e.send(a, pattern(10), at);
    const it = s.receiveChunks(ring);
    for (const [i, c] of (await take(it, 1)).entries()) {
      expect(c.bytes).toEqual(pattern(10));
      expect(i).toBe(0);
      ring.recycle(c);
    }
    await s.close();
    expect(await it.next()).toEqual({ value: undefined, done: true });
    await quiesce(e);
    expect(e._core.slots.inUse).toBe(0);
    await refused(() => s.receiveChunks(ring), 'EBADF');
    ring.close();
    await e.close();
    expect(fds.leaked()).toEqual([]);
  });
});
