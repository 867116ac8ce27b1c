import { spawn } from 'node:child_process';
import net from 'node:net';
import { type InetSocketAddress, OutputBuffer } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EpollEngine, createEpollEngine } from '../src/index.js';
import { sleep } from './helpers.js';

const text = (s: string) => new TextEncoder().encode(s);
const str = (out: OutputBuffer) => Buffer.from(out.filled).toString();

// A short stream read marks the socket drained, so the next read parks
// without trying recv. These cases would hang (and time out) if a wake-up
// that arrives around that moment were lost.
describe('readiness tracking', () => {
  let engine: EpollEngine;
  let server: net.Server;
  let port: number;
  let peer: Promise<net.Socket>;
  let fds: ReturnType<typeof fdSnapshot>;
  beforeAll(async () => {
    fds = fdSnapshot();
    engine = createEpollEngine();
    server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await engine.close();
    await new Promise((r) => server.close(r));
    expect(fds.leaked()).toEqual([]);
  });
  const connect = async () => {
    peer = new Promise((resolve) => server.once('connection', resolve));
    const c = await engine.connectTcp(`127.0.0.1:${port}`);
    return { c, p: await peer };
  };
  const wait = { timeout: 2000 };

  it('wakes a read parked on a drained socket the epoll set has not seen yet', async () => {
    const [a, b] = await engine.socketPair('stream');
    await b.writeAll(text('abc'));
    const out = OutputBuffer.alloc(64);
    expect(await a.readInto(out, wait)).toBe(3); // short: drained, without ever waiting
    expect(engine.stats().registered).toBe(0); // so not in the epoll set yet
    await b.writeAll(text('defg')); // queued now; only registering can tell the engine
    out.reset();
    expect(await a.readInto(out, wait)).toBe(4);
    expect(str(out)).toBe('defg');
    await a.close();
    await b.close();
  });

  it('wakes a read parked right after a drained read when data arrived in between', async () => {
    const { c, p } = await connect();
    const out = OutputBuffer.alloc(64);
    const first = c.readInto(out, wait); // parks: registers the socket
    p.write('abc');
    expect(await first).toBe(3); // short: drained
    // Queued before the next read, its edge not yet collected by the engine:
    // the read parks without a recv, and that edge must wake it.
    p.write('defg');
    out.reset();
    expect(await c.readInto(out, wait)).toBe(4);
    expect(str(out)).toBe('defg');
    // Data whose edge the engine collected while no read waited.
    p.write('hij');
    await sleep(30);
    out.reset();
    expect(await c.readInto(out, wait)).toBe(3);
    expect(str(out)).toBe('hij');
    await c.close();
    p.destroy();
  });
});

describe('busy polling (busyPollUs)', () => {
  it('refuses a bad busyPollUs before opening anything', () => {
    const fds = fdSnapshot();
    for (const [value, code] of [
      [-1, 'ERR_OUT_OF_RANGE'],
      [10_001, 'ERR_OUT_OF_RANGE'],
      [1.5, 'ERR_INVALID_ARG_TYPE'],
      ['50', 'ERR_INVALID_ARG_TYPE'],
    ] as const) {
      expect(() => createEpollEngine({ busyPollUs: value as number })).toThrow(
        expect.objectContaining({ code, message: expect.stringContaining('busyPollUs') }),
      );
    }
    expect(fds.leaked()).toEqual([]);
  });

  it('parks after the spin and is still woken by data that comes later', async () => {
    const fds = fdSnapshot();
    const engine = createEpollEngine({ busyPollUs: 1000 });
    const [a, b] = await engine.socketPair('stream');
    const out = OutputBuffer.alloc(64);
    const read = a.readInto(out, { timeout: 2000 }); // spins 1 ms in this thread: nothing can come
    expect(engine.stats().parked).toBe(1);
    setTimeout(() => void b.writeAll(text('late')), 30);
    expect(await read).toBe(4);
    expect(str(out)).toBe('late');
    await engine.close();
    expect(fds.leaked()).toEqual([]);
  });

  it('reads a stream from another process in order while spinning, losing no wake-up', async () => {
    const fds = fdSnapshot();
    const engine = createEpollEngine({ busyPollUs: 5000 });
    const listener = await engine.listenTcp('127.0.0.1:0');
    // A writer in another process: data arrives while our reads spin.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const s = require('net').connect(${(listener.localAddress as InetSocketAddress).port}, '127.0.0.1', () => {
           s.setNoDelay(true);
           let i = 0;
           const t = setInterval(() => {
             s.write(String.fromCharCode(97 + (i % 26)));
             if (++i === 200) { clearInterval(t); s.end(); }
           }, 1);
         });`,
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise((r) => child.once('exit', r));
    const s = await listener.accept();
    let got = '';
    const out = OutputBuffer.alloc(64);
    for (;;) {
      out.reset();
      if ((await s.readInto(out, { timeout: 5000 })) === 0) break;
      got += str(out);
    }
    await s.close(); // the writer's process lives until its socket is closed
    expect(got).toBe(
      Array.from({ length: 200 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''),
    );
    await exited;
    await engine.close();
    expect(fds.leaked()).toEqual([]);
  });
});
