import { isIoError } from '@binio/core';
import { runC } from '@binio/testkit';
import { describe, expect, it } from 'vitest';
import { ERRNO_TABLE, errnoEntry, errnoNumber } from '../src/linux/errno.js';
import { errnoError } from '../src/linux/error.js';

describe('errno table', () => {
  it('matches <errno.h> and strerror for every entry', () => {
    const body = ERRNO_TABLE.map(
      (e) => `printf("%s %d %s\\n", "${e.code}", ${e.code}, strerror(${e.code}));`,
    ).join('\n');
    const lines = runC(['errno.h', 'string.h'], body).trim().split('\n');
    expect(lines).toHaveLength(ERRNO_TABLE.length);
    lines.forEach((line, i) => {
      const e = ERRNO_TABLE[i]!;
      expect(line).toBe(`${e.code} ${e.errno} ${e.message}`);
    });
  });

  it('maps numbers to canonical names and back', () => {
    expect(errnoEntry(11).code).toBe('EAGAIN');
    expect(errnoNumber('EWOULDBLOCK')).toBe(11);
    expect(errnoEntry(9999).code).toBe('E9999');
  });

  it('builds IoErrors with code, errno and syscall', () => {
    const err = errnoError(-2, { syscall: 'openat', path: '/nope' });
    expect(isIoError(err)).toBe(true);
    expect(err).toMatchObject({
      code: 'ENOENT',
      errno: 2,
      syscall: 'openat',
      path: '/nope',
      engine: 'posix',
    });
    expect(err.message).toContain('No such file or directory');
  });
});
