import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEpollEngine } from '@binio/engine-epoll';
import { createPosixEngine } from '@binio/engine-posix';
import { createUringEngine } from '@binio/engine-uring';
import { afterAll, describe, expect, it } from 'vitest';
import { pipeCopy, sha256OfFile, sha256OfFileWeb } from '../src/stream-hash.js';
import { startEchoServer } from '../src/tcp-echo.js';

const dir = mkdtempSync(join(tmpdir(), 'binio-examples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A Node `net` client sends `payload`, half-closes, and collects the echo. */
function echoThroughNode(address: string, payload: Buffer): Promise<Buffer> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const sock = connect({ host, port }, () => sock.end(payload));
    sock.on('data', (d) => parts.push(d));
    sock.on('end', () => resolve(Buffer.concat(parts)));
    sock.on('error', reject);
  });
}

describe('the TCP echo server', () => {
  for (const [name, make] of [
    ['epoll', () => createEpollEngine()],
    ['io_uring', () => createUringEngine({ mode: 'async' })],
    ['posix async', () => createPosixEngine({ mode: 'async' })],
  ] as const) {
    it(`echoes to several Node clients at once (${name})`, async () => {
      const engine = make();
      const server = await startEchoServer(engine);
      const payloads = [1, 1000, 300_000].map((n) => Buffer.alloc(n, n % 256));
      const echoed = await Promise.all(payloads.map((p) => echoThroughNode(server.address, p)));
      for (const [i, e] of echoed.entries()) expect(e.equals(payloads[i]!)).toBe(true);
      await server.close();
      await engine.close();
    });
  }
});

describe('Node and web stream adapters over binio files', () => {
  const data = Buffer.alloc(1_000_000).map((_, i) => i % 249);
  const path = join(dir, 'data');
  writeFileSync(path, data);
  const expected = createHash('sha256').update(data).digest('hex');

  it('hashes a file through a Readable and a ReadableStream (posix sync and io_uring)', async () => {
    const sync = createPosixEngine({ mode: 'sync' });
    expect(await sha256OfFile(sync, path)).toBe(expected);
    const uring = createUringEngine({ mode: 'async' });
    expect(await sha256OfFileWeb(uring, path)).toBe(expected);
    await uring.close();
    sync.close();
  });

  it('copies by piping a Readable into a Writable', async () => {
    const engine = createPosixEngine({ mode: 'async' });
    await pipeCopy(engine, path, join(dir, 'copy'));
    expect(readFileSync(join(dir, 'copy')).equals(data)).toBe(true);
    await engine.close();
  });
});
