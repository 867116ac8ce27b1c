import { createHash } from 'node:crypto';
import { isIoError } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { describe, expect, it } from 'vitest';
import { createUringEngine, type RingChunk, type UringTcpStream } from '../src/index.js';
import { errOf, localNode, pattern, peerProcess, refuser, sha } from './helpers.js';

/*
 * In sync mode the engine waits inside io_uring_enter, so the peer runs in
 * another process. It serves one connection: writes `first` bytes of the
 * test pattern (seed 1), then on each line it reads, `more` bytes (seed 2),
 * and ends after the last one; `hold` keeps the connection open until then.
 */
const SOURCE = `
import net from 'node:net';
const [first, more, lines] = process.argv.slice(1).map(Number);
const pattern = (n, seed) => { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = (i + seed) % 251; return b; };
const srv = net.createServer((s) => {
  srv.close();
  s.on('error', () => {});
  let left = lines;
  if (left === 0) { s.end(pattern(first, 1)); return; }
  s.write(pattern(first, 1));
  s.on('data', () => { if (--left === 0) s.end(pattern(more, 2)); else s.write(pattern(more, 2)); });
});
srv.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: srv.address().port })));
`;

/** A source peer, a sync engine connected to it, and a leak check for the end. */
async function setup(first: number, more: number, lines: number, count: number, size: number) {
  const fds = fdSnapshot();
  const peer = await peerProcess(localNode, SOURCE, [String(first), String(more), String(lines)]);
  const e = createUringEngine({ mode: 'sync' });
  const ring = e.createBufferRing({ count, size });
  const s = e.connectTcp(`127.0.0.1:${peer.port}`) as UringTcpStream<'sync'>;
  const done = async () => {
    expect(e._core.slots.inUse).toBe(0);
    s.close();
    ring.close(); // refused if an iteration still had a receive armed on it
    e.close();
    await peer.stop();
    expect(fds.leaked()).toEqual([]);
  };
  return { e, ring, s, done };
}

describe('multishot recv with a provided-buffer ring (sync)', () => {
  it('1 MiB from another process through 8 × 4 KiB: views of the ring, dry and re-armed, EOF ends it', async () => {
    const { ring, s, done } = await setup(1 << 20, 0, 0, 8, 4096);
    const hash = createHash('sha256');
    let n = 0;
    const held: RingChunk[] = [];
    let memory: ArrayBufferLike | undefined;
    const chunks = s.receiveChunks(ring);
    for (const c of chunks) {
      expect(c.bytes.byteLength).toBeGreaterThan(0);
      expect(c.bytes.byteLength).toBeLessThanOrEqual(4096);
      memory ??= c.bytes.buffer;
      expect(c.bytes.buffer).toBe(memory); // the ring's own memory, not a copy
      hash.update(c.bytes);
      n += c.bytes.byteLength;
      held.push(c);
      // Every buffer out: the data still coming has nowhere to go (ENOBUFS)
      // until they are back; the next next() arms the receive again.
      if (held.length === ring.count) {
        expect(ring.available).toBe(0);
        for (const h of held.splice(0)) ring.recycle(h);
      }
    }
    for (const h of held.splice(0)) ring.recycle(h);
    expect(n).toBe(1 << 20);
    expect(hash.digest('hex')).toBe(sha(pattern(1 << 20, 1)));
    expect(chunks.starvations).toBeGreaterThan(0);
    expect(ring.available).toBe(ring.count);
    await done();
  });

  it('break cancels the receive and reaps its last CQE; what arrived meanwhile starts the next iteration', async () => {
    const { e, ring, s, done } = await setup(3000, 1000, 1, 8, 1024);
    const got: Uint8Array[] = [];
    for (const c of s.receiveChunks(ring)) {
      got.push(c.bytes.slice());
      ring.recycle(c);
      break;
    }
    // Nothing armed, nothing in flight, right after the break.
    expect(e._core.slots.inUse).toBe(0);
    s.write(new TextEncoder().encode('more\n'));
    for (const c of s.receiveChunks(ring)) {
      got.push(c.bytes.slice());
      ring.recycle(c);
    }
    expect(Buffer.concat(got).equals(Buffer.concat([pattern(3000, 1), pattern(1000, 2)]))).toBe(
      true,
    );
    expect(ring.available).toBe(ring.count);
    await done();
  });

  it('a next() with every buffer out is refused, an aborted signal ends it, closing the stream ends it; nothing is left', async () => {
    const { e, ring, s, done } = await setup(100, 100, 2, 2, 64);
    const held: RingChunk[] = [];
    const it = s.receiveChunks(ring);
    held.push(it.next().value!, it.next().value!);
    expect(ring.available).toBe(0);
    // Nothing could recycle a buffer while this thread waits in the ring.
    const dry = await errOf(() => it.next());
    expect(isIoError(dry) && dry.code).toBe('ERR_INVALID_STATE');
    expect(e._core.slots.inUse).toBe(0);
    let bytes = held.reduce((a, c) => a + c.bytes.byteLength, 0);
    for (const h of held.splice(0)) ring.recycle(h);
    // An AbortSignal aborted between arrivals ends the iteration at the next next().
    const ac = new AbortController();
    const it2 = s.receiveChunks(ring, { signal: ac.signal });
    while (bytes < 100) {
      const c = it2.next().value!;
      bytes += c.bytes.byteLength;
      ring.recycle(c);
    }
    ac.abort();
    const aborted = await errOf(() => it2.next());
    expect(isIoError(aborted) && aborted.code).toBe('ERR_ABORTED');
    expect(e._core.slots.inUse).toBe(0);
    // The peer's second write arrives; closing the stream inside the loop ends it.
    s.write(new TextEncoder().encode('more\n'));
    for (const c of s.receiveChunks(ring)) {
      bytes += c.bytes.byteLength;
      ring.recycle(c);
      s.close();
    }
    expect(bytes).toBeGreaterThan(100);
    expect(ring.available).toBe(ring.count);
    await done();
  });

  it('bad input is refused before anything reaches the ring', async () => {
    const { e, ring, s, done } = await setup(10, 0, 0, 2, 64);
    const other = createUringEngine({ mode: 'sync' });
    const foreign = other.createBufferRing({ count: 2, size: 64 });
    const refused = refuser(e);
    await refused(() => s.receiveChunks(foreign), 'ERR_BUFFER_FOREIGN');
    await refused(() => s.receiveChunks(ring, { max: 1 } as never), 'ERR_INVALID_ARG_VALUE');
    await refused(() => s.receiveChunks(ring, { signal: AbortSignal.abort() }), 'ERR_ABORTED');
    other.close();
    const closing = e.createBufferRing({ count: 2, size: 64 });
    closing.close();
    await refused(() => s.receiveChunks(closing), 'ERR_INVALID_STATE');
    s.close();
    await refused(() => s.receiveChunks(ring), 'EBADF');
    await done();
  });
});
