import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ALL_CAPABILITIES, OutputBuffer, supports } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { describe, expect, it } from 'vitest';
import { createEpollEngine } from '../src/index.js';
import { rejection } from './helpers.js';

describe('the engine', () => {
  it('lists exactly the traits it implements', async () => {
    const engine = createEpollEngine();
    expect(engine.name).toBe('epoll');
    expect(engine.mode).toBe('async');
    for (const c of [
      'file.create',
      'file.openReadOnly',
      'udp.batch',
      'udp.recv',
      'tcp.connect',
      'tcp.listen',
      'buffer.provider',
    ] as const) {
      expect(supports(engine, c)).toBe(true);
    }
    expect([...engine.capabilities].every((c) => ALL_CAPABILITIES.includes(c))).toBe(true);
    const [a, b] = await engine.socketPair('stream');
    expect([...a.capabilities]).toEqual(['handle.writer']);
    await a.close();
    await b.close();
    await engine.close();
  });

  it('close() fails parked work with EBADF, closes every handle and descriptor, and refuses new work', async () => {
    const fds = fdSnapshot();
    const engine = createEpollEngine();
    const l = await engine.listenTcp('127.0.0.1:0');
    const accepting = l.accept();
    const c = await engine.connectTcp(l.localAddress);
    const s = await accepting;
    const out = OutputBuffer.alloc(8);
    const reading = s.readInto(out);
    const u = await engine.createUdpSocket();
    await engine.bindUdp(u, '127.0.0.1:0');
    const receiving = engine.recv(u, OutputBuffer.alloc(8));
    const timer = engine.createTimer({ delay: 60_000 });
    const waiting = timer.wait();
    expect(engine.stats().parked).toBe(3);
    await engine.close();
    for (const p of [reading, receiving, waiting]) expect((await rejection(p)).code).toBe('EBADF');
    expect(out.ownership).toBe('caller');
    expect([l, c, s, u].every((h) => h.closed)).toBe(true);
    expect(timer.closed).toBe(true);
    expect(fds.leaked()).toEqual([]);
    expect((await rejection(engine.connectTcp('127.0.0.1:9'))).code).toBe('ERR_CLOSED');
    expect((await rejection(engine.createUdpSocket())).code).toBe('ERR_CLOSED');
    expect((await rejection(engine.openReadOnly('/etc/hostname'))).code).toBe('ERR_CLOSED');
    expect(() => engine.createEventFd()).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }));
    await engine.close(); // twice is a no-op
  });

  it("holds the process alive from a socket's first wait until it closes, unless unref()'d", async () => {
    const engine = createEpollEngine();
    const [a, b] = await engine.socketPair('stream');
    expect(engine.holdsProcess).toBe(false); // nothing waited yet
    const reading = a.readInto(OutputBuffer.alloc(4));
    expect(engine.holdsProcess).toBe(true);
    await b.writeAll(new Uint8Array(4));
    await reading;
    expect(engine.holdsProcess).toBe(true); // an open socket that waited, as a Node socket
    engine.unref();
    expect(engine.holdsProcess).toBe(false);
    engine.ref();
    expect(engine.holdsProcess).toBe(true);
    await a.close();
    expect(engine.holdsProcess).toBe(false);
    await b.close();
    await engine.close();
  });

  it('leaves no descriptor behind when setting up a socket fails', async () => {
    const engine = createEpollEngine();
    const l = await engine.listenTcp('127.0.0.1:0');
    const fds = fdSnapshot();
    expect((await rejection(engine.listenTcp(l.localAddress, { reuseAddress: false }))).code).toBe(
      'EADDRINUSE',
    );
    expect(
      (await rejection(engine.connectTcp('127.0.0.1:9', { localAddress: l.localAddress }))).code,
    ).toBe('EADDRINUSE');
    expect(
      (await rejection(engine.connectTcp('127.0.0.1:9', { colour: 'red' } as never))).code,
    ).toBe('ERR_INVALID_ARG_VALUE');
    expect((await rejection(engine.connectTcp('localhost:80'))).code).toBe('ERR_INVALID_ADDRESS');
    expect((await rejection(engine.createUdpSocket({ family: 'ipx' as never }))).code).toBe(
      'ERR_INVALID_ARG_VALUE',
    );
    expect((await rejection(engine.listenUnix(join(tmpdir(), 'no-such-dir', 'x.sock')))).code).toBe(
      'ENOENT',
    );
    expect(fds.leaked()).toEqual([]);
    expect(engine.stats()).toMatchObject({ parked: 0, registered: 0, handles: 1 });
    await engine.close();
  });

  it('offers files through the thread pool, beside its sockets', async () => {
    const engine = createEpollEngine();
    const path = join(tmpdir(), `binio-epoll-file-${process.pid}`);
    const f = await engine.create(path, { exclusive: false });
    await f.writeAll(new TextEncoder().encode('file via the pool'));
    const out = OutputBuffer.alloc(64);
    expect(await f.readFilling(out, { offset: 0 })).toBe(17);
    await engine.closeFile(f);
    expect(engine.stats().registered).toBe(0); // files never enter the epoll set
    await engine.close();
    (await import('node:fs')).rmSync(path);
  });
});
