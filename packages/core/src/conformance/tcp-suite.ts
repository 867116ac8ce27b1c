import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputBuffer } from '../buffers/output-buffer.js';
import type { Mode } from '../mode.js';
import type { Closeable } from '../traits/handle.js';
import type { IoEngine } from '../traits/engine.js';
import type { TcpConnect, TcpListen, TcpListener, TcpStream } from '../traits/tcp.js';
import { type ConformanceTarget, expectIoError, pattern, settle } from './target.js';

type TcpEngine = IoEngine<Mode> & TcpConnect<Mode> & TcpListen<Mode>;

/**
 * The TCP contract: listen on a chosen port, connect, accept, move bytes
 * both ways with span reads and writes, half-close (the peer reads EOF as 0),
 * refused connections as ECONNREFUSED, connections as an async iterable on
 * async engines.
 */
export function tcpSuite(target: ConformanceTarget): void {
  describe(`${target.name}: TCP contract`, () => {
    let engine: TcpEngine;
    const handles: Closeable<Mode>[] = [];
    const s = <T>(v: T | Promise<T>) => settle(engine.mode, v);
    const at = target.tcpAddress ?? '127.0.0.1:0';

    async function pair(): Promise<{ l: TcpListener<Mode>; c: TcpStream<Mode>; srv: TcpStream<Mode> }> {
      const l = (await s(engine.listenTcp(at))) as TcpListener<Mode>;
      handles.push(l);
      expect(l.localAddress.toString()).not.toMatch(/:0$/);
      // Connect before accepting: the kernel completes the handshake from
      // the backlog, so this order works for sync engines too.
      const c = await s(engine.connectTcp(l.localAddress));
      handles.push(c);
      const srv = await s(l.accept());
      handles.push(srv);
      return { l, c, srv };
    }

    beforeAll(async () => {
      engine = (await target.engine()) as TcpEngine;
    });
    afterAll(async () => {
      for (const h of handles) if (!h.closed) await h.close();
      await engine?.close();
    });

    it('connects, accepts and moves bytes both ways', async () => {
      const { c, srv } = await pair();
      expect(srv.remoteAddress.toString()).toBe(c.localAddress.toString());
      await s(c.writeAll(pattern(100_000)));
      const got = OutputBuffer.alloc(100_000);
      expect(await s(srv.readFilling(got))).toBe(100_000);
      expect(got.filled).toEqual(pattern(100_000));
      await s(srv.writeAll(pattern(10, 3)));
      const back = OutputBuffer.alloc(10);
      await s(c.readFilling(back));
      expect(back.filled).toEqual(pattern(10, 3));
    });

    it('half-closes: the peer reads what was sent, then EOF as 0', async () => {
      const { c, srv } = await pair();
      await s(c.writeAll(pattern(5)));
      await s(c.shutdown('write'));
      const out = OutputBuffer.alloc(64);
      expect(await s(srv.readFilling(out))).toBe(5);
      expect(await s(srv.readInto(OutputBuffer.alloc(8)))).toBe(0);
      // The other direction still works after a half-close.
      await s(srv.writeAll(pattern(3)));
      const back = OutputBuffer.alloc(3);
      expect(await s(c.readFilling(back))).toBe(3);
    });

    it('refuses a connection to a port nobody listens on', async () => {
      const l = (await s(engine.listenTcp(at))) as TcpListener<Mode>;
      const addr = l.localAddress;
      await s(l.close());
      await expectIoError(() => engine.connectTcp(addr), 'ECONNREFUSED');
    });

    it('refuses offsets, closed streams and bad arguments clearly', async () => {
      const { c } = await pair();
      await expectIoError(() => c.readInto(OutputBuffer.alloc(4), { offset: 0 }), 'ERR_INVALID_ARG_VALUE');
      await expectIoError(() => c.shutdown('sideways' as never), 'ERR_INVALID_ARG_VALUE');
      await expectIoError(() => engine.listenTcp(at, { backlog: -1 }), 'ERR_OUT_OF_RANGE');
      await s(c.close());
      await expectIoError(() => c.write(pattern(1)), 'EBADF');
      await expectIoError(() => engine.connectTcp('localhost:80'), 'ERR_INVALID_ADDRESS');
    });

    it('yields connections as an async iterable (multi-shot accept)', async (ctx) => {
      if (engine.mode !== 'async') return ctx.skip();
      const l = (await engine.listenTcp(at)) as TcpListener<'async'> & AsyncIterable<TcpStream<'async'>>;
      handles.push(l);
      const clients = await Promise.all([0, 1, 2].map(() => engine.connectTcp(l.localAddress) as Promise<TcpStream<Mode>>));
      handles.push(...clients);
      const seen: string[] = [];
      for await (const conn of l) {
        handles.push(conn);
        seen.push(conn.remoteAddress.toString());
        if (seen.length === 3) break;
      }
      expect(seen.sort()).toEqual(clients.map((c) => c.localAddress.toString()).sort());
    });

    it('holds a read buffer in flight while it waits for data (async)', async (ctx) => {
      if (engine.mode !== 'async') return ctx.skip();
      const { c, srv } = await pair();
      const out = OutputBuffer.alloc(16);
      const pending = srv.readInto(out) as Promise<number>;
      expect(() => out.free).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_IN_FLIGHT' }));
      await expectIoError(() => srv.readInto(out), 'ERR_BUFFER_IN_FLIGHT');
      await c.writeAll(pattern(16));
      const n = await pending;
      expect(n).toBeGreaterThan(0);
      expect(out.filled).toEqual(pattern(16).subarray(0, n));
    });
  });
}
