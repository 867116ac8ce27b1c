import {
  closeSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferList, OutputBuffer, type UnixSocketAddress } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ControlMessage,
  type PosixListener,
  type PosixStream,
  type PosixUnixDatagramSocket,
  SocketOps,
} from '../src/socket/index.js';

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);
const rightsOf = (control: ControlMessage[]) =>
  control.flatMap((c) => (c.kind === 'rights' ? [...c.fds] : []));

describe.each(['sync', 'async'] as const)('Unix sockets, %s mode', (mode) => {
  const ops = new SocketOps({ mode });
  const fds = fdSnapshot();
  const dir = mkdtempSync(join(tmpdir(), 'binio-unix-'));
  type Closeable = { close(): unknown };
  const open: Closeable[] = [];
  afterAll(async () => {
    for (const s of open) await s.close();
    rmSync(dir, { recursive: true, force: true });
    expect(fds.leaked()).toEqual([]);
  });

  it('stream: listens on a path, connects, exchanges bytes, and sees EOF', async () => {
    const path = join(dir, `stream-${mode}.sock`);
    const listener = (await ops.listenUnix(path)) as PosixListener<typeof mode>;
    open.push(listener);
    expect(listener.localAddress.toString()).toBe(path);
    const client = (await ops.connectUnix(path)) as PosixStream<typeof mode>;
    const server = (await listener.accept()) as PosixStream<typeof mode>;
    open.push(client, server);
    expect(client.remoteAddress.toString()).toBe(path);
    expect(server.localAddress.toString()).toBe(path);
    expect((server.remoteAddress as UnixSocketAddress).kind).toBe('unnamed');
    await client.writeAll(text('over unix'));
    await client.shutdown('write');
    const out = OutputBuffer.alloc(64);
    expect(await server.readFilling(out)).toBe(9);
    expect(str(out.filled)).toBe('over unix');
    // The peer's credentials, from the kernel.
    expect(server.getOption('peerCredentials')).toEqual({
      pid: process.pid,
      uid: process.getuid!(),
      gid: process.getgid!(),
    });
    // A second listener on the same path finds it taken.
    await expect(Promise.resolve().then(() => ops.listenUnix(path))).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });

  it('SCM_RIGHTS passes working descriptors: a file and a socket', async () => {
    const [a, b] = (await ops.socketPair('stream')) as [
      PosixStream<typeof mode>,
      PosixStream<typeof mode>,
    ];
    const [x, y] = (await ops.socketPair('stream')) as [
      PosixStream<typeof mode>,
      PosixStream<typeof mode>,
    ];
    open.push(a, b, x, y);
    const file = join(dir, `rights-${mode}.txt`);
    writeFileSync(file, 'the file behind the descriptor');
    const fileFd = openSync(file, 'r');
    try {
      const sent = await ops.sendMsg(a, {
        data: text('fds'),
        control: [{ kind: 'rights', fds: [fileFd, x.fd] }],
      });
      expect(sent).toBe(3);
      const got = await ops.recvMsg(b, OutputBuffer.alloc(16));
      expect(got.bytes).toBe(3);
      expect(got.controlTruncated).toBe(false);
      const [fileCopy, sockCopy] = rightsOf(got.control);
      expect(fileCopy).toBeGreaterThan(2);
      expect(fileCopy).not.toBe(fileFd);
      // The received file descriptor reads the file.
      const buf = Buffer.alloc(64);
      const n = readSync(fileCopy!, buf, 0, 64, 0);
      expect(buf.subarray(0, n).toString()).toBe('the file behind the descriptor');
      // The received socket descriptor talks to y.
      writeSync(sockCopy!, 'via the copy');
      const out = OutputBuffer.alloc(32);
      await y.readInto(out);
      expect(str(out.filled)).toBe('via the copy');
      closeSync(fileCopy!);
      closeSync(sockCopy!);
    } finally {
      closeSync(fileFd);
    }
  });

  it('reports control messages that did not fit (MSG_CTRUNC)', async () => {
    const [a, b] = (await ops.socketPair('dgram')) as [
      PosixUnixDatagramSocket<typeof mode>,
      PosixUnixDatagramSocket<typeof mode>,
    ];
    open.push(a, b);
    const f1 = openSync(__filename, 'r');
    const f2 = openSync(__filename, 'r');
    try {
      await ops.sendMsg(a, { data: text('x'), control: [{ kind: 'rights', fds: [f1, f2] }] });
      // Room for one descriptor only: the kernel closes the one that does not fit.
      const got = await ops.recvMsg(b, OutputBuffer.alloc(4), { controlLength: 20 });
      expect(got.controlTruncated).toBe(true);
      for (const fd of rightsOf(got.control)) closeSync(fd);
    } finally {
      closeSync(f1);
      closeSync(f2);
    }
  });

  it('credentials: passCredentials receives the sender pid, uid and gid', async () => {
    const [a, b] = (await ops.socketPair('dgram')) as [
      PosixUnixDatagramSocket<typeof mode>,
      PosixUnixDatagramSocket<typeof mode>,
    ];
    open.push(a, b);
    b.setOption('passCredentials', true);
    await ops.send(a, text('who'), undefined);
    const got = await ops.recvMsg(b, OutputBuffer.alloc(8));
    expect(got.control).toContainEqual({
      kind: 'credentials',
      pid: process.pid,
      uid: process.getuid!(),
      gid: process.getgid!(),
    });
  });

  it('datagram: bound sockets exchange datagrams and batches with their paths', async () => {
    const pa = join(dir, `dgram-a-${mode}.sock`);
    const pb = join(dir, `dgram-b-${mode}.sock`);
    const a = (await ops.createUnixDatagram({ bind: pa })) as PosixUnixDatagramSocket<typeof mode>;
    const b = (await ops.createUnixDatagram({ bind: pb })) as PosixUnixDatagramSocket<typeof mode>;
    open.push(a, b);
    expect(a.localAddress?.toString()).toBe(pa);
    await ops.send(a, text('one'), pb);
    const out = OutputBuffer.alloc(8);
    const got = await ops.recv(b, out);
    expect(got.from.toString()).toBe(pa);
    expect(str(out.filled)).toBe('one');
    // A Unix datagram queue holds few datagrams (net.unix.max_dgram_qlen,
    // 10 by default; a blocking sender waits beyond it): send 8 at a time.
    const batch = Array.from({ length: 24 }, (_, i) => ({ data: text(`msg ${i}`), to: pb }));
    const bufs = Array.from({ length: 24 }, () => OutputBuffer.alloc(16));
    let sent = 0;
    let n = 0;
    while (n < 24) {
      if (sent === n) sent += await ops.sendMany(a, batch.slice(sent, sent + 8));
      const r = await ops.recvMany(b, bufs.slice(n, sent));
      for (const f of r.from) expect(f.toString()).toBe(pa);
      n += r.count;
    }
    expect(bufs.map((x) => str(x.filled))).toEqual(batch.map((_, i) => `msg ${i}`));
  });

  it('datagram: abstract names work without a file', async () => {
    const name = `@binio-test-${process.pid}-${mode}`;
    const a = (await ops.createUnixDatagram({ bind: name })) as PosixUnixDatagramSocket<
      typeof mode
    >;
    const b = (await ops.createUnixDatagram()) as PosixUnixDatagramSocket<typeof mode>;
    open.push(a, b);
    expect(a.localAddress?.toString()).toBe(name);
    await ops.send(b, text('abstract'), name);
    const out = OutputBuffer.alloc(16);
    await ops.recv(a, out);
    expect(str(out.filled)).toBe('abstract');
  });

  it('seqpacket: records keep their boundaries; a cut record says so', async () => {
    const name = `@binio-seq-${process.pid}-${mode}`;
    const listener = (await ops.listenUnix(name, { type: 'seqpacket' })) as PosixListener<
      typeof mode
    >;
    open.push(listener);
    const client = (await ops.connectUnix(name, { type: 'seqpacket' })) as PosixStream<typeof mode>;
    const server = (await listener.accept()) as PosixStream<typeof mode>;
    open.push(client, server);
    expect(server.getOption('type')).toBe(5);
    await client.write(text('first record'));
    await client.write(text('second'));
    await client.write(text('third'));
    const small = OutputBuffer.alloc(5);
    expect(await server.readRecord(small)).toEqual({ bytes: 5, truncated: true });
    expect(str(small.filled)).toBe('first');
    const out = OutputBuffer.alloc(64);
    // One record per read, never merged.
    expect(await server.readInto(out)).toBe(6);
    expect(await server.readRecord(out)).toEqual({ bytes: 5, truncated: false });
    expect(str(out.filled)).toBe('secondthird');
  });

  it('gathered sends and scattered receives (BufferList) over a socket pair', async () => {
    const [a, b] = (await ops.socketPair('seqpacket')) as [
      PosixStream<typeof mode>,
      PosixStream<typeof mode>,
    ];
    open.push(a, b);
    const list = new BufferList([text('ab'), text('cd'), text('ef')]);
    expect(await ops.sendMsg(a, { data: list })).toBe(6);
    expect(list.remaining).toBe(0);
    const into = new BufferList([new Uint8Array(4), new Uint8Array(4)]);
    const got = await ops.recvMsg(b, into);
    expect(got).toMatchObject({ bytes: 6, truncated: false });
    expect(str(into.gather())).toBe('abcdef');
  });
});
