import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Mode, OutputBuffer, type UdpRecv, type UdpSocket } from '@binio/core';
import { addonUnavailableReason, createDpdkEngine, Eal } from '@binio/engine-dpdk';
import { createEpollEngine } from '@binio/engine-epoll';
import { createPosixEngine } from '@binio/engine-posix';
import { createUringEngine } from '@binio/engine-uring';
import { afterAll, describe, expect, it } from 'vitest';
import { runCopyFile } from '../src/file-copy.js';
import { runTrafficGenerator, sequenceOf, type TrafficEngine } from '../src/traffic-generator.js';

const dir = mkdtempSync(join(tmpdir(), 'binio-examples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Receives `count` datagrams on `sock` and returns their sequence numbers. */
async function sequences<M extends Mode>(engine: UdpRecv<M>, sock: UdpSocket<M>, count: number): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = 0; i < count; i++) {
    const out = OutputBuffer.alloc(2048);
    await engine.recv(sock, out);
    seqs.push(sequenceOf(out.filled));
  }
  return seqs;
}

/** The same generator, unchanged, on one engine: send 16 datagrams to a socket of that engine. */
async function generateOn<M extends Mode>(engine: TrafficEngine<M> & UdpRecv<M>, bindAt: string): Promise<void> {
  const rx = await engine.createUdpSocket();
  const at = await engine.bindUdp(rx, bindAt);
  const report = await runTrafficGenerator(engine, { destination: at, source: bindAt, packets: 16, payloadSize: 64 });
  expect(report).toEqual({ packets: 16, bytes: 16 * 64 });
  expect(await sequences(engine, rx, 16)).toEqual([...Array(16).keys()]);
  await engine.closeUdp(rx);
}

describe('the TrafficGenerator, unchanged on every engine', () => {
  it('posix, sync', async () => {
    const engine = createPosixEngine({ mode: 'sync' });
    await generateOn(engine, '127.0.0.1:0');
    engine.close();
  });

  it('posix, async', async () => {
    const engine = createPosixEngine({ mode: 'async' });
    await generateOn(engine, '127.0.0.1:0');
    await engine.close();
  });

  it('io_uring, sync', async () => {
    const engine = createUringEngine({ mode: 'sync' });
    await generateOn(engine, '127.0.0.1:0');
    engine.close();
  });

  it('io_uring, async', async () => {
    const engine = createUringEngine({ mode: 'async' });
    await generateOn(engine, '127.0.0.1:0');
    await engine.close();
  });

  it('epoll', async () => {
    const engine = createEpollEngine();
    await generateOn(engine, '127.0.0.1:0');
    await engine.close();
  });

  const dpdkMissing = addonUnavailableReason() ?? (process.getuid?.() === 0 ? undefined : 'DPDK needs root');
  it.runIf(!dpdkMissing)(`dpdk on net_ring0${dpdkMissing ? ` (skipped: ${dpdkMissing})` : ''}`, async () => {
    const eal = Eal.init({ vdevs: ['net_ring0'], filePrefix: `binio-examples-${process.pid}` });
    try {
      const engine = createDpdkEngine({ eal, port: 'net_ring0', address: '10.9.0.1/24', receiveTimeout: 5000 });
      await generateOn(engine, '10.9.0.1:0');
      engine.close();
    } finally {
      eal.cleanup();
    }
  });
});

describe('the file copy, written once', () => {
  const data = new Uint8Array(3 * 65536 + 123).map((_, i) => (i * 7) % 251);
  const from = join(dir, 'from');
  writeFileSync(from, data);

  it('runs sync on the posix engine (a value, not a Promise)', () => {
    const engine = createPosixEngine({ mode: 'sync' });
    const n = runCopyFile(engine, from, join(dir, 'to-posix'));
    expect(n).toBe(data.byteLength);
    expect(new Uint8Array(readFileSync(join(dir, 'to-posix')))).toEqual(data);
    engine.close();
  });

  it('runs async on the io_uring engine', async () => {
    const engine = createUringEngine({ mode: 'async' });
    const p = runCopyFile(engine, from, join(dir, 'to-uring'));
    expect(p).toBeInstanceOf(Promise);
    expect(await p).toBe(data.byteLength);
    expect(new Uint8Array(readFileSync(join(dir, 'to-uring')))).toEqual(data);
    await engine.close();
  });
});
