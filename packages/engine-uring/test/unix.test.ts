import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect, type Socket } from 'node:net';
import { BufferList, OutputBuffer, type TcpStream } from '@binio/core';
import { createPosixEngine } from '@binio/engine-posix';
import type { ControlMessage } from '@binio/engine-posix/socket';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createUringEngine, type UringTcpStream } from '../src/index.js';
import { errOf, pattern, scratchDir } from './helpers.js';

const dir = scratchDir();
afterAll(() => dir.dispose());

const rightsOf = (control: ControlMessage[]) =>
  control.flatMap((c) => (c.kind === 'rights' ? [...c.fds] : []));

/** True when `fd` of this process has FD_CLOEXEC (from /proc/self/fdinfo: O_CLOEXEC in `flags`). */
function closeOnExec(fd: number): boolean {
  const flags = /flags:\s+([0-7]+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]!;
  return (Number.parseInt(flags, 8) & 0o2000000) !== 0;
}

describe.each(['sync', 'async'] as const)('Unix sockets over the ring (%s)', (mode) => {
  it('stream: a uring listener serves a client on the same path (node:net async, engine-posix sync)', async () => {
    const fds = fdSnapshot();
    const e = createUringEngine({ mode });
    const path = dir.file(`s-${mode}.sock`);
    const l = await e.listenUnix(path);
    expect(l.localAddress.toString()).toBe(path);
    if (mode === 'async') {
      const client = netConnect(path);
      const echoed = new Promise<Buffer>((resolve) => {
        const parts: Buffer[] = [];
        client.on('data', (d) => parts.push(d));
        client.on('end', () => resolve(Buffer.concat(parts)));
      });
      const c = await l.accept();
      client.end(Buffer.from(pattern(3000)));
      const buf = OutputBuffer.alloc(8192);
      while ((await c.readInto(buf)) > 0) {}
      expect(buf.filled).toEqual(pattern(3000));
      await c.writeAll(buf);
      await c.shutdown('write');
      expect(new Uint8Array(await echoed)).toEqual(pattern(3000));
      await c.close();
    } else {
      // A sync engine blocks the thread: the peer must be synchronous too (the kernel buffers between them).
      const posix = createPosixEngine({ mode: 'sync' });
      const client = posix.connectUnix(path);
      const c = l.accept() as TcpStream<'sync'>;
      client.writeAll(pattern(3000));
      client.shutdown('write');
      const buf = OutputBuffer.alloc(8192);
      while (c.readInto(buf) > 0) {}
      expect(buf.filled).toEqual(pattern(3000));
      c.writeAll(buf);
      c.shutdown('write');
      const back = OutputBuffer.alloc(8192);
      while (client.readInto(back) > 0) {}
      expect(back.filled).toEqual(pattern(3000));
      c.close();
      client.close();
      posix.close();
    }
    await l.close();
    await e.close();
    expect(fds.leaked()).toEqual([]);
  });

  it('stream: connectUnix reaches a node:net server (async) / engine-posix listener (sync)', async () => {
    const e = createUringEngine({ mode });
    const path = dir.file(`c-${mode}.sock`);
    if (mode === 'async') {
      const server = createServer((s: Socket) => s.pipe(s));
      await new Promise<void>((r) => server.listen(path, r));
      const c = await e.connectUnix(path);
      expect(c.remoteAddress.toString()).toBe(path);
      await c.writeAll(pattern(100));
      const out = OutputBuffer.alloc(100);
      await c.readFilling(out);
      expect(out.filled).toEqual(pattern(100));
      await c.close();
      await new Promise((r) => server.close(r));
    } else {
      const posix = createPosixEngine({ mode: 'sync' });
      const l = posix.listenUnix(path);
      const c = e.connectUnix(path) as UringTcpStream<'sync'>;
      const peer = l.accept();
      c.writeAll(pattern(100));
      const out = OutputBuffer.alloc(100);
      peer.readFilling(out);
      expect(out.filled).toEqual(pattern(100));
      c.close();
      peer.close();
      l.close();
      posix.close();
    }
    await e.close();
  });

  it('seqpacket: records keep their boundaries (engine-posix peer)', async () => {
    const e = createUringEngine({ mode });
    const posix = createPosixEngine({ mode });
    const path = `@binio-uring-seq-${mode}-${process.pid}`;
    const l = await e.listenUnix(path, { type: 'seqpacket' });
    expect(l.type).toBe('seqpacket');
    const peerP = posix.connectUnix(path, { type: 'seqpacket' });
    const c = await l.accept();
    const peer = await peerP;
    expect((c as UringTcpStream<'sync' | 'async'>).type).toBe('seqpacket');
    await peer.writeAll(pattern(10, 1));
    await peer.writeAll(pattern(20, 2));
    const a = OutputBuffer.alloc(100);
    const b = OutputBuffer.alloc(100);
    expect(await c.readInto(a)).toBe(10);
    expect(await c.readInto(b)).toBe(20);
    expect(a.filled).toEqual(pattern(10, 1));
    expect(b.filled).toEqual(pattern(20, 2));
    // A record larger than the room is cut: recvMsg says so (MSG_TRUNC on a seqpacket socket).
    await peer.writeAll(pattern(50));
    const small = OutputBuffer.alloc(8);
    const m = await e.recvMsg(c, small);
    expect(m).toMatchObject({ bytes: 8, truncated: true });
    await c.writeAll(pattern(5));
    const back = OutputBuffer.alloc(100);
    expect(await peer.readInto(back)).toBe(5);
    await peer.close();
    await c.close();
    await l.close();
    await posix.close();
    await e.close();
  });

  it('datagram: exchanges with an engine-posix peer by path, both ways', async () => {
    const e = createUringEngine({ mode });
    const posix = createPosixEngine({ mode });
    const here = dir.file(`d-${mode}-a.sock`);
    const there = dir.file(`d-${mode}-b.sock`);
    const u = await e.createUnixDatagram({ bind: here });
    const p = await posix.createUnixDatagram({ bind: there });
    await posix.send(p as never, pattern(40), here);
    const out = OutputBuffer.alloc(100);
    const got = await e.recv(u as never, out);
    expect(got.bytes).toBe(40);
    expect(got.from.toString()).toBe(there);
    expect(out.filled).toEqual(pattern(40));
    await e.send(u as never, pattern(30, 5), there);
    const back = OutputBuffer.alloc(100);
    const r = await posix.recv(p as never, back);
    expect(r.from.toString()).toBe(here);
    expect(back.filled).toEqual(pattern(30, 5));
    // An IP destination on a Unix socket is refused before submission.
    expect(await errOf(() => e.send(u as never, pattern(1), '127.0.0.1:9'))).toMatchObject({
      code: 'ERR_INVALID_ADDRESS',
    });
    await e.closeUdp(u);
    await p.close();
    await posix.close();
    await e.close();
  });

  it('sendMany stops at the first failure: what was sent is a prefix', async () => {
    const e = createUringEngine({ mode });
    const a = await e.createUnixDatagram({ bind: dir.file(`p-${mode}-a.sock`) });
    const b = await e.createUnixDatagram({ bind: dir.file(`p-${mode}-b.sock`) });
    const to = b.localAddress!;
    const nowhere = dir.file(`p-${mode}-nobody.sock`);
    const sent = await e.sendMany(a as never, [
      { data: pattern(10, 1), to },
      { data: pattern(10, 2), to: nowhere },
      { data: pattern(10, 3), to },
    ]);
    expect(sent).toBe(1);
    const bufs = [OutputBuffer.alloc(64), OutputBuffer.alloc(64), OutputBuffer.alloc(64)];
    const r = await e.recvMany(b as never, bufs);
    expect(r.count).toBe(1);
    expect(bufs[0]!.filled).toEqual(pattern(10, 1));
    // When the first one fails, the call fails with its error.
    expect(
      await errOf(() => e.sendMany(a as never, [{ data: pattern(1), to: nowhere }])),
    ).toMatchObject({ code: 'ENOENT' });
    expect(e._core.slots.inUse).toBe(0);
    await e.close();
  });

  it('sendMsg/recvMsg pass a working descriptor (SCM_RIGHTS), received close-on-exec', async () => {
    const fds = fdSnapshot();
    const e = createUringEngine({ mode });
    const file = dir.file(`rights-${mode}`);
    writeFileSync(file, 'hello through SCM_RIGHTS');
    const a = await e.createUnixDatagram({ bind: dir.file(`r-${mode}-a.sock`) });
    const b = await e.createUnixDatagram({ bind: dir.file(`r-${mode}-b.sock`) });
    const fd = openSync(file, 'r');
    const sent = await e.sendMsg(a, {
      data: pattern(3),
      to: b.localAddress,
      control: [{ kind: 'rights', fds: [fd] }],
    });
    expect(sent).toBe(3);
    closeSync(fd);
    const out = OutputBuffer.alloc(16);
    const m = await e.recvMsg(b, out);
    expect(m.bytes).toBe(3);
    expect(m.from?.toString()).toBe(a.localAddress?.toString());
    expect(m.controlTruncated).toBe(false);
    const [got] = rightsOf(m.control);
    expect(got).toBeGreaterThan(2);
    expect(closeOnExec(got!)).toBe(true);
    const text = Buffer.alloc(64);
    const n = readSync(got!, text, 0, 64, 0);
    expect(text.subarray(0, n).toString()).toBe('hello through SCM_RIGHTS');
    closeSync(got!);
    await a.close();
    await b.close();
    await e.close();
    expect(fds.leaked()).toEqual([]);
  });

  it('sendMsg gathers a BufferList over a Unix stream and carries a descriptor with it', async () => {
    const e = createUringEngine({ mode });
    const path = `@binio-uring-msg-${mode}-${process.pid}`;
    const l = await e.listenUnix(path);
    const client = await e.connectUnix(path);
    const server = await l.accept();
    const list = new BufferList([pattern(4, 1), pattern(6, 2)]);
    const file = dir.file(`rights-stream-${mode}`);
    writeFileSync(file, 'x');
    const fd = openSync(file, 'r');
    expect(await e.sendMsg(client, { data: list, control: [{ kind: 'rights', fds: [fd] }] })).toBe(
      10,
    );
    closeSync(fd);
    const out = OutputBuffer.alloc(64);
    const m = await e.recvMsg(server, out);
    expect(m.bytes).toBe(10);
    expect(m.from).toBeUndefined();
    expect(out.filled).toEqual(new Uint8Array([...pattern(4, 1), ...pattern(6, 2)]));
    const [got] = rightsOf(m.control);
    expect(closeOnExec(got!)).toBe(true);
    closeSync(got!);
    // Bad input is refused before submission: a destination on a stream, a malformed control message.
    expect(await errOf(() => e.sendMsg(client, { data: pattern(1), to: path }))).toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
    expect(
      await errOf(() =>
        e.sendMsg(client, { data: pattern(1), control: [{ kind: 'rights', fds: [] }] }),
      ),
    ).toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    await client.close();
    expect(await errOf(() => e.recvMsg(client, out))).toMatchObject({ code: 'EBADF' });
    expect(e._core.slots.inUse).toBe(0);
    await server.close();
    await l.close();
    await e.close();
  });

  it('refuses IP addresses where a Unix one is needed', async () => {
    const e = createUringEngine({ mode });
    expect(await errOf(() => e.listenUnix('127.0.0.1:0'))).toMatchObject({
      code: 'ERR_INVALID_ADDRESS',
    });
    expect(await errOf(() => e.connectUnix('127.0.0.1:1'))).toMatchObject({
      code: 'ERR_INVALID_ADDRESS',
    });
    expect(
      await errOf(() => e.listenUnix(dir.file('x'), { type: 'dgram' } as never)),
    ).toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
    await e.close();
  });
});
