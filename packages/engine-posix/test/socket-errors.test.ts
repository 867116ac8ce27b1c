import { InputBuffer, isIoError, OutputBuffer } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type PosixListener,
  type PosixStream,
  type PosixUdpSocket,
  type PosixUnixDatagramSocket,
  SocketOps,
} from '../src/socket/index.js';

/** Runs `f` (sync or async) and returns the IoError it failed with. */
async function failure(
  f: () => unknown,
): Promise<{ code: string; message: string; syscall?: string }> {
  try {
    await f();
  } catch (e) {
    if (!isIoError(e)) throw e;
    return e as { code: string; message: string; syscall?: string };
  }
  throw new Error('expected an IoError, but the call succeeded');
}

describe.each(['sync', 'async'] as const)(
  'bad input is refused before the kernel, %s mode',
  (mode) => {
    const ops = new SocketOps({ mode });
    const fds = fdSnapshot();
    const open: Array<{ close(): unknown }> = [];
    afterAll(async () => {
      for (const s of open) await s.close();
      expect(fds.leaked()).toEqual([]);
    });

    async function udp() {
      const s = (await ops.createUdpSocket()) as PosixUdpSocket<typeof mode>;
      open.push(s);
      const addr = await ops.bindUdp(s, '127.0.0.1:0');
      return { s, addr };
    }

    it('async operations reject rather than throw', () => {
      if (mode !== 'async') return;
      const r = ops.createUdpSocket({ colour: 'blue' } as never);
      expect(r).toBeInstanceOf(Promise);
      return expect(r).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    });

    it('closed sockets: EBADF naming the call, buffers stay the caller’s', async () => {
      const { s, addr } = await udp();
      const [a, b] = (await ops.socketPair('stream')) as [
        PosixStream<typeof mode>,
        PosixStream<typeof mode>,
      ];
      const listener = (await ops.listenTcp('127.0.0.1:0')) as PosixListener<typeof mode>;
      await s.close();
      await a.close();
      await listener.close();
      await b.close();
      expect(s.closed).toBe(true);
      expect(s.fd).toBe(-1);
      await s.close(); // twice: a no-op
      const input = new InputBuffer(new Uint8Array(4));
      const out = OutputBuffer.alloc(8);
      const cases: Array<[() => unknown, string]> = [
        [() => ops.send(s, input, addr), 'sendto'],
        [() => ops.recv(s, out), 'recvfrom'],
        [() => ops.sendMany(s, [{ data: input, to: addr }]), 'sendmmsg'],
        [() => ops.recvMany(s, [out]), 'recvmmsg'],
        [() => ops.bindUdp(s, '127.0.0.1:0'), 'bind'],
        [() => ops.connectUdp(s, addr), 'connect'],
        [() => ops.sendMsg(s, { data: input, to: addr }), 'sendmsg'],
        [() => ops.recvMsg(s, out), 'recvmsg'],
        [() => a.readInto(out), 'recv'],
        [() => a.write(input), 'send'],
        [() => a.writeAll(input), 'send'],
        [() => a.shutdown(), 'shutdown'],
        [() => a.sendFile(0), 'sendfile'],
        [() => listener.accept(), 'accept4'],
        [() => s.setOption('reuseAddress', true), 'setsockopt'],
        [() => s.getOption('type'), 'getsockopt'],
      ];
      for (const [call, syscall] of cases) {
        const e = await failure(call);
        expect(e.code).toBe('EBADF');
        expect(e.syscall).toBe(syscall);
        expect(e.message).toContain('closed by close()');
      }
      expect(input.ownership).toBe('caller');
      expect(input.consumed).toBe(0);
      expect(out.ownership).toBe('caller');
    });

    it('handles of another engine or mode, and non-handles', async () => {
      const other = new SocketOps({ mode: mode === 'sync' ? 'async' : 'sync' });
      const foreign = (await other.createUdpSocket()) as PosixUdpSocket<'sync' | 'async'>;
      open.push(foreign);
      expect((await failure(() => ops.recv(foreign as never, OutputBuffer.alloc(1)))).code).toBe(
        'ERR_INVALID_ARG_VALUE',
      );
      expect(
        (await failure(() => ops.send({ fd: 3 } as never, new Uint8Array(1), '127.0.0.1:9'))).code,
      ).toBe('ERR_INVALID_ARG_TYPE');
      expect(
        (await failure(() => ops.sendMsg(null as never, { data: new Uint8Array(1) }))).code,
      ).toBe('ERR_INVALID_ARG_TYPE');
      expect(() => new SocketOps({ mode: 'fast' as never })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
      );
    });

    it('malformed and mismatched addresses: ERR_INVALID_ADDRESS / ERR_INVALID_ARG_VALUE', async () => {
      const { s } = await udp();
      const data = new InputBuffer(new Uint8Array(3));
      for (const bad of [
        'not an address',
        '127.0.0.1:99999',
        '1.2.3:80',
        '::1:80',
        '[::1]',
        '127.0.0.1',
      ]) {
        expect((await failure(() => ops.send(s, data, bad))).code).toBe('ERR_INVALID_ADDRESS');
      }
      // An IPv6 destination for an IPv4 socket, a Unix path for a UDP socket.
      expect((await failure(() => ops.send(s, data, '[::1]:9'))).code).toBe('ERR_INVALID_ADDRESS');
      expect((await failure(() => ops.send(s, data, '/tmp/x.sock'))).code).toBe(
        'ERR_INVALID_ADDRESS',
      );
      expect((await failure(() => ops.bindUdp(s, '[::1]:0'))).code).toBe('ERR_INVALID_ARG_VALUE');
      expect(data.ownership).toBe('caller');
      // A Unix path longer than sun_path holds.
      expect((await failure(() => ops.connectUnix(`/tmp/${'x'.repeat(120)}`))).code).toBe(
        'ERR_INVALID_ADDRESS',
      );
      expect(
        (await failure(() => ops.createUnixDatagram({ bind: `/${'y'.repeat(107)}` }))).code,
      ).toBe('ERR_INVALID_ADDRESS');
      expect((await failure(() => ops.connectTcp('/tmp/x.sock'))).code).toBe(
        'ERR_INVALID_ARG_VALUE',
      );
      expect((await failure(() => ops.listenUnix('127.0.0.1:80'))).code).toBe(
        'ERR_INVALID_ARG_VALUE',
      );
      expect((await failure(() => ops.connectTcp('example.com:80'))).code).toBe(
        'ERR_INVALID_ADDRESS',
      );
      // No destination on an unconnected socket.
      expect((await failure(() => ops.send(s, data, undefined))).code).toBe(
        'ERR_INVALID_ARG_VALUE',
      );
    });

    it('absurd lengths and counts: ERR_OUT_OF_RANGE', async () => {
      const { s, addr } = await udp();
      const huge = new InputBuffer(new Uint8Array(65508));
      const e = await failure(() => ops.send(s, huge, addr));
      expect(e.code).toBe('ERR_OUT_OF_RANGE');
      expect(e.message).toContain('65507');
      expect(huge.ownership).toBe('caller');
      expect(
        (
          await failure(() =>
            ops.sendMany(s, [
              { data: new Uint8Array(1), to: addr },
              { data: huge, to: addr },
            ]),
          )
        ).code,
      ).toBe('ERR_OUT_OF_RANGE');
      expect(huge.ownership).toBe('caller');
      expect((await failure(() => ops.recvMany(s, []))).code).toBe('ERR_OUT_OF_RANGE');
      const many = Array.from({ length: 1025 }, () => OutputBuffer.alloc(1));
      expect((await failure(() => ops.recvMany(s, many))).code).toBe('ERR_OUT_OF_RANGE');
      expect(many.every((b) => b.ownership === 'caller')).toBe(true);
      expect(
        (await failure(() => ops.recvMsg(s, OutputBuffer.alloc(1), { controlLength: 1e9 }))).code,
      ).toBe('ERR_OUT_OF_RANGE');
      expect((await failure(() => ops.listenTcp('127.0.0.1:0', { backlog: -1 }))).code).toBe(
        'ERR_OUT_OF_RANGE',
      );
      expect((await failure(() => ops.listenTcp('127.0.0.1:0', { backlog: 1e12 }))).code).toBe(
        'ERR_OUT_OF_RANGE',
      );
      const [a, b] = (await ops.socketPair('stream')) as [
        PosixStream<typeof mode>,
        PosixStream<typeof mode>,
      ];
      open.push(a, b);
      const out = OutputBuffer.alloc(8);
      expect((await failure(() => a.readInto(out, { maxBytes: -1 }))).code).toBe(
        'ERR_OUT_OF_RANGE',
      );
      expect((await failure(() => a.readInto(out, { maxBytes: 2 ** 40 }))).code).toBe(
        'ERR_OUT_OF_RANGE',
      );
      expect(out.ownership).toBe('caller');
      expect((await failure(() => a.sendFile(-1))).code).toBe('ERR_OUT_OF_RANGE');
      expect((await failure(() => a.sendFile(0, { offset: -5 }))).code).toBe('ERR_OUT_OF_RANGE');
      expect((await failure(() => a.sendFile(0, { length: 1.5 }))).code).toBe('ERR_OUT_OF_RANGE');
      const rights = Array.from({ length: 300 }, () => 0);
      expect(
        (
          await failure(() =>
            ops.sendMsg(a, { data: new Uint8Array(1), control: [{ kind: 'rights', fds: rights }] }),
          )
        ).code,
      ).toBe('ERR_OUT_OF_RANGE');
      expect((await failure(() => ops.createUdpSocket({ receiveBufferSize: -5 }))).code).toBe(
        'ERR_INVALID_ARG_VALUE',
      );
    });

    it('unknown options, wrong option values, options that do not apply', async () => {
      const { s, addr } = await udp();
      const unknown: Array<() => unknown> = [
        () => ops.createUdpSocket({ colour: 'blue' } as never),
        () => ops.send(s, new Uint8Array(1), addr, { timeout: 5 } as never),
        () => ops.recvMany(s, [OutputBuffer.alloc(1)], { batch: 2 } as never),
        () => ops.connectTcp('127.0.0.1:9', { timeout: 5 } as never),
        () => ops.listenTcp('127.0.0.1:0', { queue: 5 } as never),
        () => ops.listenUnix('@x', { type: 'dgram' } as never),
        () => ops.sendMsg(s, { data: new Uint8Array(1), to: addr, flags: 1 } as never),
        () => ops.recvMsg(s, OutputBuffer.alloc(1), { flags: 1 } as never),
        () => s.setOption('nope' as never, 1 as never),
        () => s.setOption('noDelay', true), // TCP only
        () => s.setOption('error' as never, 1 as never), // read-only
        () => s.setOption('reusePort', 'yes' as never),
        () => s.setOption('receiveBufferSize', -1),
        () => s.getOption('peerCredentials'), // Unix only
        () => ops.createUdpSocket({ family: 'ipx' as never }),
        () => ops.createUdpSocket({ protocol: 'sctp' as never }),
        () => ops.createUdpSocket({ v6Only: true }),
      ];
      for (const call of unknown) expect((await failure(call)).code).toBe('ERR_INVALID_ARG_VALUE');
      const e = await failure(() => s.setOption('noDelay', true));
      expect(e.message).toContain('applies to TCP sockets; this is a UDP socket');
      const [a, b] = (await ops.socketPair('stream')) as [
        PosixStream<typeof mode>,
        PosixStream<typeof mode>,
      ];
      open.push(a, b);
      expect((await failure(() => a.readInto(OutputBuffer.alloc(1), { offset: 0 }))).code).toBe(
        'ERR_INVALID_ARG_VALUE',
      );
      expect((await failure(() => a.shutdown('sideways' as never))).code).toBe(
        'ERR_INVALID_ARG_VALUE',
      );
      expect(
        (
          await failure(() =>
            ops.sendMsg(a, { data: new Uint8Array(1), control: [{ kind: 'magic' } as never] }),
          )
        ).code,
      ).toBe('ERR_INVALID_ARG_VALUE');
    });

    it('buffers already in flight, and an already aborted signal', async () => {
      const { s, addr } = await udp();
      const out = OutputBuffer.alloc(8);
      const other = OutputBuffer.alloc(8);
      // The same buffer twice in one batch: refused, the first one given back.
      expect((await failure(() => ops.recvMany(s, [other, out, out]))).code).toBe(
        'ERR_BUFFER_IN_FLIGHT',
      );
      expect(out.ownership).toBe('caller');
      expect(other.ownership).toBe('caller');
      const ac = new AbortController();
      ac.abort();
      expect((await failure(() => ops.recv(s, out, { signal: ac.signal }))).code).toBe(
        'ERR_ABORTED',
      );
      expect((await failure(() => ops.connectTcp(addr, { signal: ac.signal }))).code).toBe(
        'ERR_ABORTED',
      );
      expect(out.ownership).toBe('caller');
      if (mode === 'async') {
        const pending = ops.recv(s, out);
        expect((await failure(() => ops.recv(s, out))).code).toBe('ERR_BUFFER_IN_FLIGHT');
        expect(() => out.free).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_IN_FLIGHT' }));
        const peer = (await ops.createUdpSocket()) as PosixUdpSocket<'async'>;
        open.push(peer);
        await ops.send(peer, new Uint8Array([1]), addr);
        expect((await pending).bytes).toBe(1);
      }
    });

    it('datagram sockets of the wrong kind, and streams given a destination', async () => {
      const [a, b] = (await ops.socketPair('stream')) as [
        PosixStream<typeof mode>,
        PosixStream<typeof mode>,
      ];
      const [d, e] = (await ops.socketPair('dgram')) as [
        PosixUnixDatagramSocket<typeof mode>,
        PosixUnixDatagramSocket<typeof mode>,
      ];
      open.push(a, b, d, e);
      expect((await failure(() => ops.send(a as never, new Uint8Array(1), '@x'))).code).toBe(
        'ERR_INVALID_ARG_TYPE',
      );
      expect(
        (await failure(() => ops.sendMsg(a, { data: new Uint8Array(1), to: '@x' }))).code,
      ).toBe('ERR_INVALID_ARG_VALUE');
      expect((await failure(() => ops.send(d, new Uint8Array(1), '127.0.0.1:9'))).code).toBe(
        'ERR_INVALID_ADDRESS',
      );
    });
  },
);
