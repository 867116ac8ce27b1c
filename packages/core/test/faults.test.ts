import { describe, expect, it } from 'vitest';
import { InputBuffer, OutputBuffer } from '../src/index.js';
import { createMemoryEngine } from '../src/testing/index.js';

const text = (s: string) => new TextEncoder().encode(s);

describe.each(['sync', 'async'] as const)('span loops over injected faults (%s)', (mode) => {
  async function fileWith(content: string) {
    const engine = createMemoryEngine({ mode });
    const f = await engine.create('/f');
    await f.writeAll(text(content));
    return { engine, f };
  }

  it('readFilling gathers many short reads', async () => {
    const { engine, f } = await fileWith('abcdefghij');
    engine.faults.add({ op: 'read', kind: 'short', bytes: 3, times: Number.POSITIVE_INFINITY });
    const out = OutputBuffer.alloc(10);
    expect(await f.readFilling(out, { offset: 0 })).toBe(10);
    expect(new TextDecoder().decode(out.filled)).toBe('abcdefghij');
    expect(engine.faults.log.filter((l) => l.kind === 'short')).toHaveLength(4);
  });

  it('readInto returns a short count and leaves the rest to the caller', async () => {
    const { engine, f } = await fileWith('abcdefghij');
    engine.faults.add({ op: 'read', kind: 'short', bytes: 4 });
    const out = OutputBuffer.alloc(10);
    expect(await f.readInto(out, { offset: 0 })).toBe(4);
    expect(out.initialized).toBe(4);
  });

  it('writeAll loops over short writes and consumes the input', async () => {
    const engine = createMemoryEngine({ mode });
    const f = await engine.create('/f');
    engine.faults.add({ op: 'write', kind: 'short', bytes: 2, times: 5 });
    const input = new InputBuffer(text('0123456789abc'));
    await f.writeAll(input);
    expect(input.remaining).toBe(0);
    const out = OutputBuffer.alloc(20);
    await f.readFilling(out, { offset: 0 });
    expect(new TextDecoder().decode(out.filled)).toBe('0123456789abc');
  });

  it('retries EINTR by default, surfaces it when retry is off, and stops at a limit', async () => {
    const { engine, f } = await fileWith('xyz');
    engine.faults.add({ op: 'read', kind: 'EINTR', times: 3 });
    expect(await f.readInto(OutputBuffer.alloc(3), { offset: 0 })).toBe(3);

    engine.faults.add({ op: 'read', kind: 'EINTR', times: 1 });
    await expect(Promise.resolve().then(() => f.readInto(OutputBuffer.alloc(3), { offset: 0, retryOnInterrupt: false }))).rejects.toMatchObject({ code: 'EINTR' });

    engine.faults.add({ op: 'read', kind: 'EINTR', times: 3 });
    await expect(Promise.resolve().then(() => f.readInto(OutputBuffer.alloc(3), { offset: 0, retryOnInterrupt: 2 }))).rejects.toMatchObject({ code: 'EINTR' });

    engine.faults.clear();
    engine.faults.add({ op: 'read', kind: 'EINTR', times: 2 });
    expect(await f.readInto(OutputBuffer.alloc(3), { offset: 0, retryOnInterrupt: 2 })).toBe(3);
  });

  it('surfaces ENOSPC mid-writeAll with the input consumed only by what was written', async () => {
    const engine = createMemoryEngine({ mode });
    const f = await engine.create('/f');
    engine.faults.add({ op: 'write', kind: 'short', bytes: 4 });
    engine.faults.add({ op: 'write', kind: 'ENOSPC', after: 1 });
    const input = new InputBuffer(text('0123456789'));
    await expect(Promise.resolve().then(() => f.writeAll(input))).rejects.toMatchObject({ code: 'ENOSPC', path: '/f' });
    expect(input.consumed).toBe(4);
    expect(input.ownership).toBe('caller');
    expect(await f.size()).toBe(4);
  });

  it('surfaces EAGAIN and EIO as IoErrors and gives the buffer back', async () => {
    const { engine, f } = await fileWith('data');
    engine.faults.add({ op: 'read', kind: 'EAGAIN' }).add({ op: 'read', kind: 'EIO' });
    const out = OutputBuffer.alloc(4);
    await expect(Promise.resolve().then(() => f.readInto(out, { offset: 0 }))).rejects.toMatchObject({ code: 'EAGAIN' });
    await expect(Promise.resolve().then(() => f.readInto(out, { offset: 0 }))).rejects.toMatchObject({ code: 'EIO' });
    expect(out.ownership).toBe('caller');
    expect(await f.readInto(out, { offset: 0 })).toBe(4);
  });

  it('targets faults at one path only', async () => {
    const engine = createMemoryEngine({ mode });
    engine.faults.add({ op: 'open', kind: 'EIO', path: '/bad' });
    await expect(Promise.resolve().then(() => engine.create('/bad'))).rejects.toMatchObject({ code: 'EIO' });
    await engine.create('/good');
  });

  it('refuses an unknown fault kind', () => {
    const engine = createMemoryEngine({ mode });
    expect(() => engine.faults.add({ op: 'read', kind: 'EWHAT' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
  });
});

describe('delayed completions (async)', () => {
  it('completes a delayed operation after a quicker one started later', async () => {
    const engine = createMemoryEngine({ mode: 'async' });
    const f = await engine.create('/f');
    await f.writeAll(text('abcd'));
    engine.faults.add({ op: 'read', kind: 'delay', ms: 30 });
    const order: string[] = [];
    const slow = f.readInto(OutputBuffer.alloc(2), { offset: 0 }).then(() => order.push('slow'));
    const fast = f.readInto(OutputBuffer.alloc(2), { offset: 2 }).then(() => order.push('fast'));
    await Promise.all([slow, fast]);
    expect(order).toEqual(['fast', 'slow']);
  });

  it('aborts a waiting receive through its AbortSignal', async () => {
    const engine = createMemoryEngine({ mode: 'async' });
    const sock = await engine.createUdpSocket();
    await engine.bindUdp(sock, '127.0.0.1:0');
    const ac = new AbortController();
    const out = OutputBuffer.alloc(8);
    const p = engine.recv(sock, out, { signal: ac.signal });
    ac.abort(new Error('enough'));
    await expect(p).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(out.ownership).toBe('caller');
  });
});
