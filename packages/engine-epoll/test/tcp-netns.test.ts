import { type InetSocketAddress, InputBuffer, OutputBuffer } from '@binio/core';
import { type Netns, createNetns, fdSnapshot, netnsUnavailableReason } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EpollEngine, createEpollEngine } from '../src/index.js';
import { startPeer } from './helpers.js';

const reason = netnsUnavailableReason();

// A Node `net` echo server inside the namespace: a real, independent peer
// on the far end of a veth pair.
const ECHO = `
import net from 'node:net';
const srv = net.createServer((s) => { s.on('data', (d) => s.write(d)); s.on('end', () => s.end()); s.on('error', () => {}); });
srv.listen(Number(process.argv[2]), process.argv[1], () => console.log('ready'));
`;

// A Node client inside the namespace: sends a payload, half-closes, prints what came back.
const CLIENT = `
import net from 'node:net';
const [host, port, size] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const out = Buffer.alloc(size); for (let i = 0; i < size; i++) out[i] = (i * 7) % 251;
const c = net.connect(port, host, () => { c.end(out); });
let got = 0; let sum = 0;
c.on('data', (d) => { for (const b of d) sum = (sum + b) % 1000003; got += d.length; });
c.on('end', () => console.log(JSON.stringify({ got, sum })));
`;

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7) % 251;
  return b;
}

describe.skipIf(reason !== undefined)(
  `TCP with a peer in another network namespace${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let ns: Netns;
    let engine: EpollEngine;
    let fds: ReturnType<typeof fdSnapshot>;
    beforeAll(() => {
      fds = fdSnapshot();
      ns = createNetns();
      engine = createEpollEngine();
    });
    afterAll(async () => {
      await engine?.close();
      ns?.destroy();
      expect(fds.leaked()).toEqual([]);
    });

    for (const family of ['ipv4', 'ipv6'] as const) {
      it(`echoes 4 MiB through a Node echo server across the veth (${family})`, async () => {
        const host = family === 'ipv4' ? ns.peerIPv4 : ns.peerIPv6!;
        const echo = await startPeer(ns, ECHO, [host, '7007']);
        try {
          const at = family === 'ipv4' ? `${host}:7007` : `[${host}]:7007`;
          const c = await engine.connectTcp(at, { timeout: 5000 });
          expect(c.remoteAddress.toString()).toBe(at);
          expect(c.localAddress.toString()).toContain(
            family === 'ipv4' ? ns.hostIPv4! : ns.hostIPv6!,
          );
          const size = 4 << 20;
          const data = pattern(size);
          const back = OutputBuffer.alloc(size);
          // Write and read at once: the echo fills our receive buffer while we write.
          const [, got] = await Promise.all([
            (async () => {
              await c.writeAll(new InputBuffer(data));
              await c.shutdown('write');
            })(),
            c.readFilling(back),
          ]);
          expect(got).toBe(size);
          expect(Buffer.from(back.filled).equals(Buffer.from(data))).toBe(true);
          // The peer ended too: EOF is 0, not an error.
          expect(await c.readInto(OutputBuffer.alloc(16))).toBe(0);
          await c.close();
        } finally {
          await echo.stop();
        }
      });
    }

    it('serves a Node client in the namespace from an epoll listener on the host end', async () => {
      const l = await engine.listenTcp(`${ns.hostIPv4!}:0`);
      const serving = (async () => {
        const s = await l.accept({ timeout: 10_000 });
        expect(s.remoteAddress.toString()).toMatch(
          new RegExp(`^${ns.peerIPv4.replaceAll('.', '\\.')}:`),
        );
        const buf = OutputBuffer.alloc(65536);
        for (;;) {
          buf.reset();
          const n = await s.readInto(buf);
          if (n === 0) break;
          await s.writeAll(buf);
        }
        await s.shutdown('write');
        await s.close();
      })();
      const size = 1 << 20;
      const run = await ns.runNode({ code: CLIENT }, [
        ns.hostIPv4!,
        String((l.localAddress as InetSocketAddress).port),
        String(size),
      ]);
      await serving;
      expect(run.stderr).toBe('');
      const expected = pattern(size).reduce((s, b) => (s + b) % 1000003, 0);
      expect(JSON.parse(run.stdout)).toEqual({ got: size, sum: expected });
      await l.close();
    });
  },
);
