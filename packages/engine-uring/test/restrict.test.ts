import { writeFileSync } from 'node:fs';
import { InputBuffer, OutputBuffer } from '@binio/core';
import { afterAll, describe, expect, it } from 'vitest';
import { Kind } from '../src/engine/slots.js';
import { createUringEngine } from '../src/index.js';
import { Op } from '../src/uring/abi.js';
import { pattern, scratchDir } from './helpers.js';

const dir = scratchDir();
afterAll(() => dir.dispose());

describe.each(['sync', 'async'] as const)('restrictions from capabilities (%s)', (mode) => {
  it('allows what the capabilities need; binio and the kernel refuse the rest', async () => {
    const p = dir.file(`r-${mode}`);
    writeFileSync(p, pattern(100));
    const e = createUringEngine({
      mode,
      capabilities: ['file.openReadOnly', 'file.close', 'handle.reader'],
    });
    expect([...e.capabilities].sort()).toEqual([
      'file.close',
      'file.openReadOnly',
      'handle.reader',
    ]);
    const f = await e.openReadOnly(p);
    const out = OutputBuffer.alloc(100);
    expect(await f.readFilling(out, { offset: 0 })).toBe(100);
    // fsync is not among them: refused before submission.
    expect(() => f.fsync()).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED' }));
    // Submitted anyway, past binio's check, the kernel refuses it too.
    const core = e._core;
    const s = core.begin(
      mode === 'sync' ? Kind.SYNC : Kind.VALUE,
      Op.FSYNC,
      f.fd,
      0,
      0,
      0,
      undefined,
    );
    const r =
      mode === 'sync'
        ? (() => {
            try {
              return core.finishSync(s, 0, p);
            } catch (x) {
              return x;
            }
          })()
        : await core.finishAsync(s, 0, undefined, p).catch((x) => x);
    expect(r).toMatchObject({ code: 'EACCES', syscall: 'fsync' });
    await f.close();
    await e.close();
  });

  it('a refused operation gives its buffer back', async () => {
    const p = dir.file(`w-${mode}`);
    writeFileSync(p, pattern(10));
    const e = createUringEngine({ mode, capabilities: ['file.openReadWrite', 'handle.reader'] });
    const f = await e.openReadWrite(p);
    const input = new InputBuffer(pattern(4));
    expect(() => f.write(input)).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED' }));
    expect(input.ownership).toBe('caller');
    expect(input.consumed).toBe(0);
    await e.close();
  });

  it('refuses capabilities the engine cannot offer', () => {
    // The engine now offers every capability core names: ask for one it does not know.
    expect(() => createUringEngine({ mode, capabilities: ['udp.multicast' as never] })).toThrow(
      expect.objectContaining({ code: 'ERR_MISSING_CAPABILITY' }),
    );
  });
});

describe('engine options', () => {
  it('refuses unknown and bad options before any ring exists', () => {
    expect(() => createUringEngine({ mode: 'async', bogus: 1 } as never)).toThrow(
      /Unknown createUringEngine option 'bogus'/,
    );
    expect(() => createUringEngine({ mode: 'nope' as never })).toThrow(/mode must be/);
    expect(() => createUringEngine({ mode: 'sync', entries: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
    expect(() => createUringEngine({ mode: 'sync', sqpoll: true, taskRun: 'defer' })).toThrow(
      /cannot be combined/,
    );
    expect(() => createUringEngine({ mode: 'sync', buffers: { count: 0 } })).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
  });

  it.each([
    ['coop', { taskRun: 'coop' }],
    ['none', { taskRun: 'none' }],
    ['sqpoll', { sqpoll: { idleMs: 10 } }],
  ] as const)('runs file IO with %s', async (_n, extra) => {
    const p = dir.file(`o-${_n}`);
    for (const mode of ['sync', 'async'] as const) {
      const e = createUringEngine({ mode, ...extra });
      const f = await e.create(p, { exclusive: false });
      await f.writeAll(pattern(5000));
      const out = OutputBuffer.alloc(5000);
      expect(await f.readFilling(out, { offset: 0 })).toBe(5000);
      expect(Buffer.from(out.filled).equals(pattern(5000))).toBe(true);
      await e.close();
    }
  });
});
