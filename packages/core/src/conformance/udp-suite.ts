import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InetSocketAddress } from '../address/index.js';
import { InputBuffer } from '../buffers/input-buffer.js';
import { OutputBuffer } from '../buffers/output-buffer.js';
import { supports } from '../capabilities.js';
import type { Mode } from '../mode.js';
import type { IoEngine } from '../traits/engine.js';
import type { UdpBasic, UdpRecv, UdpSend, UdpSocket } from '../traits/udp.js';
import { type ConformanceTarget, expectIoError, pattern, settle } from './target.js';

type UdpEngine = IoEngine<Mode> & UdpBasic<Mode> & UdpSend<Mode> & UdpRecv<Mode>;

/**
 * The UDP contract: create, bind (port 0 picks one), send, receive with the
 * sender's address, truncation flagged, batches intact and in order, closed
 * sockets and malformed addresses refused clearly.
 */
export function udpSuite(target: ConformanceTarget): void {
  describe(`${target.name}: UDP contract`, () => {
    let engine: UdpEngine;
    const open: UdpSocket<Mode>[] = [];
    const s = <T>(v: T | Promise<T>) => settle(engine.mode, v);
    const bindAt = target.udpAddress ?? '127.0.0.1:0';

    async function bound(): Promise<{ sock: UdpSocket<Mode>; addr: InetSocketAddress }> {
      const family = InetSocketAddress.parse(bindAt).family;
      const sock = await s(engine.createUdpSocket({ family }));
      open.push(sock);
      const addr = (await s(engine.bindUdp(sock, bindAt))) as InetSocketAddress;
      return { sock, addr };
    }

    beforeAll(async () => {
      engine = (await target.engine()) as UdpEngine;
    });
    afterAll(async () => {
      for (const sock of open) if (!sock.closed) await sock.close();
      await engine?.close();
    });

    it('binds to a chosen port and exchanges datagrams with the sender address', async () => {
      const a = await bound();
      const b = await bound();
      expect(a.addr.port).toBeGreaterThan(0);
      expect(b.sock.localAddress?.toString()).toBe(b.addr.toString());
      const sent = await s(engine.send(a.sock, pattern(64), b.addr));
      expect(sent).toBe(64);
      const out = OutputBuffer.alloc(2048);
      const got = await s(engine.recv(b.sock, out));
      expect(got.bytes).toBe(64);
      expect(got.truncated).toBe(false);
      expect(out.filled).toEqual(pattern(64));
      expect(got.from.toString()).toBe(a.addr.toString());
    });

    it('flags a datagram cut by a small buffer', async () => {
      const a = await bound();
      const b = await bound();
      await s(engine.send(a.sock, pattern(100), b.addr.toString()));
      const out = OutputBuffer.alloc(10);
      const got = await s(engine.recv(b.sock, out));
      expect(got.bytes).toBe(10);
      expect(got.truncated).toBe(true);
      expect(out.filled).toEqual(pattern(10));
    });

    it('sends from InputBuffers and engine buffers', async () => {
      const a = await bound();
      const b = await bound();
      await s(engine.send(a.sock, new InputBuffer(pattern(20, 1)), b.addr));
      const e = engine as IoEngine<Mode>;
      if (supports(e, 'buffer.provider') && supports(e, 'buffer.sink')) {
        const buf = e.getBuffer();
        buf.append(pattern(30, 2));
        await s(engine.send(a.sock, buf, b.addr));
        // Sending an engine buffer hands it back to the engine.
        expect(buf.ownership).toBe('pooled');
      }
      const out = OutputBuffer.alloc(100);
      await s(engine.recv(b.sock, out));
      expect(out.filled).toEqual(pattern(20, 1));
      if (supports(e, 'buffer.provider')) {
        const out2 = OutputBuffer.alloc(100);
        await s(engine.recv(b.sock, out2));
        expect(out2.filled).toEqual(pattern(30, 2));
      }
    });

    it('moves batches intact and in order when it offers them', async (ctx) => {
      if (!supports(engine as IoEngine<Mode>, 'udp.batch')) return ctx.skip();
      const e = engine as UdpEngine & import('../traits/udp.js').UdpBatch<Mode>;
      const a = await bound();
      const b = await bound();
      const batch = Array.from({ length: 32 }, (_, i) => ({ data: pattern(16 + i, i), to: b.addr }));
      let sent = 0;
      while (sent < batch.length) sent += await s(e.sendMany(a.sock, batch.slice(sent)));
      const received: Uint8Array[] = [];
      while (received.length < 32) {
        const bufs = Array.from({ length: 32 - received.length }, () => OutputBuffer.alloc(256));
        const r = await s(e.recvMany(b.sock, bufs));
        expect(r.count).toBeGreaterThan(0);
        expect(r.from).toHaveLength(r.count);
        for (let i = 0; i < r.count; i++) {
          received.push(bufs[i]!.filled.slice());
          expect(r.from[i]!.toString()).toBe(a.addr.toString());
        }
      }
      for (const [i, d] of received.entries()) expect(d).toEqual(pattern(16 + i, i));
    });

    it('refuses closed sockets and malformed addresses before sending', async () => {
      const a = await bound();
      await expectIoError(() => engine.send(a.sock, pattern(1), 'not an address'), 'ERR_INVALID_ADDRESS');
      await expectIoError(() => engine.send(a.sock, pattern(1), '127.0.0.1:99999'), 'ERR_INVALID_ADDRESS');
      await expectIoError(() => engine.createUdpSocket({ colour: 'blue' } as never), 'ERR_INVALID_ARG_VALUE');
      await s(engine.closeUdp(a.sock));
      expect(a.sock.closed).toBe(true);
      const input = new InputBuffer(pattern(4));
      await expectIoError(() => engine.send(a.sock, input, '127.0.0.1:9'), 'EBADF');
      expect(input.ownership).toBe('caller');
      await expectIoError(() => engine.recv(a.sock, OutputBuffer.alloc(4)), 'EBADF');
    });
  });
}
