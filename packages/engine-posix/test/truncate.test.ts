import { readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Mode } from '@binio/core';
import { describe, expect, it } from 'vitest';
import { fileSuite, ioError, MODES } from './helpers.js';

// truncate(size) is ftruncate(2) on the handle, against a real file.
describe.each(MODES)('truncate, %s', (mode: Mode) => {
  const { engine, file } = fileSuite(mode);

  it('cuts a file and extends it with zeros', async () => {
    const path = file(`t-${mode}`);
    writeFileSync(path, 'abcdef');
    const f = await engine.openReadWrite(path);
    await f.truncate(3);
    expect(readFileSync(path, 'utf8')).toBe('abc');
    expect(await f.size()).toBe(3);
    await f.truncate(8);
    expect([...readFileSync(path)]).toEqual([97, 98, 99, 0, 0, 0, 0, 0]);
    await f.truncate(0);
    expect(statSync(path).size).toBe(0);
    await f.close();
  });

  it('refuses a read-only or closed handle and a bad size before the call', async () => {
    const path = file(`r-${mode}`);
    writeFileSync(path, 'abcdef');
    const ro = await engine.openReadOnly(path);
    await ioError(() => (ro as unknown as { truncate(n: number): unknown }).truncate(1), 'EBADF');
    await ro.close();
    const f = await engine.openWriteOnly(path);
    await ioError(() => f.truncate(-1), 'ERR_OUT_OF_RANGE');
    await ioError(() => f.truncate(1.5), 'ERR_INVALID_ARG_TYPE');
    await ioError(() => f.truncate('2' as never), 'ERR_INVALID_ARG_TYPE');
    await f.close();
    await ioError(() => f.truncate(1), 'EBADF');
    expect(readFileSync(path, 'utf8')).toBe('abcdef');
  });
});
