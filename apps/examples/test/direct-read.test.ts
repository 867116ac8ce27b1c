import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Mode } from '@binio/core';
import { createPosixEngine } from '@binio/engine-posix';
import { createUringEngine } from '@binio/engine-uring';
import { ext4LoopMount, type LoopMount, loopDeviceMissing } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDirectDigest } from '../src/direct-read.js';

// O_DIRECT needs a device that enforces alignment for real: an ext4 image on
// a loop device with 4096-byte sectors (testkit), so a read with a
// misaligned buffer would fail with EINVAL rather than pass by luck.
const why = loopDeviceMissing();
if (why) console.warn(`[examples] O_DIRECT reader skipped: ${why}`);

describe.skipIf(why !== undefined)('the O_DIRECT reader with engine buffers', () => {
  let loop: LoopMount;
  let path = '';
  // Not a multiple of the block size: the last read comes back short.
  const data = new Uint8Array(5 * 65536 + 3 * 4096 + 100).map((_, i) => (i * 31 + (i >> 12)) % 253);
  const expected = createHash('sha256').update(data).digest('hex');

  beforeAll(() => {
    loop = ext4LoopMount(32);
    path = join(loop.mountPoint, 'data.bin');
    writeFileSync(path, data);
  });
  afterAll(() => loop?.dispose());

  it.each(['sync', 'async'] as Mode[])('io_uring, %s: registered buffers, READ_FIXED', async (mode) => {
    const engine = createUringEngine({ mode, buffers: { count: 4, size: 65536 } });
    const digest = await runDirectDigest(engine, path);
    expect(digest).toEqual({ bytes: data.byteLength, reads: 6, sha256: expected });
    await engine.close();
  });

  it('posix, sync: the aligned native pool', () => {
    const engine = createPosixEngine({ mode: 'sync' });
    const digest = runDirectDigest(engine, path);
    expect(digest).toEqual({ bytes: data.byteLength, reads: 6, sha256: expected });
    engine.close();
  });
});
