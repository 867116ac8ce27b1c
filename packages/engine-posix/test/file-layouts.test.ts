import { statSync, writeFileSync } from 'node:fs';
import { structLayout } from '@binio/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createPosixEngine } from '../src/index.js';
import { IOVEC_LAYOUT, STAT_LAYOUT, STATX_LAYOUT } from '../src/linux/file-layouts.js';
import { scratch } from './helpers.js';

describe('file struct layouts match the system headers', () => {
  for (const [type, layout, headers] of [
    ['struct iovec', IOVEC_LAYOUT, ['sys/uio.h']],
    ['struct stat', STAT_LAYOUT, ['sys/stat.h']],
    ['struct statx', STATX_LAYOUT, ['sys/stat.h']],
  ] as const) {
    it(type, () => {
      expect(structLayout(headers, type, Object.keys(layout.offsets))).toEqual(layout);
    });
  }
});

describe('decodeStatx', () => {
  const dir = scratch();
  afterAll(() => dir.dispose());

  it('agrees with fs.statSync on a real file', () => {
    const p = dir.file('s');
    writeFileSync(p, new Uint8Array(12345));
    const engine = createPosixEngine({ mode: 'sync' });
    const f = engine.openReadOnly(p);
    const info = f.stat();
    const node = statSync(p);
    expect(info).toMatchObject({
      size: 12345,
      mode: node.mode,
      ino: node.ino,
      nlink: node.nlink,
      uid: node.uid,
      gid: node.gid,
      blockSize: node.blksize,
      blocks: node.blocks,
    });
    expect(info.mtimeMs).toBeCloseTo(node.mtimeMs, 0);
    engine.close();
  });
});
