import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type InetSocketAddress, InputBuffer, isIoError, OutputBuffer } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { type PosixListener, type PosixStream, SocketOps } from '../src/socket/index.js';

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

function pattern(size: number, seed = 1): Uint8Array {
  const d = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    d[i] = x >>> 24;
  }
  return d;
}

/** Byte equality without vitest's element-by-element diff (seconds on megabytes). */
function expectSameBytes(got: Uint8Array, want: Uint8Array): void {
  expect(got.length).toBe(want.length);
  const equal =
    Buffer.compare(
      Buffer.from(got.buffer, got.byteOffset, got.length),
      Buffer.from(want.buffer, want.byteOffset, want.length),
    ) === 0;
  if (!equal) {
    const at = got.findIndex((b, i) => b !== want[i]);
    expect.fail(`bytes differ first at offset ${at}`);
  }
}

/**
 * A peer in another process (Node's net): reads everything until the FIN,
 * then answers with the byte count and SHA-256 of what it got.
 */
function hashingPeer(): Promise<{ port: number; done: Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const net = require('net'), crypto = require('crypto');
       const srv = net.createServer((c) => {
         const h = crypto.createHash('sha256'); let n = 0;
         c.on('data', (d) => { h.update(d); n += d.length; });
         c.on('end', () => { c.end(n + ' ' + h.digest('hex')); srv.close(); });
       });
       srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve) => {
    child.stdout
      .setEncoding('utf8')
      .once('data', (d: string) =>
        resolve({ port: Number(d.trim()), done: new Promise((r) => child.on('close', () => r())) }),
      );
  });
}

describe.each(['sync', 'async'] as const)('TCP, %s mode', (mode) => {
  const ops = new SocketOps({ mode });
  const fds = fdSnapshot();
  const open: Array<PosixStream<typeof mode> | PosixListener<typeof mode>> = [];
  const dir = mkdtempSync(join(tmpdir(), 'binio-tcp-'));
  afterAll(async () => {
    for (const s of open) await s.close();
    rmSync(dir, { recursive: true, force: true });
    expect(fds.leaked()).toEqual([]);
  });

  async function connected(host = '127.0.0.1') {
    const listener = (await ops.listenTcp(
      `${host.includes(':') ? `[${host}]` : host}:0`,
    )) as PosixListener<typeof mode>;
    open.push(listener);
    const client = (await ops.connectTcp(listener.localAddress)) as PosixStream<typeof mode>;
    const server = (await listener.accept()) as PosixStream<typeof mode>;
    open.push(client, server);
    return { listener, client, server };
  }

  it.each(['127.0.0.1', '::1'])('connects, accepts and exchanges bytes over %s', async (host) => {
    const { listener, client, server } = await connected(host);
    expect((listener.localAddress as InetSocketAddress).port).toBeGreaterThan(0);
    expect(client.remoteAddress.toString()).toBe(listener.localAddress.toString());
    expect(server.remoteAddress.toString()).toBe(client.localAddress.toString());
    expect(client.getOption('noDelay')).toBe(true);
    expect(await client.write(text('ping'))).toBe(4);
    const out = OutputBuffer.alloc(16);
    expect(await server.readInto(out)).toBe(4);
    expect(str(out.filled)).toBe('ping');
    await server.writeAll(text('pong'));
    const back = OutputBuffer.alloc(4);
    expect(await client.readFilling(back)).toBe(4);
    expect(str(back.filled)).toBe('pong');
  });

  it('reads short when less has arrived, honours maxBytes, and reads 0 after the FIN', async () => {
    const { client, server } = await connected();
    await client.writeAll(text('abcdef'));
    const out = OutputBuffer.alloc(100);
    expect(await server.readInto(out, { maxBytes: 2 })).toBe(2);
    // Partial read: the buffer has room for 98 more, 4 are there.
    expect(await server.readInto(out)).toBe(4);
    expect(str(out.filled)).toBe('abcdef');
    await client.shutdown('write');
    expect(await server.readInto(out)).toBe(0);
    // A full buffer reads nothing and does not wait.
    const full = OutputBuffer.alloc(1).append(text('x'));
    expect(await server.readInto(full)).toBe(0);
  });

  it('writeAll pushes 8 MiB to a peer in another process intact', async () => {
    const peer = await hashingPeer();
    const data = pattern(8 << 20, 3);
    const s = (await ops.connectTcp(`127.0.0.1:${peer.port}`)) as PosixStream<typeof mode>;
    open.push(s);
    const input = new InputBuffer(data);
    await s.writeAll(input);
    expect(input.isEmpty).toBe(true);
    await s.shutdown('write');
    const reply = OutputBuffer.alloc(200);
    await s.readFilling(reply);
    expect(str(reply.filled)).toBe(
      `${data.length} ${createHash('sha256').update(data).digest('hex')}`,
    );
    await s.close();
    await peer.done;
  });

  it('transfers sendFile ranges without copying through JS', async () => {
    const path = join(dir, `file-${mode}`);
    // Small enough to sit in the socket buffers while nobody reads (sync mode).
    const content = pattern(60_000, 9);
    writeFileSync(path, content);
    const fd = openSync(path, 'r');
    try {
      const { client, server } = await connected();
      const sent = await client.sendFile(fd, { offset: 1000, length: 40_000 });
      expect(sent).toBe(40_000);
      // Without offset: from the file's cursor (0) to the end.
      expect(await client.sendFile({ fd })).toBe(60_000);
      // Past the end: nothing.
      expect(await client.sendFile(fd, { offset: 60_000, length: 10 })).toBe(0);
      await client.shutdown('write');
      const out = OutputBuffer.alloc(200_000);
      expect(await server.readFilling(out)).toBe(100_000);
      expectSameBytes(out.filled.subarray(0, 40_000), content.subarray(1000, 41_000));
      expectSameBytes(out.filled.subarray(40_000), content);
      // The cursor moved to the end: nothing more to send.
      const rest = Buffer.alloc(1);
      expect(readSync(fd, rest)).toBe(0);
    } finally {
      closeSync(fd);
    }
  });

  it('vectored writes and reads (writev/readv) move the list cursor', async () => {
    const { BufferList } = await import('@binio/core');
    const { client, server } = await connected();
    const list = new BufferList([text('one '), text('two '), text('three')]);
    let n = 0;
    while (list.remaining > 0) n += await client.writev(list);
    expect(n).toBe(13);
    const into = new BufferList([new Uint8Array(5), new Uint8Array(8)]);
    while (into.remaining > 0) await server.readv(into);
    expect(str(into.gather())).toBe('one two three');
  });

  it('refuses a connection to a closed port with ECONNREFUSED and leaves no descriptor', async () => {
    const listener = (await ops.listenTcp('127.0.0.1:0')) as PosixListener<typeof mode>;
    const addr = listener.localAddress;
    await listener.close();
    const before = fdSnapshot();
    await expect(Promise.resolve().then(() => ops.connectTcp(addr))).rejects.toMatchObject({
      code: 'ECONNREFUSED',
      syscall: 'connect',
      address: addr.toString(),
    });
    expect(before.leaked()).toEqual([]);
  });

  it('closeAll closes every socket one SocketOps opened, accepted ones included', async () => {
    const own = new SocketOps({ mode });
    const listener = (await own.listenTcp('127.0.0.1:0')) as PosixListener<typeof mode>;
    const client = (await own.connectTcp(listener.localAddress)) as PosixStream<typeof mode>;
    const server = (await listener.accept()) as PosixStream<typeof mode>;
    const udp = await own.createUdpSocket();
    const pair = await own.socketPair('stream');
    expect(own.openSockets).toBe(6);
    const waiting = mode === 'async' ? server.readInto(OutputBuffer.alloc(4)) : undefined;
    await own.closeAll();
    for (const s of [listener, client, server, udp, ...pair]) expect(s.closed).toBe(true);
    expect(own.openSockets).toBe(0);
    if (waiting) await expect(waiting).rejects.toMatchObject({ code: 'EBADF' });
  });

  if (mode === 'async') {
    it('partial writes on small buffers: writeAll and readFilling meet halfway', async () => {
      const { client, server } = await connected();
      // Small next to the data (smaller ones make loopback TCP itself crawl:
      // a 4 KiB window moves ~70 KB/s here, with or without binio).
      client.setOption('sendBufferSize', 32768);
      server.setOption('receiveBufferSize', 32768);
      const data = pattern(2 << 20, 5);
      const out = OutputBuffer.alloc(data.length);
      const writing = client.writeAll(data);
      const reading = server.readFilling(out);
      await writing;
      expect(await reading).toBe(data.length);
      expectSameBytes(out.filled, data);
    });

    it('accept waits; an abort or a close wakes it; the listener iterates connections', async () => {
      const listener = (await ops.listenTcp('127.0.0.1:0')) as PosixListener<'async'>;
      open.push(listener);
      const ac = new AbortController();
      const waiting = listener.accept({ signal: ac.signal });
      setTimeout(() => ac.abort(), 20);
      await expect(waiting).rejects.toMatchObject({ code: 'ERR_ABORTED' });
      const seen: string[] = [];
      const iterating = (async () => {
        for await (const conn of listener as unknown as AsyncIterable<PosixStream<'async'>>) {
          seen.push(conn.remoteAddress.toString());
          await conn.close();
        }
      })();
      const c1 = (await ops.connectTcp(listener.localAddress)) as PosixStream<'async'>;
      const c2 = (await ops.connectTcp(listener.localAddress)) as PosixStream<'async'>;
      open.push(c1, c2);
      while (seen.length < 2) await new Promise((r) => setTimeout(r, 5));
      await listener.close();
      await iterating;
      expect(seen.sort()).toEqual([c1.localAddress.toString(), c2.localAddress.toString()].sort());
    });
  } else {
    it('partial writes on small buffers: a nonBlocking write takes what fits, then EAGAIN', () => {
      const listener = ops.listenTcp('127.0.0.1:0') as PosixListener<'sync'>;
      const client = ops.connectTcp(listener.localAddress, {
        nonBlocking: true,
      }) as PosixStream<'sync'>;
      const server = listener.accept() as PosixStream<'sync'>;
      open.push(listener, client, server);
      client.setOption('sendBufferSize', 4096);
      server.setOption('receiveBufferSize', 4096);
      const data = pattern(1 << 20, 7);
      const input = new InputBuffer(data);
      const first = client.write(input);
      expect(first).toBeGreaterThan(0);
      expect(first).toBeLessThan(data.length);
      expect(input.consumed).toBe(first);
      let more = 0;
      try {
        for (;;) more += client.write(input);
      } catch (e) {
        expect(isIoError(e) && e.code).toBe('EAGAIN');
      }
      expect(input.ownership).toBe('caller');
      const queued = first + more;
      expect(queued).toBeLessThan(data.length);
      // The peer reads what was queued, in pieces no larger than asked.
      const out = OutputBuffer.alloc(queued);
      while (!out.isFull) {
        const n = server.readInto(out, { maxBytes: 1000 });
        expect(n).toBeGreaterThan(0);
        expect(n).toBeLessThanOrEqual(1000);
      }
      expectSameBytes(out.filled, data.subarray(0, queued));
    });
  }
});
