import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { OutputBuffer } from '../src/index.js';
import { toReadable, toReadableStream, toWritable, toWritableStream } from '../src/streams/index.js';
import { createMemoryEngine } from '../src/testing/index.js';
import { pattern } from '../src/conformance/index.js';

async function fileWith(mode: 'sync' | 'async', bytes: Uint8Array) {
  const engine = createMemoryEngine({ mode });
  const f = await engine.create('/src');
  await f.writeAll(bytes);
  return { engine, f };
}

async function collect(r: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of r) parts.push(c);
  return Buffer.concat(parts);
}

describe.each(['sync', 'async'] as const)('stream adapters (%s engine)', (mode) => {
  it('reads a file through a Node Readable, from an offset to an end', async () => {
    const { f } = await fileWith(mode, pattern(300_000));
    const all = await collect(toReadable(f, { start: 0, chunkSize: 4096 }));
    expect(all).toEqual(Buffer.from(pattern(300_000)));
    expect(f.closed).toBe(true);
    const { f: g } = await fileWith(mode, pattern(1000));
    const part = await collect(toReadable(g, { start: 100, end: 250, chunkSize: 64 }));
    expect(part).toEqual(Buffer.from(pattern(1000).subarray(100, 250)));
  });

  it('reads a file through a web ReadableStream', async () => {
    const { f } = await fileWith(mode, pattern(70_000));
    const all = await collect(toReadableStream(f, { start: 0 }) as unknown as AsyncIterable<Uint8Array>);
    expect(all).toEqual(Buffer.from(pattern(70_000)));
  });

  it('writes through a Node Writable and a web WritableStream', async () => {
    const engine = createMemoryEngine({ mode });
    const a = await engine.create('/a');
    await pipeline(Readable.from([pattern(10), pattern(20, 1)]), toWritable(a, { autoClose: false }));
    const out = OutputBuffer.alloc(64);
    await a.readFilling(out, { offset: 0 });
    expect(out.filled).toEqual(new Uint8Array(Buffer.concat([pattern(10), pattern(20, 1)])));

    const b = await engine.create('/b');
    const ws = toWritableStream(b, { start: 5 });
    const w = ws.getWriter();
    await w.write(pattern(7));
    await w.close();
    expect(b.closed).toBe(true);
    const r = await engine.openReadOnly('/b');
    const got = OutputBuffer.alloc(64);
    await r.readFilling(got);
    expect(got.filled).toEqual(new Uint8Array([0, 0, 0, 0, 0, ...pattern(7)]));
  });
});

describe('backpressure', () => {
  it('does not read ahead of a consumer that stopped reading', async () => {
    const { f } = await fileWith('async', pattern(1 << 20));
    let reads = 0;
    const counting = {
      readInto: (o: OutputBuffer, opts?: { offset?: number }) => {
        reads++;
        return f.readInto(o, opts);
      },
      close: () => f.close(),
      get closed() {
        return f.closed;
      },
    };
    const readable = toReadable(counting, { start: 0, chunkSize: 1024, highWaterMark: 4096 });
    readable.read(0); // start filling, then consume nothing
    await new Promise((r) => setTimeout(r, 50));
    // Reading stops at the high-water mark: a few chunks, not the whole MiB.
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(6);
    readable.destroy();
  });

  it('makes a Writable report backpressure while a slow writer catches up', async () => {
    const engine = createMemoryEngine({ mode: 'async' });
    const f = await engine.create('/slow');
    engine.faults.add({ op: 'write', kind: 'delay', ms: 20, times: 4 });
    const w = toWritable(f, { highWaterMark: 16 });
    expect(w.write(pattern(64))).toBe(false);
    await new Promise<void>((resolve) => w.once('drain', resolve));
    await new Promise<void>((resolve, reject) => w.end((err?: Error | null) => (err ? reject(err) : resolve())));
    expect(await (await engine.openReadOnly('/slow')).size()).toBe(64);
  });

  it('passes reader errors to the stream and closes the handle', async () => {
    const { engine, f } = await fileWith('async', pattern(100));
    engine.faults.add({ op: 'read', kind: 'EIO' });
    await expect(collect(toReadable(f, { start: 0 }))).rejects.toMatchObject({ code: 'EIO' });
    expect(f.closed).toBe(true);
    expect(() => toReadable({} as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => new Writable()).not.toThrow();
  });
});
