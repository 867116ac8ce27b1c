import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Mode, OutputBuffer } from '@binio/core';
import { ext4LoopMount, fdSnapshot, type LoopMount, loopDeviceMissing } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPosixEngine, type PosixEngine } from '../src/index.js';
import { pread } from '../src/libc/file-calls.js';
import { lastErrno } from '../src/libc/lib.js';
import { expectBytes, ioError, MODES, pattern } from './helpers.js';

// O_DIRECT on a real block device: testkit's ext4 image on a loop device
// with 4096-byte logical blocks.

const why = loopDeviceMissing();
if (why) console.warn(`[engine-posix] O_DIRECT loop-device suite skipped: ${why}`);

describe.skipIf(why !== undefined)(
  'O_DIRECT on an ext4 image on a loop device (4096-byte sectors)',
  () => {
    let loop: LoopMount;
    let device = '';
    let mnt = '';
    let fds: ReturnType<typeof fdSnapshot>;

    beforeAll(() => {
      fds = fdSnapshot();
      loop = ext4LoopMount();
      device = loop.device;
      mnt = loop.mountPoint;
    });

    afterAll(() => {
      loop?.dispose();
      expect(fds.leaked()).toEqual([]);
    });

    it('the device really has 4096-byte logical blocks', () => {
      expect(execFileSync('blockdev', ['--getss', device], { encoding: 'utf8' }).trim()).toBe(
        '4096',
      );
    });

    describe.each(MODES)('%s', (mode: Mode) => {
      let engine: PosixEngine<Mode>;
      beforeAll(() => {
        engine = createPosixEngine({ mode });
      });
      afterAll(() => engine.close());

      it('opens with O_DIRECT and learns the alignment from the kernel', async () => {
        const f = await engine.create(join(mnt, `a-${mode}`), { direct: true });
        const flags = Number.parseInt(
          /flags:\s+(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${f.fd}`, 'utf8'))![1]!,
          8,
        );
        expect(flags & 0o40000).toBe(0o40000);
        expect(f.direct).toBe(true);
        expect(f.directAlignment?.offset).toBe(4096);
        expect(await f.preferredBlockSize()).toBe(4096);
        await f.close();
      });

      it('reads and writes with aligned engine buffers', async () => {
        const p = join(mnt, `b-${mode}`);
        const f = await engine.create(p, { direct: true });
        const [w, r] = engine.getBuffers(2);
        w!.append(pattern(65536, 9));
        await f.writeAll(w!, { offset: 8192 });
        expect(statSync(p).size).toBe(8192 + 65536);
        expect(await f.readFilling(r!, { offset: 8192 })).toBe(65536);
        expectBytes(r!.filled, pattern(65536, 9));
        const owned = await f.readAtOffset(0);
        expect(owned.initialized).toBe(65536);
        expectBytes(owned.filled.subarray(8192), pattern(65536 - 8192, 9));
        engine.recycleBuffers([w!, r!, owned as never]);
        await f.close();
      });

      it('refuses a misaligned buffer, offset or length with a clear error, before the syscall', async () => {
        const p = join(mnt, `c-${mode}`);
        const f = await engine.create(p, { direct: true });
        const aligned = engine.getBuffer();
        aligned.append(pattern(8192));
        await f.writeAll(aligned, { offset: 0 });
        engine.recycleBuffer(aligned);

        // One byte past an aligned address is misaligned for any rule but 1.
        const raw = engine.getBuffer();
        const shifted = new OutputBuffer(raw.bytes.subarray(1, 1 + 4096));
        const e1 = await ioError(() => f.readInto(shifted, { offset: 0 }), 'ERR_MISALIGNED');
        expect(e1.message).toMatch(
          /buffer address .* is not a multiple of \d+ bytes.*getBuffer\(\)/,
        );
        expect(shifted.ownership).toBe('caller');

        const buf = engine.getBuffer();
        const e2 = await ioError(() => f.readInto(buf, { offset: 512 }), 'ERR_MISALIGNED');
        expect(e2.message).toContain('file offset (512) is not a multiple of 4096');
        const e3 = await ioError(
          () => f.readInto(buf, { offset: 0, maxBytes: 1000 }),
          'ERR_MISALIGNED',
        );
        expect(e3.message).toContain('length (1000)');
        const e4 = await ioError(
          () => f.write(new Uint8Array(4096), { offset: 4096 }),
          'ERR_MISALIGNED',
        );
        expect(e4.code).toBe('ERR_MISALIGNED');
        expect(buf.ownership).toBe('caller');
        expect(buf.initialized).toBe(0);
        expect(statSync(p).size).toBe(8192);

        // The kernel would indeed have refused it (EINVAL): the rule is real.
        expect(pread(f.fd, buf.bytes, 4096, 512)).toBe(-1);
        expect(lastErrno()).toBe(22);
        engine.recycleBuffers([raw, buf]);
        await f.close();
      });

      it('opens the block device itself: size from BLKGETSIZE64, logical block size from BLKSSZGET', async () => {
        const d = await engine.openReadOnly(device, { direct: true });
        expect(await d.size()).toBe(64 * 1024 * 1024);
        expect(d.directAlignment?.offset).toBe(4096);
        const out = engine.getBuffer();
        expect(await d.readInto(out, { offset: 1024 * 1024 })).toBe(65536);
        engine.recycleBuffer(out);
        const again = engine.getBuffer();
        await ioError(() => d.readInto(again, { offset: 100 }), 'ERR_MISALIGNED');
        engine.recycleBuffer(again);
        await ioError(() => d.readInto(again, { offset: 0 }), 'ERR_BUFFER_RECYCLED');
        await d.close();
      });
    });
  },
);
