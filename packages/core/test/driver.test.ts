import { describe, expect, it } from 'vitest';
import { type IoProgram, type Mode, OutputBuffer, drive, io, run } from '../src/index.js';
import { createMemoryEngine } from '../src/testing/index.js';
import type { FileHandler } from '../src/index.js';

function* copyFile<M extends Mode>(engine: FileHandler<M>, from: string, to: string): IoProgram<number> {
  const src = yield* io(engine.openReadOnly(from));
  const dst = yield* io(engine.create(to));
  const buf = OutputBuffer.alloc(7);
  let total = 0;
  for (;;) {
    buf.reset();
    const n = yield* io(src.readFilling(buf));
    if (n === 0) break;
    yield* io(dst.writeAll(buf));
    total += n;
  }
  yield* io(src.close());
  yield* io(dst.close());
  return total;
}

describe('the driver', () => {
  it('returns a plain value on a sync engine, with no microtask in between', () => {
    const engine = createMemoryEngine({ mode: 'sync' });
    const f = engine.create('/a');
    f.writeAll(new TextEncoder().encode('hello, generators'));
    let microtaskRan = false;
    queueMicrotask(() => {
      microtaskRan = true;
    });
    const n = run(engine, (e) => copyFile(e, '/a', '/b'));
    expect(microtaskRan).toBe(false);
    expect(n).toBe(17);
    expect(typeof (n as unknown as { then?: unknown }).then).toBe('undefined');
  });

  it('returns a Promise on an async engine, running the same code', async () => {
    const engine = createMemoryEngine({ mode: 'async' });
    const f = await engine.create('/a');
    await f.writeAll(new TextEncoder().encode('hello, generators'));
    const p = run(engine, (e) => copyFile(e, '/a', '/b'));
    expect(p).toBeInstanceOf(Promise);
    expect(await p).toBe(17);
  });

  it('throws errors into the program so it can catch them, in both modes', async () => {
    function* tryOpen<M extends Mode>(engine: FileHandler<M>): IoProgram<string> {
      try {
        yield* io(engine.openReadOnly('/missing'));
        return 'opened';
      } catch (e) {
        return (e as { code: string }).code;
      }
    }
    expect(run(createMemoryEngine({ mode: 'sync' }), tryOpen)).toBe('ENOENT');
    expect(await run(createMemoryEngine({ mode: 'async' }), tryOpen)).toBe('ENOENT');
  });

  it('refuses a Promise in sync mode and an unknown mode', () => {
    function* bad(): IoProgram<number> {
      return yield* io(Promise.resolve(1));
    }
    expect(() => drive('sync', bad())).toThrow(expect.objectContaining({ code: 'ERR_INVALID_STATE' }));
    expect(() => drive('later' as never, bad())).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
  });
});
