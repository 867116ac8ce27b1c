import { readFileSync, writeFileSync } from 'node:fs';
import { BufferList, InputBuffer, type IoError, type Mode, OutputBuffer } from '@binio/core';
import { describe, expect, it } from 'vitest';
import { fsync, posixFadvise } from '../src/libc/file-calls.js';
import { FADV } from '../src/linux/file-constants.js';
import { fileSuite, ioError, MODES, pattern } from './helpers.js';

// Per-call RWF_* flags on readv/writev (preadv2/pwritev2), against a real
// file on the root file system (ext4 here: it has a page cache to drop).
describe.each(MODES)('RWF flags, %s', (mode: Mode) => {
  const { engine, file } = fileSuite(mode);

  it('nowait fails with EAGAIN on a region dropped from the cache and reads it once cached', async () => {
    const path = file(`nowait-${mode}`);
    const data = pattern(1 << 20, 7);
    writeFileSync(path, data);
    const f = await engine.openReadOnly(path);
    // Dropped: clean pages (written back first) leave the cache on DONTNEED.
    // A page still in some CPU's LRU batch is skipped until that batch
    // drains, so drop again (a few ms apart) until nowait says EAGAIN; a
    // nowait that never does fails the test.
    const at = 512 * 1024;
    const bytes = new Uint8Array(4096);
    const list = new BufferList([bytes]);
    let err: IoError | undefined;
    for (let i = 0; i < 50 && err === undefined; i++) {
      expect(fsync(f.fd)).toBe(0);
      expect(posixFadvise(f.fd, 0, 0, FADV.POSIX_FADV_DONTNEED)).toBe(0);
      try {
        await f.readv(new BufferList([new Uint8Array(4096)]), { offset: at, flags: ['nowait'] });
        await new Promise((r) => setTimeout(r, 10));
      } catch (e) {
        err = e as IoError;
      }
    }
    expect(err?.code).toBe('EAGAIN');
    expect(err?.syscall).toBe('preadv2');
    expect(err?.message).toMatch(/RWF_NOWAIT/);
    // The list is the caller's again; a plain read brings the region in…
    expect(await f.readv(list, { offset: at })).toBe(4096);
    expect(bytes).toEqual(data.subarray(at, at + 4096));
    // …and now it is cached, nowait reads it.
    const again = new Uint8Array(4096);
    expect(await f.readv(new BufferList([again]), { offset: at, flags: ['nowait'] })).toBe(4096);
    expect(again).toEqual(data.subarray(at, at + 4096));
    await f.close();
  });

  it('append writes at the end of the file whatever the offset', async () => {
    const path = file(`append-${mode}`);
    writeFileSync(path, 'abcdef');
    const f = await engine.openReadWrite(path);
    const list = new BufferList([new TextEncoder().encode('XY'), new TextEncoder().encode('Z')]);
    expect(await f.writev(list, { offset: 0, flags: ['append'] })).toBe(3);
    await f.close();
    expect(readFileSync(path, 'utf8')).toBe('abcdefXYZ');
  });

  it('dsync and sync writes land (durable when they return)', async () => {
    const path = file(`dsync-${mode}`);
    writeFileSync(path, '');
    const f = await engine.openReadWrite(path);
    const a = pattern(4096, 1);
    const b = pattern(4096, 2);
    expect(await f.writev(new BufferList([a]), { offset: 0, flags: ['dsync'] })).toBe(4096);
    expect(await f.writev(new BufferList([b]), { offset: 4096, flags: ['sync', 'hipri'] })).toBe(
      4096,
    );
    await f.close();
    const back = readFileSync(path);
    expect(back.subarray(0, 4096)).toEqual(Buffer.from(a));
    expect(back.subarray(4096)).toEqual(Buffer.from(b));
  });

  it('readInto and write take the same flags (one preadv2/pwritev2)', async () => {
    const path = file(`span-${mode}`);
    writeFileSync(path, 'abcdef');
    const f = await engine.openReadWrite(path);
    // A cached region: nowait reads it, into the free space after what the buffer holds.
    const out = OutputBuffer.alloc(8);
    out.append(new TextEncoder().encode('>'));
    expect(await f.readInto(out, { offset: 2, maxBytes: 3, flags: ['nowait'] })).toBe(3);
    expect(new TextDecoder().decode(out.filled)).toBe('>cde');
    // append writes at the end whatever the offset; an InputBuffer is consumed by it.
    const data = new InputBuffer(new TextEncoder().encode('XYZ'));
    expect(await f.write(data, { offset: 0, flags: ['append', 'dsync'] })).toBe(3);
    expect(data.remaining).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe('abcdefXYZ');
    // Refused before the call, and the buffers are the caller's again.
    await ioError(() => f.readInto(out, { flags: ['sync' as never] }), 'ERR_INVALID_ARG_VALUE');
    await ioError(() => f.write(data, { flags: ['fast' as never] }), 'ERR_INVALID_ARG_VALUE');
    expect(await f.readInto(out, { offset: 0 })).toBe(4);
    expect(new TextDecoder().decode(out.filled)).toBe('>cdeabcd');
    await f.close();
    await ioError(() => f.write(new Uint8Array(1), { flags: ['dsync'] }), 'EBADF');
  });

  it('refuses unknown flags, write flags on reads and a non-array before any call', async () => {
    const path = file(`bad-${mode}`);
    writeFileSync(path, 'abc');
    const f = await engine.openReadWrite(path);
    const bytes = new Uint8Array(3);
    const list = new BufferList([bytes]);
    const unknown = await ioError(
      () => f.readv(list, { flags: ['fast' as never] }),
      'ERR_INVALID_ARG_VALUE',
    );
    expect(unknown.message).toMatch(/unknown flag "fast".*hipri, nowait/);
    const writeOnly = await ioError(
      () => f.readv(list, { flags: ['append' as never] }),
      'ERR_INVALID_ARG_VALUE',
    );
    expect(writeOnly.message).toMatch(/applies to writes/);
    await ioError(() => f.writev(list, { flags: 'dsync' as never }), 'ERR_INVALID_ARG_TYPE');
    await ioError(() => f.writev(list, { flags: [0x10 as never] }), 'ERR_INVALID_ARG_VALUE');
    // Nothing was lent or read: the list reads normally afterwards, from the cursor.
    expect(await f.readv(list)).toBe(3);
    expect(new TextDecoder().decode(bytes)).toBe('abc');
    await f.close();
  });
});
