import { OutputBuffer } from '@binio/core';
import { createMemoryEngine } from '@binio/core/testing';
import { describe, expect, it } from 'vitest';
import { runCopyFile } from '../src/file-copy.js';
import { runTrafficGenerator, sequenceOf } from '../src/traffic-generator.js';

describe('examples on the memory engine', () => {
  it('the traffic generator sends numbered datagrams, sync', () => {
    const engine = createMemoryEngine({ mode: 'sync' });
    const rx = engine.createUdpSocket();
    const at = engine.bindUdp(rx, '127.0.0.1:0');
    const report = runTrafficGenerator(engine, { destination: at, packets: 10, payloadSize: 64 });
    expect(report).toEqual({ packets: 10, bytes: 640 });
    const seqs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const out = OutputBuffer.alloc(128);
      engine.recv(rx, out);
      seqs.push(sequenceOf(out.filled));
    }
    expect(seqs).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(engine.pool.available).toBe(engine.pool.size);
  });

  it('the traffic generator runs unchanged on an async engine', async () => {
    const engine = createMemoryEngine({ mode: 'async' });
    const rx = await engine.createUdpSocket();
    const at = await engine.bindUdp(rx, '127.0.0.1:0');
    const report = await runTrafficGenerator(engine, { destination: at, packets: 5, payloadSize: 32 });
    expect(report.bytes).toBe(160);
  });

  it('copies a file the same way in both modes', async () => {
    const data = new Uint8Array(200_000).map((_, i) => i % 253);
    const sync = createMemoryEngine({ mode: 'sync' });
    sync.create('/a').writeAll(data);
    expect(runCopyFile(sync, '/a', '/b', 4096)).toBe(data.byteLength);
    const out = OutputBuffer.alloc(data.byteLength);
    sync.openReadOnly('/b').readFilling(out);
    expect(out.filled).toEqual(data);

    const asyncEngine = createMemoryEngine({ mode: 'async' });
    await (await asyncEngine.create('/a')).writeAll(data);
    expect(await runCopyFile(asyncEngine, '/a', '/b')).toBe(data.byteLength);
  });
});
