import {
  BufferPool,
  type InetSocketAddress,
  InputBuffer,
  isIoError,
  OutputBuffer,
  PooledBuffer,
} from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { type PosixUdpSocket, SocketOps } from '../src/socket/index.js';

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

/** A datagram whose content says which one it is: seq in the first 4 bytes, then a pattern. */
function datagram(seq: number, size: number): Uint8Array {
  const d = new Uint8Array(size);
  new DataView(d.buffer).setUint32(0, seq);
  for (let i = 4; i < size; i++) d[i] = (seq * 31 + i) & 0xff;
  return d;
}

describe.each(['sync', 'async'] as const)('UDP, %s mode', (mode) => {
  const ops = new SocketOps({ mode });
  const fds = fdSnapshot();
  const open: PosixUdpSocket<typeof mode>[] = [];
  afterAll(async () => {
    for (const s of open) await s.close();
    expect(fds.leaked()).toEqual([]);
  });

  async function socket(family: 'ipv4' | 'ipv6' = 'ipv4', bindTo?: string) {
    const s = (await ops.createUdpSocket({ family })) as PosixUdpSocket<typeof mode>;
    open.push(s);
    const addr = (await ops.bindUdp(
      s,
      bindTo ?? (family === 'ipv4' ? '127.0.0.1:0' : '[::1]:0'),
    )) as InetSocketAddress;
    return { s, addr };
  }

  it.each(['ipv4', 'ipv6'] as const)(
    'sends and receives one datagram over %s with the sender address',
    async (family) => {
      const a = await socket(family);
      const b = await socket(family);
      expect(a.addr.family).toBe(family);
      expect(a.addr.port).toBeGreaterThan(0);
      expect(a.s.localAddress?.toString()).toBe(a.addr.toString());
      expect(await ops.send(a.s, text('hello'), b.addr)).toBe(5);
      const out = OutputBuffer.alloc(64);
      const got = await ops.recv(b.s, out);
      expect(got).toMatchObject({ bytes: 5, truncated: false });
      expect(got.from.toString()).toBe(a.addr.toString());
      expect(str(out.filled)).toBe('hello');
      expect(out.ownership).toBe('caller');
    },
  );

  it('flags a datagram cut by a small buffer and keeps the head', async () => {
    const a = await socket();
    const b = await socket();
    await ops.send(a.s, datagram(7, 100), b.addr.toString());
    const out = OutputBuffer.alloc(10);
    const got = await ops.recv(b.s, out);
    expect(got).toMatchObject({ bytes: 10, truncated: true });
    expect(out.filled).toEqual(datagram(7, 100).subarray(0, 10));
  });

  it('appends to what the buffer already holds, and consumes InputBuffers', async () => {
    const a = await socket();
    const b = await socket();
    const input = new InputBuffer(text('world'));
    expect(await ops.send(a.s, input, b.addr)).toBe(5);
    expect(input.isEmpty).toBe(true);
    const out = OutputBuffer.alloc(16).append(text('hello '));
    await ops.recv(b.s, out);
    expect(str(out.filled)).toBe('hello world');
  });

  it('sends from an IPv6 socket to an IPv4 address (IPv4-mapped)', async () => {
    const a = await socket('ipv6', '[::]:0');
    const b = await socket('ipv4', '127.0.0.1:0');
    await ops.send(a.s, text('mapped'), b.addr);
    const out = OutputBuffer.alloc(16);
    const got = await ops.recv(b.s, out);
    expect(str(out.filled)).toBe('mapped');
    expect((got.from as InetSocketAddress).port).toBe(a.addr.port);
  });

  it('connected sockets send without a destination and receive only from the peer', async () => {
    const a = await socket();
    const b = await socket();
    const c = await socket();
    await ops.connectUdp(a.s, b.addr);
    expect(a.s.remoteAddress?.toString()).toBe(b.addr.toString());
    await ops.connectUdp(b.s, a.addr);
    await ops.send(c.s, text('stranger'), b.addr); // filtered by the kernel
    await ops.send(a.s, text('peer'), undefined);
    const out = OutputBuffer.alloc(16);
    const got = await ops.recv(b.s, out);
    expect(str(out.filled)).toBe('peer');
    expect(got.from.toString()).toBe(a.addr.toString());
  });

  it('moves batches intact and in order with sendMany/recvMany', async () => {
    const a = await socket();
    const b = await socket();
    b.s.setOption('receiveBufferSize', 1 << 20);
    const total = 300;
    const sizes = Array.from({ length: total }, (_, i) => 4 + ((i * 37) % 1200));
    const all = sizes.map((size, i) => ({ data: datagram(i, size), to: b.addr }));
    let sent = 0;
    const received: Uint8Array[] = [];
    const froms = new Set<string>();
    const buffers = Array.from({ length: 64 }, () => OutputBuffer.alloc(2048));
    while (received.length < total) {
      // Keep at most 100 in flight so the receive buffer never drops.
      if (sent < total && sent - received.length < 100) {
        sent += await ops.sendMany(a.s, all.slice(sent, Math.min(total, sent + 50)));
        continue;
      }
      for (const buf of buffers) buf.reset();
      const r = await ops.recvMany(b.s, buffers);
      expect(r.count).toBeGreaterThan(0);
      expect(r.from).toHaveLength(r.count);
      expect(r.truncated.every((t) => t === false)).toBe(true);
      for (let i = 0; i < r.count; i++) {
        received.push(buffers[i]!.filled.slice());
        froms.add(r.from[i]!.toString());
      }
      for (const buf of buffers) expect(buf.ownership).toBe('caller');
    }
    expect(received.length).toBe(total);
    for (const [i, d] of received.entries()) expect(d).toEqual(datagram(i, sizes[i]!));
    expect([...froms]).toEqual([a.addr.toString()]);
  });

  it('flags each cut datagram of a batch, and grows its arrays for a larger batch', async () => {
    const a = await socket();
    const b = await socket();
    await ops.sendMany(a.s, [
      { data: datagram(1, 10), to: b.addr },
      { data: datagram(2, 50), to: b.addr.toString() },
      { data: new InputBuffer(datagram(3, 20)), to: b.addr },
    ]);
    const small = [OutputBuffer.alloc(32), OutputBuffer.alloc(32), OutputBuffer.alloc(32)];
    let got = 0;
    const truncated: boolean[] = [];
    while (got < 3) {
      const r = await ops.recvMany(b.s, small.slice(got));
      truncated.push(...r.truncated);
      got += r.count;
    }
    expect(truncated).toEqual([false, true, false]);
    expect(small.map((s) => s.initialized)).toEqual([10, 32, 20]);
    // 200 messages: more than the first batch arrays held.
    const many = Array.from({ length: 200 }, (_, i) => ({ data: datagram(i, 8), to: b.addr }));
    let sent = 0;
    while (sent < 200) sent += await ops.sendMany(a.s, many.slice(sent));
    let n = 0;
    const bufs = Array.from({ length: 200 }, () => OutputBuffer.alloc(16));
    while (n < 200) n += (await ops.recvMany(b.s, bufs.slice(n))).count;
    for (const [i, buf] of bufs.entries()) expect(buf.filled).toEqual(datagram(i, 8));
  });

  it('hands engine buffers to the consume hook once sent', async () => {
    const pool = new BufferPool({ count: 4, size: 64, engine: 'posix' });
    const consumed: unknown[] = [];
    const own = new SocketOps({
      mode,
      consume: (d) => {
        consumed.push(d);
        if (d instanceof PooledBuffer && d.pool === pool) pool.recycleBuffer(d);
      },
    });
    const a = (await own.createUdpSocket()) as PosixUdpSocket<typeof mode>;
    const b = await socket();
    try {
      const buf = pool.getBuffer();
      buf.append(text('pooled'));
      await own.send(a, buf, b.addr);
      expect(buf.ownership).toBe('pooled');
      const [x, y] = pool.getBuffers(2);
      x!.append(text('x'));
      y!.append(text('y'));
      await own.sendMany(a, [
        { data: x!, to: b.addr },
        { data: y!, to: b.addr },
      ]);
      expect(pool.available).toBe(4);
      expect(consumed).toHaveLength(3);
      const out = OutputBuffer.alloc(16);
      await ops.recv(b.s, out);
      expect(str(out.filled)).toBe('pooled');
    } finally {
      await a.close();
    }
  });

  it('receives the destination address and interface with packetInfo (recvMsg)', async () => {
    const a = await socket();
    const b = await socket();
    b.s.setOption('packetInfo', true);
    expect(b.s.getOption('packetInfo')).toBe(true);
    await ops.send(a.s, text('pi'), b.addr);
    const got = await ops.recvMsg(b.s, OutputBuffer.alloc(16));
    expect(got.bytes).toBe(2);
    expect(got.from?.toString()).toBe(a.addr.toString());
    const info = got.control.find((c) => c.kind === 'pktinfo');
    expect(info).toBeDefined();
    expect(info!.kind === 'pktinfo' && info!.address.toString()).toBe('127.0.0.1');
    expect(info!.kind === 'pktinfo' && info!.ifindex).toBeGreaterThan(0);
  });

  it('shares a port between sockets with reusePort', async () => {
    const first = (await ops.createUdpSocket({ reusePort: true })) as PosixUdpSocket<typeof mode>;
    const second = (await ops.createUdpSocket({ reusePort: true })) as PosixUdpSocket<typeof mode>;
    open.push(first, second);
    const addr = (await ops.bindUdp(first, '127.0.0.1:0')) as InetSocketAddress;
    const again = (await ops.bindUdp(second, addr)) as InetSocketAddress;
    expect(again.port).toBe(addr.port);
    expect(second.getOption('reusePort')).toBe(true);
  });

  if (mode === 'async') {
    it('waits for a datagram that comes later, without blocking the event loop', async () => {
      const a = await socket();
      const b = await socket();
      const out = OutputBuffer.alloc(16);
      const pending = ops.recv(b.s, out);
      expect(out.ownership).toBe('in-flight');
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      await new Promise((r) => setTimeout(r, 50));
      await ops.send(a.s, text('late'), b.addr);
      const got = await pending;
      clearInterval(timer);
      expect(ticks).toBeGreaterThan(2);
      expect(got.bytes).toBe(4);
      expect(str(out.filled)).toBe('late');
    });

    it('aborts a waiting receive and gives the buffer back', async () => {
      const b = await socket();
      const out = OutputBuffer.alloc(16);
      const ac = new AbortController();
      const pending = ops.recv(b.s, out, { signal: ac.signal });
      setTimeout(() => ac.abort(new Error('enough')), 20);
      await expect(pending).rejects.toMatchObject({ code: 'ERR_ABORTED' });
      expect(out.ownership).toBe('caller');
      expect(out.initialized).toBe(0);
      // The socket still works afterwards.
      const a = await socket();
      await ops.send(a.s, text('after'), b.addr);
      expect((await ops.recv(b.s, out)).bytes).toBe(5);
    });

    it('close() wakes waiting receives with EBADF and closes once they are out', async () => {
      const b = await socket();
      const bufs = [OutputBuffer.alloc(8), OutputBuffer.alloc(8)];
      const one = ops.recv(b.s, bufs[0]!);
      const many = ops.recvMany(b.s, [bufs[1]!]);
      await new Promise((r) => setTimeout(r, 20));
      const closing = b.s.close();
      // Both are watched at once: either may reject first.
      await Promise.all([
        expect(one).rejects.toMatchObject({ code: 'EBADF' }),
        expect(many).rejects.toMatchObject({ code: 'EBADF' }),
        closing,
      ]);
      expect(b.s.fd).toBe(-1);
      for (const buf of bufs) expect(buf.ownership).toBe('caller');
    });

    it('a nonBlocking socket surfaces EAGAIN instead of waiting', async () => {
      const s = (await ops.createUdpSocket({ nonBlocking: true })) as PosixUdpSocket<'async'>;
      open.push(s);
      await ops.bindUdp(s, '127.0.0.1:0');
      const out = OutputBuffer.alloc(8);
      await expect(ops.recv(s, out)).rejects.toMatchObject({ code: 'EAGAIN', syscall: 'recvfrom' });
      expect(out.ownership).toBe('caller');
    });
  } else {
    it('a nonBlocking socket surfaces EAGAIN; receiveTimeoutMs bounds a blocking receive', () => {
      const s = ops.createUdpSocket({ nonBlocking: true }) as PosixUdpSocket<'sync'>;
      const t = ops.createUdpSocket() as PosixUdpSocket<'sync'>;
      open.push(s, t);
      ops.bindUdp(s, '127.0.0.1:0');
      ops.bindUdp(t, '127.0.0.1:0');
      const out = OutputBuffer.alloc(8);
      expect(() => ops.recv(s, out)).toThrow(expect.objectContaining({ code: 'EAGAIN' }));
      expect(() => ops.recvMany(s, [out])).toThrow(
        expect.objectContaining({ code: 'EAGAIN', syscall: 'recvmmsg' }),
      );
      t.setOption('receiveTimeoutMs', 30);
      // The kernel keeps it in clock ticks: it reads back rounded up to one.
      expect(t.getOption('receiveTimeoutMs')).toBeGreaterThanOrEqual(30);
      expect(t.getOption('receiveTimeoutMs')).toBeLessThan(50);
      try {
        ops.recv(t, out);
        expect.unreachable();
      } catch (e) {
        expect(isIoError(e) && e.code).toBe('EAGAIN');
      }
      expect(out.ownership).toBe('caller');
    });
  }
});
