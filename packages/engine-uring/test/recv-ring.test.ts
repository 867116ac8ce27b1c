import { createServer, type Socket } from 'node:net';
import { isIoError, type Mode } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { describe, expect, it } from 'vitest';
import { createUringEngine, type RingChunk, type UringTcpStream } from '../src/index.js';
import { errOf, pattern, refuser, sha } from './helpers.js';

const tick = () => new Promise((r) => setTimeout(r, 5));
/** Round trips through the ring until a cancelled request's completion came back (bounded). */
async function quiesce(e: { nop(): Promise<void>; _core: { slots: { inUse: number } } }) {
  for (let i = 0; i < 50 && e._core.slots.inUse > 0; i++) await e.nop();
}

/** A Node server whose connections the test drives (`peer.write`, `peer.end`). */
async function nodePeer(): Promise<{
  port: number;
  next(): Promise<Socket>;
  close(): Promise<void>;
}> {
  const conns: Socket[] = [];
  const wanted: Array<(s: Socket) => void> = [];
  const server = createServer((s) => {
    s.on('error', () => {});
    const w = wanted.shift();
    if (w) w(s);
    else conns.push(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    next: () => {
      const s = conns.shift();
      return s ? Promise.resolve(s) : new Promise((r) => wanted.push(r));
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function setup(count = 4, size = 4096) {
  const fds = fdSnapshot();
  const peer = await nodePeer();
  const e = createUringEngine({ mode: 'async' });
  const ring = e.createBufferRing({ count, size });
  const s = (await e.connectTcp(`127.0.0.1:${peer.port}`)) as UringTcpStream<Mode>;
  const remote = await peer.next();
  const done = async () => {
    remote.destroy();
    await s.close();
    await e.close();
    await peer.close();
    expect(fds.leaked()).toEqual([]);
  };
  return { e, ring, s, remote, done };
}

describe('multishot recv with a provided-buffer ring', () => {
  it('1 MiB through a 16 KiB ring: chunks are views of the ring, it runs dry and re-arms, EOF ends it', async () => {
    const { e, ring, s, remote, done } = await setup(4, 4096);
    const data = pattern(1 << 20, 9);
    remote.end(data);
    const got: Uint8Array[] = [];
    const held: RingChunk[] = [];
    let memory: ArrayBufferLike | undefined;
    const chunks = s.receiveChunks(ring);
    for await (const c of chunks) {
      expect(c.bytes.byteLength).toBeGreaterThan(0);
      expect(c.bytes.byteLength).toBeLessThanOrEqual(4096);
      memory ??= c.bytes.buffer;
      expect(c.bytes.buffer).toBe(memory); // the ring's own memory, not a copy
      got.push(c.bytes.slice());
      held.push(c);
      if (held.length === ring.count) {
        // Every buffer is out: the kernel has nowhere to put the data still coming.
        expect(ring.available).toBe(0);
        await tick();
        for (const h of held.splice(0)) ring.recycle(h);
      }
    }
    for (const h of held.splice(0)) ring.recycle(h);
    expect(sha(Buffer.concat(got))).toBe(sha(data));
    expect(chunks.starvations).toBeGreaterThan(0);
    expect(ring.available).toBe(ring.count);
    expect(e._core.slots.inUse).toBe(0);
    await done();
  });

  it('a chunk is unreadable once recycled; recycling twice or into another ring is refused', async () => {
    const { e, ring, s, remote, done } = await setup();
    const other = e.createBufferRing({ count: 2, size: 64 });
    remote.write('hello');
    const it = s.receiveChunks(ring);
    const { value: c } = await it.next();
    expect(Buffer.from(c!.bytes).toString()).toBe('hello');
    expect(() => other.recycle(c!)).toThrow(
      expect.objectContaining({ code: 'ERR_BUFFER_FOREIGN' }),
    );
    ring.recycle(c!);
    expect(c!.recycled).toBe(true);
    expect(() => c!.bytes).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_RECYCLED' }));
    expect(() => ring.recycle(c!)).toThrow(
      expect.objectContaining({ code: 'ERR_BUFFER_RECYCLED' }),
    );
    // In use by an armed receive: cannot be unregistered.
    expect(() => ring.close()).toThrow(expect.objectContaining({ code: 'ERR_INVALID_STATE' }));
    await it.return!();
    await quiesce(e);
    expect(e._core.slots.inUse).toBe(0);
    ring.close();
    other.close();
    await done();
  });

  it('break cancels the receive; chunks already received start the next iteration, nothing is lost', async () => {
    const { e, ring, s, remote, done } = await setup(8, 1024);
    remote.write(Buffer.from(pattern(3000, 1)));
    const got: Uint8Array[] = [];
    for await (const c of s.receiveChunks(ring)) {
      got.push(c.bytes.slice());
      ring.recycle(c);
      break;
    }
    await quiesce(e);
    expect(e._core.slots.inUse).toBe(0);
    remote.end(Buffer.from(pattern(1000, 2)));
    for await (const c of s.receiveChunks(ring)) {
      got.push(c.bytes.slice());
      ring.recycle(c);
    }
    const all = Buffer.concat(got);
    expect(all.byteLength).toBe(4000);
    expect(all.equals(Buffer.concat([pattern(3000, 1), pattern(1000, 2)]))).toBe(true);
    expect(ring.available).toBe(ring.count);
    await done();
  });

  it('an AbortSignal rejects the waiting next(); closing the stream ends an iteration', async () => {
    const { e, ring, s, done } = await setup();
    const ac = new AbortController();
    const it = s.receiveChunks(ring, { signal: ac.signal });
    const waiting = errOf(() => it.next());
    await e.nop(); // armed and waiting in the kernel
    ac.abort();
    const err = await waiting;
    expect(isIoError(err) && err.code).toBe('ERR_ABORTED');
    await quiesce(e);
    expect(e._core.slots.inUse).toBe(0);
    const it2 = s.receiveChunks(ring);
    const pending = it2.next();
    await e.nop();
    await s.close();
    expect(await pending).toEqual({ value: undefined, done: true });
    await quiesce(e);
    expect(e._core.slots.inUse).toBe(0);
    expect(ring.available).toBe(ring.count);
    await done();
  });

  it('bad input is refused before anything reaches the ring', async () => {
    const { e, ring, s, done } = await setup();
    const other = createUringEngine({ mode: 'async' });
    const foreign = other.createBufferRing({ count: 2, size: 64 });
    const refused = refuser(e);
    await refused(() => s.receiveChunks(foreign), 'ERR_BUFFER_FOREIGN');
    await refused(() => s.receiveChunks(ring, { max: 1 } as never), 'ERR_INVALID_ARG_VALUE');
    await refused(() => s.receiveChunks(ring, { signal: AbortSignal.abort() }), 'ERR_ABORTED');
    await refused(() => e.createBufferRing({ count: 3 }), 'ERR_INVALID_ARG_VALUE');
    await refused(() => e.createBufferRing({ count: 4, size: 0 }), 'ERR_OUT_OF_RANGE');
    await refused(() => e.createBufferRing({ entries: 4 } as never), 'ERR_INVALID_ARG_VALUE');
    foreign.close();
    ring.close();
    await refused(() => s.receiveChunks(ring), 'ERR_INVALID_STATE');
    await s.close();
    await refused(() => s.receiveChunks(ring), 'EBADF');
    await other.close();
    await done();
  });

  it('closing the engine ends a waiting iteration and leaves nothing behind', async () => {
    const fds = fdSnapshot();
    const peer = await nodePeer();
    const e = createUringEngine({ mode: 'async' });
    const ring = e.createBufferRing({ count: 2, size: 256 });
    const s = (await e.connectTcp(`127.0.0.1:${peer.port}`)) as UringTcpStream<Mode>;
    const remote = await peer.next();
    const pending = s.receiveChunks(ring).next();
    await e.nop();
    await e.close();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(ring.closed).toBe(true);
    remote.destroy();
    await peer.close();
    expect(fds.leaked()).toEqual([]);
  });
});
