import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ALL_CAPABILITIES,
  IoError,
  type IoEngine,
  type UdpSend,
  isIoError,
  requireCapabilities,
  retryLimit,
  supports,
} from '../src/index.js';
import { createMemoryEngine } from '../src/testing/index.js';

describe('capabilities', () => {
  it('narrows with supports() and reports what is missing with requireCapabilities()', () => {
    const engine: IoEngine<'sync'> = createMemoryEngine({ mode: 'sync' });
    if (supports(engine, 'udp.send')) {
      expectTypeOf(engine.send).toEqualTypeOf<UdpSend<'sync'>['send']>();
    }
    const narrow: IoEngine<'sync'> = { name: 'tiny', mode: 'sync', capabilities: new Set(['file.openReadOnly']), close() {} };
    let err: unknown;
    try {
      requireCapabilities(narrow, ['file.openReadOnly', 'udp.send', 'udp.recv']);
    } catch (e) {
      err = e;
    }
    expect(isIoError(err)).toBe(true);
    expect((err as IoError).code).toBe('ERR_MISSING_CAPABILITY');
    expect((err as IoError).message).toBe("Engine 'tiny' lacks 'udp.send', 'udp.recv'; it offers: file.openReadOnly");
    requireCapabilities(engine, ['file.create', 'udp.batch']);
    expect(ALL_CAPABILITIES.every((c) => engine.capabilities.has(c))).toBe(true);
  });
});

describe('IoError', () => {
  it('is recognised across copies of core through a global symbol', () => {
    const foreign = Object.assign(Object.create({ [Symbol.for('binio.IoError')]: true }), { code: 'EIO' });
    expect(isIoError(foreign)).toBe(true);
    expect(isIoError(new Error('x'))).toBe(false);
    expect(isIoError(null)).toBe(false);
    const e = new IoError({ code: 'ENOENT', errno: 2, syscall: 'open', path: '/x', engine: 'posix' });
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe("ENOENT: open failed, path '/x' (engine posix)");
  });

  it('turns retryOnInterrupt into a retry limit, refusing nonsense', () => {
    expect(retryLimit(undefined)).toBe(Number.POSITIVE_INFINITY);
    expect(retryLimit(true)).toBe(Number.POSITIVE_INFINITY);
    expect(retryLimit(false)).toBe(0);
    expect(retryLimit(3)).toBe(3);
    expect(() => retryLimit(-1)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => retryLimit(1.5)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
  });
});
