import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputBuffer, UnixSocketAddress } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EpollEngine, createEpollEngine } from '../src/index.js';
import { rejection, sleep } from './helpers.js';

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

describe('Unix stream, seqpacket and datagram sockets', () => {
  let engine: EpollEngine;
  let dir: string;
  let fds: ReturnType<typeof fdSnapshot>;
  beforeAll(() => {
    fds = fdSnapshot();
    engine = createEpollEngine();
    dir = mkdtempSync(join(tmpdir(), 'binio-epoll-unix-'));
  });
  afterAll(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
    expect(fds.leaked()).toEqual([]);
  });

  it('listens on a path, accepts through the async iterator and echoes', async () => {
    const path = join(dir, 'echo.sock');
    const l = await engine.listenUnix(path);
    expect(l.localAddress.toString()).toBe(path);
    const serving = (async () => {
      for await (const s of l) {
        const buf = OutputBuffer.alloc(1024);
        const n = await s.readInto(buf);
        await s.writeAll(buf);
        await s.close();
        return n;
      }
    })();
    const c = await engine.connectUnix(path);
    await c.writeAll(text('over a unix socket'));
    const back = OutputBuffer.alloc(64);
    expect(await c.readFilling(back)).toBe(18);
    expect(str(back.filled)).toBe('over a unix socket');
    expect(await serving).toBe(18);
    await c.close();
    await l.close();
  });

  it('keeps seqpacket records whole, reports a cut one, and never stalls on queued records', async () => {
    const l = await engine.listenUnix(`@binio-epoll-seq-${process.pid}`, { type: 'seqpacket' });
    const accepted = l.accept();
    const c = await engine.connectUnix(`@binio-epoll-seq-${process.pid}`, { type: 'seqpacket' });
    const s = await accepted;
    const out = OutputBuffer.alloc(64);
    const first = s.readInto(out); // parks: registers the socket
    await c.writeAll(text('one'));
    expect(await first).toBe(3);
    // Two records at once while no read waits: a short read is one record,
    // not proof that the queue is empty.
    await c.writeAll(text('two'));
    await c.writeAll(text('three'));
    await sleep(30);
    out.reset();
    expect(await s.readInto(out, { timeout: 2000 })).toBe(3);
    expect(str(out.filled)).toBe('two');
    out.reset();
    expect(await s.readInto(out, { timeout: 2000 })).toBe(5);
    expect(str(out.filled)).toBe('three');
    await c.writeAll(text('a record longer than ten bytes'));
    const small = OutputBuffer.alloc(10);
    expect(await s.readRecord(small)).toEqual({ bytes: 10, truncated: true });
    expect(str(small.filled)).toBe('a record l');
    await c.close();
    expect(await s.readRecord(OutputBuffer.alloc(8))).toEqual({ bytes: 0, truncated: false });
    await s.close();
    await l.close();
  });

  it('exchanges Unix datagrams with the sender named, and over a connected pair', async () => {
    const a = await engine.createUnixDatagram({ bind: join(dir, 'a.dgram') });
    const b = await engine.createUnixDatagram({ bind: join(dir, 'b.dgram') });
    const receiving = engine.recv(b, OutputBuffer.alloc(64));
    await sleep(5);
    expect(await engine.send(a, text('hi b'), join(dir, 'b.dgram'))).toBe(4);
    const got = await receiving;
    expect(got).toMatchObject({ bytes: 4, truncated: false });
    expect(got.from.toString()).toBe(join(dir, 'a.dgram'));
    const bufs = [OutputBuffer.alloc(8), OutputBuffer.alloc(8), OutputBuffer.alloc(8)];
    expect(
      await engine.sendMany(a, [
        { data: text('x1'), to: join(dir, 'b.dgram') },
        { data: text('x2'), to: join(dir, 'b.dgram') },
      ]),
    ).toBe(2);
    const batch = await engine.recvMany(b, bufs);
    expect(batch.count).toBe(2);
    expect(batch.from.map(String)).toEqual([join(dir, 'a.dgram'), join(dir, 'a.dgram')]);
    expect(bufs.slice(0, 2).map((x) => str(x.filled))).toEqual(['x1', 'x2']);
    const [p, q] = await engine.socketPair('dgram');
    await engine.send(p, text('paired'), undefined);
    const r = await engine.recv(q, OutputBuffer.alloc(16));
    expect(r.bytes).toBe(6);
    expect(r.from).toBeInstanceOf(UnixSocketAddress);
    for (const x of [a, b, p, q]) await x.close();
  });

  it('refuses a TCP-shaped address, a missing listener and a closed socket clearly', async () => {
    expect((await rejection(engine.connectUnix('127.0.0.1:80'))).code).toBe(
      'ERR_INVALID_ARG_VALUE',
    );
    expect((await rejection(engine.listenTcp(join(dir, 'x.sock')))).code).toBe(
      'ERR_INVALID_ARG_VALUE',
    );
    const e = await rejection(engine.connectUnix(join(dir, 'nobody.sock')));
    expect(e.code).toBe('ENOENT');
    expect(e.message).toContain('nobody.sock');
    const u = await engine.createUnixDatagram();
    await u.close();
    expect((await rejection(engine.send(u, text('x'), join(dir, 'b.dgram')))).code).toBe('EBADF');
    expect(engine.stats()).toMatchObject({ parked: 0 });
  });
});
