import net from 'node:net';
import { OutputBuffer } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EpollEngine, createEpollEngine } from '../src/index.js';
import { rejection, sleep } from './helpers.js';

// Half-close and reset against Node's own `net` as the peer.
describe('TCP half-close and reset', () => {
  let engine: EpollEngine;
  let server: net.Server;
  let port: number;
  let onConnection: (s: net.Socket) => void = () => {};
  let fds: ReturnType<typeof fdSnapshot>;
  beforeAll(async () => {
    fds = fdSnapshot();
    engine = createEpollEngine();
    server = net.createServer((s) => onConnection(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await engine.close();
    await new Promise((r) => server.close(r));
    expect(fds.leaked()).toEqual([]);
  });

  it('wakes a parked read with EOF when the peer half-closes, and still sends the other way', async () => {
    const peerGot: Buffer[] = [];
    const peerEnded = new Promise<void>((resolve) => {
      onConnection = (s) => {
        s.on('data', (d) => peerGot.push(d));
        s.on('end', () => resolve());
        // Send a little, then half-close our direction only (allowHalfOpen off is fine: we end after their FIN).
        s.write('hello', () => setTimeout(() => s.end(), 20));
      };
    });
    const c = await engine.connectTcp(`127.0.0.1:${port}`);
    const out = OutputBuffer.alloc(64);
    expect(await c.readFilling(out)).toBe(5); // 5 bytes, then FIN
    expect(Buffer.from(out.filled).toString()).toBe('hello');
    // A read parked before the FIN is woken by it and returns 0.
    expect(await c.readInto(OutputBuffer.alloc(8))).toBe(0);
    await c.writeAll(new TextEncoder().encode('still open'));
    await c.shutdown('write');
    await peerEnded;
    expect(Buffer.concat(peerGot).toString()).toBe('still open');
    await c.close();
  });

  it('reads an EOF that arrived behind data after its edge was already seen', async () => {
    // Regression: a short read used to mark the socket drained even with the
    // peer's FIN queued behind the data; the FIN's edge had passed, so the
    // next read waited forever.
    let peer: net.Socket | undefined;
    onConnection = (s) => {
      peer = s;
    };
    const c = await engine.connectTcp(`127.0.0.1:${port}`);
    const out = OutputBuffer.alloc(64);
    const first = c.readInto(out); // parks: registers the socket
    await sleep(20);
    peer!.write('abc');
    expect(await first).toBe(3);
    peer!.end('defg'); // data then FIN, while no read waits
    await sleep(50); // the engine sees (and records) their edges meanwhile
    out.reset();
    expect(await c.readInto(out, { timeout: 2000 })).toBe(4);
    expect(await c.readInto(out, { timeout: 2000 })).toBe(0);
    await c.close();
  });

  it('surfaces a reset by the peer as a clear ECONNRESET on a parked read', async () => {
    onConnection = (s) => setTimeout(() => s.resetAndDestroy(), 30);
    const c = await engine.connectTcp(`127.0.0.1:${port}`);
    const out = OutputBuffer.alloc(16);
    const e = await rejection(c.readInto(out));
    expect(e.code).toBe('ECONNRESET');
    expect(e.message).toBe(`ECONNRESET: Connection reset by peer, recv 127.0.0.1:${port}`);
    expect(out.ownership).toBe('caller');
    // Writing to a reset connection fails too, clearly, and nothing is left parked.
    const w = await rejection(c.writeAll(new Uint8Array(16)));
    expect(['EPIPE', 'ECONNRESET']).toContain(w.code);
    expect(engine.stats().parked).toBe(0);
    await c.close();
  });

  it('fails a write parked on a full buffer when the peer resets', async () => {
    let peer: net.Socket | undefined;
    onConnection = (s) => {
      peer = s;
      s.pause(); // never reads: our writes fill both buffers and park
    };
    const c = await engine.connectTcp(`127.0.0.1:${port}`);
    c.setOption('sendBufferSize', 16384);
    const writing = c.writeAll(new Uint8Array(32 << 20));
    await sleep(50);
    expect(engine.stats().parked).toBe(1);
    peer!.resetAndDestroy();
    const e = await rejection(writing);
    expect(['ECONNRESET', 'EPIPE']).toContain(e.code);
    expect(e.message).toMatch(/^(ECONNRESET|EPIPE): .*, send 127\.0\.0\.1:/);
    await c.close();
  });

  it('refuses a connection nobody listens for, with the address in the message', async () => {
    const l = await engine.listenTcp('127.0.0.1:0');
    const at = l.localAddress.toString();
    await l.close();
    const e = await rejection(engine.connectTcp(at));
    expect(e.code).toBe('ECONNREFUSED');
    expect(e.message).toBe(`ECONNREFUSED: Connection refused, connect ${at}`);
    expect(engine.stats()).toMatchObject({ parked: 0, registered: 0 });
  });
});
