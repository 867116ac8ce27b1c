import { OutputBuffer } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EpollEngine, createEpollEngine } from '../src/index.js';
import { epollTargets, rejection, sleep } from './helpers.js';

// A parked operation that is aborted, times out, or whose handle is closed
// must give its buffer back, reject clearly, and leave nothing in the epoll
// set: checked against the kernel's own list of registrations.
describe('cancelling parked operations', () => {
  let engine: EpollEngine;
  let fds: ReturnType<typeof fdSnapshot>;
  beforeAll(() => {
    fds = fdSnapshot();
    engine = createEpollEngine();
  });
  afterAll(async () => {
    await engine.close();
    expect(fds.leaked()).toEqual([]);
  });

  it('an aborted read rejects with ERR_ABORTED, gives the buffer back and deregisters', async () => {
    const [a, b] = await engine.socketPair('stream');
    const out = OutputBuffer.alloc(16);
    const ac = new AbortController();
    const pending = a.readInto(out, { signal: ac.signal });
    expect(out.ownership).toBe('in-flight');
    await sleep(10);
    expect(engine.stats().parked).toBe(1);
    expect(epollTargets(engine.epollFd)).toContain(a.fd);
    ac.abort(new Error('changed my mind'));
    const e = await rejection(pending);
    expect(e.code).toBe('ERR_ABORTED');
    expect(e.message).toMatch(/recv was aborted/);
    expect(out.ownership).toBe('caller');
    expect(out.initialized).toBe(0);
    expect(engine.stats()).toMatchObject({ parked: 0, registered: 0 });
    expect(epollTargets(engine.epollFd)).toEqual([]);
    // The stream still works afterwards.
    await b.writeAll(new Uint8Array([1, 2, 3]));
    expect(await a.readInto(out)).toBe(3);
    await a.close();
    await b.close();
  });

  it('a timed-out read rejects with ERR_TIMEOUT and leaves no registration', async () => {
    const [a, b] = await engine.socketPair('stream');
    const out = OutputBuffer.alloc(16);
    const e = await rejection(a.readInto(out, { timeout: 30 }));
    expect(e.code).toBe('ERR_TIMEOUT');
    expect(e.message).toMatch(/recv on a Unix stream socket timed out after 30 ms/);
    expect(out.ownership).toBe('caller');
    expect(epollTargets(engine.epollFd)).toEqual([]);
    await a.close();
    await b.close();
  });

  it('cancelling one of several parked reads keeps the others, in order', async () => {
    const [a, b] = await engine.socketPair('stream');
    const first = OutputBuffer.alloc(4);
    const second = OutputBuffer.alloc(4);
    const third = OutputBuffer.alloc(4);
    const ac = new AbortController();
    const p1 = a.readFilling(first);
    const p2 = a.readFilling(second, { signal: ac.signal });
    const p3 = a.readFilling(third);
    ac.abort();
    expect((await rejection(p2)).code).toBe('ERR_ABORTED');
    expect(second.ownership).toBe('caller');
    await b.writeAll(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(await p1).toBe(4);
    expect(await p3).toBe(4);
    expect([...first.filled, ...third.filled]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await a.close();
    await b.close();
    expect(epollTargets(engine.epollFd)).toEqual([]);
  });

  it('an aborted accept and an aborted connect leave no descriptor and no registration', async () => {
    const before = fdSnapshot();
    const l = await engine.listenTcp('127.0.0.1:0', { backlog: 0 });
    const ac = new AbortController();
    const accepting = l.accept({ signal: ac.signal });
    await sleep(5);
    ac.abort();
    expect((await rejection(accepting)).code).toBe('ERR_ABORTED');
    expect(epollTargets(engine.epollFd)).toEqual([]);
    // Fill the (backlog 0) accept queue without accepting: a further SYN is
    // dropped, so the next connect stays in SYN_SENT, parked on epoll.
    const queued = [];
    let parked: Promise<unknown> | undefined;
    const ac2 = new AbortController();
    for (let i = 0; i < 8 && parked === undefined; i++) {
      const p = engine.connectTcp(l.localAddress, { signal: ac2.signal });
      const settled = await Promise.race([
        p.then(
          () => true,
          () => true,
        ),
        sleep(200).then(() => false),
      ]);
      if (settled) queued.push(p);
      else parked = p;
    }
    expect(parked, 'a connect should stay pending once the backlog is full').toBeDefined();
    expect(engine.stats().parked).toBe(1);
    ac2.abort();
    expect((await rejection(parked!)).code).toBe('ERR_ABORTED');
    for (const p of queued) await (await p.catch(() => undefined))?.close();
    await l.close();
    expect(engine.stats()).toMatchObject({ parked: 0, registered: 0 });
    expect(epollTargets(engine.epollFd)).toEqual([]);
    expect(before.leaked()).toEqual([]);
  });

  it('closing a stream fails its parked reads and writes with EBADF and gives buffers back', async () => {
    const [a, b] = await engine.socketPair('stream');
    a.setOption('sendBufferSize', 4096);
    const out = OutputBuffer.alloc(8);
    const reading = a.readInto(out);
    // Fill the socket buffers until a write parks.
    const big = new Uint8Array(1 << 20);
    const writing = a.writeAll(big);
    await sleep(10);
    expect(engine.stats().parked).toBe(2);
    await a.close();
    const r = await rejection(reading);
    const w = await rejection(writing);
    expect(r.code).toBe('EBADF');
    expect(r.message).toMatch(
      /recv was waiting on a Unix stream socket that close\(\) closed meanwhile/,
    );
    expect(w.code).toBe('EBADF');
    expect(out.ownership).toBe('caller');
    expect((await rejection(a.readInto(out))).message).toMatch(
      /recv on a closed Unix stream socket/,
    );
    await b.close();
    expect(epollTargets(engine.epollFd)).toEqual([]);
  });

  it('refuses an already aborted signal, bad timeouts and unknown options before any call', async () => {
    const [a, b] = await engine.socketPair('stream');
    const out = OutputBuffer.alloc(8);
    const ac = new AbortController();
    ac.abort();
    expect((await rejection(a.readInto(out, { signal: ac.signal }))).code).toBe('ERR_ABORTED');
    expect((await rejection(a.readInto(out, { timeout: -5 }))).code).toBe('ERR_OUT_OF_RANGE');
    expect((await rejection(a.readInto(out, { timeout: 1.5 }))).code).toBe('ERR_INVALID_ARG_TYPE');
    expect((await rejection(a.readInto(out, { colour: 'red' } as never))).code).toBe(
      'ERR_INVALID_ARG_VALUE',
    );
    expect((await rejection(a.write(new Uint8Array(1), { signal: 'soon' } as never))).code).toBe(
      'ERR_INVALID_ARG_TYPE',
    );
    expect(out.ownership).toBe('caller');
    expect(engine.stats()).toMatchObject({ parked: 0, registered: 0 });
    await a.close();
    await b.close();
  });
});
