import { constants } from '@binio/testkit';
import { describe, expect, it } from 'vitest';
import {
  AT,
  BLK,
  FADV,
  FALLOC,
  IOV_MAX,
  MAX_RW_COUNT,
  MMAN,
  O,
  RWF,
  S_IF,
  SEEK,
  SPLICE_F,
  STATX,
} from '../src/linux/file-constants.js';

const HEADERS = [
  'fcntl.h',
  'unistd.h',
  'sys/stat.h',
  'sys/mman.h',
  'linux/fs.h',
  'linux/falloc.h',
  'limits.h',
  'sys/uio.h',
];

describe('file constants match the system headers', () => {
  const groups = { O, AT, SEEK, FADV, FALLOC, RWF, STATX, S_IF, MMAN, BLK, SPLICE_F };
  for (const [group, values] of Object.entries(groups)) {
    it(group, () => {
      const names = Object.keys(values);
      const truth = constants(HEADERS, names);
      for (const n of names) {
        // BLKGETSIZE64 is an unsigned long; the probe prints it as long long.
        expect({ [n]: (values as Record<string, number>)[n] }).toEqual({ [n]: truth[n] });
      }
    });
  }

  it('IOV_MAX and MAX_RW_COUNT', () => {
    // MAX_RW_COUNT is the kernel's INT_MAX & PAGE_MASK (not in userspace headers).
    const rw = 'INT_MAX&~(getpagesize()-1)';
    const truth = constants(HEADERS, ['IOV_MAX', 'UIO_MAXIOV', rw]);
    expect(IOV_MAX).toBe(truth.IOV_MAX);
    expect(IOV_MAX).toBe(truth.UIO_MAXIOV);
    expect(MAX_RW_COUNT).toBe(truth[rw]);
  });
});
