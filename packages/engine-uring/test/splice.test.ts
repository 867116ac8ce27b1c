import { readFileSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { isIoError, type Mode } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createUringEngine, type UringEngine, type UringTcpStream } from '../src/index.js';
import { errOf, pattern, scratchDir } from './helpers.js';

const dir = scratchDir();
afterAll(() => dir.dispose());
let n = 0;

/** Moves `total` bytes from `from` (at `fromAt`, or a pipe) to `to` through `pipe`, 64 KiB at a time. */
async function through(
  e: UringEngine<Mode>,
  src: { fd: number },
  dst: { fd: number },
  total: number,
  fileOut: boolean,
): Promise<void> {
  const p = e.pipe();
  let done = 0;
  while (done < total) {
    const inPipe = await e.splice(src, done, p.writeFd, undefined, Math.min(65536, total - done));
    expect(inPipe).toBeGreaterThan(0);
    let left = inPipe;
    while (left > 0) {
      left -= await e.splice(
        p.readFd,
        undefined,
        dst,
        fileOut ? done + inPipe - left : undefined,
        left,
      );
    }
    done += inPipe;
  }
  await p.close();
}

describe.each(['sync', 'async'] as const)('splice and tee (%s)', (mode) => {
  it('file → pipe → file moves every byte, at the offsets given', async () => {
    const fds = fdSnapshot();
    const data = pattern(300_000, 7);
    const srcPath = dir.file(`s${n++}`);
    const dstPath = dir.file(`d${n++}`);
    writeFileSync(srcPath, data);
    const e = createUringEngine({ mode });
    const src = await e.openReadOnly(srcPath);
    const dst = await e.create(dstPath);
    await through(e, src, dst, data.byteLength, true);
    await src.close();
    await dst.close();
    expect(Buffer.from(readFileSync(dstPath)).equals(Buffer.from(data))).toBe(true);
    await e.close();
    expect(fds.leaked()).toEqual([]);
  });

  it('file → pipe → TCP socket reaches a Node peer intact', async () => {
    const fds = fdSnapshot();
    const data = pattern(200_000, 3);
    const path = dir.file(`t${n++}`);
    writeFileSync(path, data);
    const chunks: Buffer[] = [];
    let ended!: () => void;
    const received = new Promise<void>((r) => {
      ended = r;
    });
    const server = createServer((s) => {
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('end', () => {
        s.destroy();
        ended();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const e = createUringEngine({ mode });
    const file = await e.openReadOnly(path);
    const sock = (await e.connectTcp(`127.0.0.1:${port}`)) as UringTcpStream<Mode>;
    // Loopback buffers hold 200 KB, so the sync engine never waits for the peer here.
    await through(e, file, sock, data.byteLength, false);
    await sock.shutdown('write');
    await received;
    expect(Buffer.concat(chunks).equals(Buffer.from(data))).toBe(true);
    await sock.close();
    await file.close();
    await e.close();
    await new Promise((r) => server.close(r));
    expect(fds.leaked()).toEqual([]);
  });

  it('tee duplicates pipe contents without consuming them', async () => {
    const fds = fdSnapshot();
    const e = createUringEngine({ mode });
    const a = e.pipe();
    const b = e.pipe();
    const msg = Buffer.from('binio tees this through the ring');
    writeSync(a.writeFd, msg);
    expect(await e.tee(a.readFd, b.writeFd, 4096)).toBe(msg.byteLength);
    const fromB = Buffer.alloc(100);
    const fromA = Buffer.alloc(100);
    expect(readSync(b.readFd, fromB)).toBe(msg.byteLength);
    expect(readSync(a.readFd, fromA)).toBe(msg.byteLength); // still there in A
    expect(fromA.subarray(0, msg.byteLength).equals(msg)).toBe(true);
    expect(fromB.subarray(0, msg.byteLength).equals(msg)).toBe(true);
    await e.close(); // closes both pipes
    expect(a.closed && b.closed).toBe(true);
    expect(fds.leaked()).toEqual([]);
  });

  it('bad input is refused before submission and leaves nothing behind', async () => {
    const fds = fdSnapshot();
    const path = dir.file(`b${n++}`);
    writeFileSync(path, pattern(4096));
    const e = createUringEngine({ mode });
    const p = e.pipe();
    const ro = await e.openReadOnly(path);
    const closed = await e.openReadOnly(path);
    await closed.close();
    const cases: Array<[() => unknown, string]> = [
      [() => e.splice(closed, 0, p.writeFd, undefined, 10), 'EBADF'],
      [() => e.splice(ro, -1, p.writeFd, undefined, 10), 'ERR_OUT_OF_RANGE'],
      [() => e.splice(ro, 1.5, p.writeFd, undefined, 10), 'ERR_INVALID_ARG_TYPE'],
      [() => e.splice(ro, 0, p.writeFd, undefined, -1), 'ERR_OUT_OF_RANGE'],
      [() => e.splice(ro, 0, p.writeFd, undefined, 2 ** 32), 'ERR_OUT_OF_RANGE'],
      [() => e.splice(p.readFd, undefined, ro, 0, 10), 'EBADF'], // read-only file as the target
      [() => e.splice(-3, undefined, p.writeFd, undefined, 10), 'ERR_INVALID_ARG_VALUE'],
      [() => e.splice('3' as never, undefined, p.writeFd, undefined, 10), 'ERR_INVALID_ARG_TYPE'],
      [
        () => e.splice(ro, 0, p.writeFd, undefined, 10, { nonblock: true } as never),
        'ERR_INVALID_ARG_VALUE',
      ],
      [() => e.tee(p.readFd, p.writeFd, 10, { more: 'yes' } as never), 'ERR_INVALID_ARG_TYPE'],
      [() => e.tee(closed, p.writeFd, 10), 'EBADF'],
    ];
    for (const [f, code] of cases) {
      const err = await errOf(f);
      expect(isIoError(err) ? err.code : err, String(f)).toBe(code);
      expect(e.ring.unsubmitted).toBe(0);
      expect(e._core.slots.inUse).toBe(0);
    }
    // The kernel's own refusal (TEE needs two pipes) still comes back as an IoError.
    const kernel = await errOf(() => e.tee(ro, p.writeFd, 10));
    expect(isIoError(kernel) && kernel.code).toBe('EINVAL');
    await ro.close();
    await e.close();
    const after = await errOf(() => e.splice(3, undefined, 4, undefined, 1));
    expect(isIoError(after) && after.code).toBe('ERR_CLOSED');
    expect(fds.leaked()).toEqual([]);
  });
});

describe('splice (async): waiting on an empty pipe', () => {
  it('an AbortSignal cancels it; closing the pipe cancels it too', async () => {
    const fds = fdSnapshot();
    const e = createUringEngine({ mode: 'async' });
    const a = e.pipe();
    const b = e.pipe();
    const ac = new AbortController();
    const waiting = errOf(() =>
      e.splice(a.readFd, undefined, b.writeFd, undefined, 100, { signal: ac.signal }),
    );
    await e.nop(); // it reached the kernel and waits there
    ac.abort();
    const err = await waiting;
    expect(isIoError(err) && err.code).toBe('ERR_ABORTED');
    const second = (
      e.splice(a.readFd, undefined, b.writeFd, undefined, 100) as Promise<number>
    ).then(
      (v) => v,
      (x: unknown) => x,
    );
    await e.nop();
    await a.close();
    // Closing both ends ends it: the kernel reports end of input (0) or the cancel, never a hang.
    const r = await second;
    expect(r === 0 || isIoError(r)).toBe(true);
    expect(e._core.slots.inUse).toBe(0);
    await b.close();
    await e.close();
    expect(fds.leaked()).toEqual([]);
  });
});
