import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';

import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A scratch directory on the root file system (ext4 here, so O_DIRECT works), removed by `dispose`. */
export function scratchDir(): { path: string; file(name: string): string; dispose(): void } {
  const path = mkdtempSync(join(process.env.BINIO_TEST_TMP ?? tmpdir(), 'binio-uring-'));
  return {
    path,
    file: (n) => join(path, n),
    dispose: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** Bytes 0..n-1 mod 251. */
export function pattern(n: number, seed = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i + seed) % 251;
  return b;
}

/**
 * A FIFO opened read-write (blocking): reads through the ring wait until
 * someone writes — an operation that stays in flight as long as a test wants.
 */
export function blockingFifo(
  dir: { file(name: string): string },
  name: string,
): { path: string; fd: number; write(s: string): void; close(): void } {
  const path = dir.file(name);
  execFileSync('mkfifo', [path]);
  const fd = openSync(path, 'r+');
  return {
    path,
    fd,
    write: (s) => {
      writeSync(fd, s);
    },
    close: () => closeSync(fd),
  };
}

/** The error `f` throws or rejects with (undefined when it succeeds). */
export const errOf = (f: () => unknown): Promise<unknown> =>
  Promise.resolve()
    .then(f)
    .then(
      () => undefined,
      (e) => e,
    );

/** SHA-256 of `b`, hex: compares what a peer received with what was sent. */
export const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
