import { writeFileSync } from 'node:fs';
import {
  ALL_CAPABILITIES,
  FILE_HANDLER,
  type Mode,
  OutputBuffer,
  requireCapabilities,
  supports,
} from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPosixEngine, FILE_CAPABILITIES, SOCKET_CAPABILITIES } from '../src/index.js';
import { ioError, MODES, scratch } from './helpers.js';

describe.each(MODES)('posix %s engine', (mode: Mode) => {
  let dir: ReturnType<typeof scratch>;
  let fds: ReturnType<typeof fdSnapshot>;
  beforeAll(() => {
    fds = fdSnapshot();
    dir = scratch();
  });
  afterAll(() => {
    dir.dispose();
    expect(fds.leaked()).toEqual([]);
  });

  it('names itself, states its mode and lists what it implements', async () => {
    const engine = createPosixEngine({ mode });
    expect(engine.name).toBe('posix');
    expect(engine.mode).toBe(mode);
    // Exactly the file half's and the sockets half's, nothing more.
    expect([...engine.capabilities].sort()).toEqual(
      [...new Set([...FILE_CAPABILITIES, ...SOCKET_CAPABILITIES])].sort(),
    );
    for (const c of FILE_HANDLER) expect(supports(engine, c)).toBe(true);
    expect(() =>
      requireCapabilities(engine, ['file.create', 'buffer.provider', 'handle.vectored']),
    ).not.toThrow();
    for (const c of engine.capabilities) expect(ALL_CAPABILITIES).toContain(c);
    await engine.close();
  });

  it('closes every handle it opened on close(), then refuses new work', async () => {
    const engine = createPosixEngine({ mode });
    const p = dir.file(`c-${mode}`);
    writeFileSync(p, 'abc');
    const before = fdSnapshot();
    const a = await engine.openReadOnly(p);
    const b = await engine.openReadWrite(p);
    const m = await engine.openMapped(p);
    expect(before.leaked()).toHaveLength(2);
    await engine.close();
    expect(a.closed && b.closed && m.closed).toBe(true);
    expect(before.leaked()).toEqual([]);
    await ioError(() => engine.openReadOnly(p), 'ERR_CLOSED');
    await ioError(() => a.readInto(OutputBuffer.alloc(1)), 'EBADF');
    await engine.close();
  });

  it('closes every socket it opened on close(); parked recv and accept settle first', async () => {
    const engine = createPosixEngine({ mode });
    const before = fdSnapshot();
    const listener = await engine.listenTcp('127.0.0.1:0');
    const client = await engine.connectTcp(listener.localAddress);
    const server = await listener.accept();
    const udp = await engine.createUdpSocket();
    await engine.bindUdp(udp, '127.0.0.1:0');
    const pair = await engine.socketPair('stream');
    const idle = await engine.listenTcp('127.0.0.1:0');
    expect(before.leaked()).toHaveLength(7);
    // Async: a recv and an accept parked in poll on the thread pool.
    const parked =
      mode === 'async' ? [engine.recv(udp, OutputBuffer.alloc(64)), idle.accept()] : [];
    const settled = Promise.allSettled(parked);
    await engine.close();
    for (const s of [listener, client, server, udp, idle, ...pair]) expect(s.closed).toBe(true);
    for (const r of await settled)
      expect(r).toMatchObject({ status: 'rejected', reason: { code: 'EBADF' } });
    expect(before.leaked()).toEqual([]);
    await ioError(() => engine.createUdpSocket(), 'ERR_CLOSED');
    await ioError(() => engine.socketPair('stream'), 'ERR_CLOSED');
    await ioError(() => engine.connectTcp(listener.localAddress), 'ERR_CLOSED');
    expect(before.leaked()).toEqual([]);
    await engine.close();
  });

  it('closeFile closes its own files and refuses others', async () => {
    const engine = createPosixEngine({ mode });
    const other = createPosixEngine({ mode });
    const p = dir.file(`d-${mode}`);
    writeFileSync(p, 'abc');
    const f = await engine.openReadOnly(p);
    await ioError(() => other.closeFile(f), 'ERR_INVALID_ARG_VALUE');
    await engine.closeFile(f);
    expect(f.closed).toBe(true);
    await engine.close();
    await other.close();
  });

  it('an open aborted while it runs leaves no descriptor (async)', async (ctx) => {
    if (mode !== 'async') return ctx.skip();
    const engine = createPosixEngine({ mode });
    const p = dir.file('e');
    writeFileSync(p, 'abc');
    const before = fdSnapshot();
    const ac = new AbortController();
    const opening = engine.openReadOnly(p, { signal: ac.signal });
    ac.abort();
    await ioError(() => opening, 'ERR_ABORTED');
    expect(before.leaked()).toEqual([]);
    await engine.close();
  });
});
