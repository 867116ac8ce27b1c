import { connect } from 'node:net';
import { OutputBuffer, type TcpStream } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { describe, expect, it } from 'vitest';
import { createUringEngine } from '../src/index.js';
import { errOf } from './helpers.js';

describe('TCP over the ring (async)', () => {
  it('multishot accept: breaking out cancels it; nothing leaks', async () => {
    const fds = fdSnapshot();
    const e = createUringEngine({ mode: 'async' });
    const l = await e.listenTcp('127.0.0.1:0');
    const clients = await Promise.all([0, 1, 2, 3].map(() => e.connectTcp(l.localAddress)));
    const got: TcpStream<'async'>[] = [];
    for await (const c of l) {
      got.push(c);
      if (got.length === 2) break; // two more wait in the backlog or the iterator's queue
    }
    expect(got).toHaveLength(2);
    // A second iteration takes the rest.
    for await (const c of l) {
      got.push(c);
      if (got.length === 4) break;
    }
    expect(new Set(got.map((c) => c.remoteAddress.toString()))).toEqual(
      new Set(clients.map((c) => c.localAddress.toString())),
    );
    for (const c of [...got, ...clients]) await c.close();
    await l.close();
    await e.close();
    expect(e._core.slots.inUse).toBe(0);
    expect(fds.leaked()).toEqual([]);
  });

  it('an echo server iterating the listener serves Node clients, and closing the listener ends the iteration', async () => {
    const fds = fdSnapshot();
    const e = createUringEngine({ mode: 'async' });
    const l = await e.listenTcp('127.0.0.1:0');
    const echo = async (c: TcpStream<'async'>) => {
      const buf = OutputBuffer.alloc(64 * 1024);
      try {
        for (;;) {
          buf.reset();
          if ((await c.readInto(buf)) === 0) break;
          await c.writeAll(buf);
        }
        await c.shutdown('write');
      } finally {
        await c.close();
      }
    };
    const live: Promise<void>[] = [];
    const accepting = (async () => {
      for await (const c of l) live.push(echo(c));
    })();
    // Node clients send, half-close, and wait for the whole echo and the FIN.
    const at = l.localAddress.toString();
    const port = Number(at.slice(at.lastIndexOf(':') + 1));
    const viaNode = (payload: Buffer) =>
      new Promise<Buffer>((resolve, reject) => {
        const parts: Buffer[] = [];
        const s = connect({ host: '127.0.0.1', port }, () => s.end(payload));
        s.on('data', (d) => parts.push(d));
        s.on('end', () => resolve(Buffer.concat(parts)));
        s.on('error', reject);
      });
    const payloads = [1, 1000, 300_000].map((n) => Buffer.alloc(n, n % 256));
    const echoed = await Promise.all(payloads.map(viaNode));
    for (const [i, got] of echoed.entries()) expect(got.equals(payloads[i]!)).toBe(true);
    // The multishot accept is still armed: closing the listener must cancel it and end the loop.
    await l.close();
    await accepting;
    await Promise.all(live);
    expect(e._core.slots.inUse).toBe(0);
    // A single accept, and a recv, waiting when their socket is closed settle too.
    const l2 = await e.listenTcp('127.0.0.1:0');
    const waiting = l2.accept();
    await l2.close();
    expect(await errOf(() => waiting)).toMatchObject({ code: 'EBADF' });
    const l3 = await e.listenTcp('127.0.0.1:0');
    const c = await e.connectTcp(l3.localAddress);
    const srv = await l3.accept();
    const out = OutputBuffer.alloc(8);
    const reading = srv.readInto(out);
    await srv.close();
    expect(await errOf(() => reading)).toMatchObject({ code: 'ECANCELED' });
    expect(out.ownership).toBe('caller');
    await c.close();
    await l3.close();
    expect(e._core.slots.inUse).toBe(0);
    await e.close();
    expect(fds.leaked()).toEqual([]);
  });

  it('an AbortSignal cancels a recv that waits; closing the engine fails the rest with ERR_CLOSED', async () => {
    const fds = fdSnapshot();
    const e = createUringEngine({ mode: 'async' });
    const l = await e.listenTcp('127.0.0.1:0');
    const c = await e.connectTcp(l.localAddress);
    const srv = await l.accept();
    const out = OutputBuffer.alloc(8);
    const ac = new AbortController();
    const p = srv.readInto(out, { signal: ac.signal });
    setTimeout(() => ac.abort(), 5);
    expect(await errOf(() => p)).toMatchObject({ code: 'ERR_ABORTED' });
    expect(out.ownership).toBe('caller');
    const pending = c.readInto(OutputBuffer.alloc(8));
    const accepting = l.accept();
    await e.close();
    expect(await errOf(() => pending)).toMatchObject({ code: 'ERR_CLOSED' });
    expect(await errOf(() => accepting)).toMatchObject({ code: 'ERR_CLOSED' });
    expect(c.closed && srv.closed && l.closed).toBe(true);
    expect(fds.leaked()).toEqual([]);
  });

  it('a peer that went away is EPIPE or ECONNRESET on send, not a signal', async () => {
    const e = createUringEngine({ mode: 'async' });
    const l = await e.listenTcp('127.0.0.1:0');
    const c = await e.connectTcp(l.localAddress);
    const srv = await l.accept();
    await srv.close();
    const big = new Uint8Array(1 << 20);
    const err = await errOf(async () => {
      for (let i = 0; i < 50; i++) await c.writeAll(big);
    });
    expect(['EPIPE', 'ECONNRESET']).toContain((err as { code: string }).code);
    await e.close();
  });
});

describe('TCP restrictions', () => {
  it('an engine restricted to tcp.connect cannot listen', () => {
    const e = createUringEngine({ mode: 'sync', capabilities: ['tcp.connect'] });
    expect(() => e.listenTcp('127.0.0.1:0')).toThrow(
      expect.objectContaining({ code: 'ERR_UNSUPPORTED' }),
    );
    e.close();
  });
});
