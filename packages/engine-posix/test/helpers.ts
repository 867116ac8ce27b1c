import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IoError, isIoError, type Mode } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, beforeAll, expect } from 'vitest';
import { createPosixEngine, type PosixEngine } from '../src/index.js';

/** Both modes, for `describe.each`. */
export const MODES: readonly Mode[] = ['sync', 'async'];

/** A scratch directory on the root file system (ext4 here), removed by `dispose`. */
export function scratch(): { path: string; file(name: string): string; dispose(): void } {
  const path = mkdtempSync(join(tmpdir(), 'binio-posix-'));
  return {
    path,
    file: (name) => join(path, name),
    dispose: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** Expects `fn` to fail with an IoError of `code`, thrown or rejected; returns it. */
export async function ioError(fn: () => unknown, code: string): Promise<IoError> {
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  expect(isIoError(error), `expected IoError ${code}, got ${String(error)}`).toBe(true);
  expect((error as IoError).code).toBe(code);
  return error as IoError;
}

/** Bytes 0..n-1 mod 251. */
export function pattern(n: number, seed = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i + seed) % 251;
  return b;
}

/** Byte-for-byte equality that stays fast on large arrays (vitest's toEqual walks them slowly). */
export function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.byteLength).toBe(expected.byteLength);
  expect(Buffer.compare(actual, expected)).toBe(0);
}

/**
 * For one describe block: a posix engine in `mode` and a scratch folder,
 * both gone after the block, and no descriptor left open by it.
 */
export function fileSuite(mode: Mode): { engine: PosixEngine<Mode>; file(name: string): string } {
  const engine = createPosixEngine({ mode });
  let dir: ReturnType<typeof scratch> | undefined;
  let fds: ReturnType<typeof fdSnapshot>;
  beforeAll(() => {
    fds = fdSnapshot();
    dir = scratch();
  });
  afterAll(async () => {
    await engine.close();
    dir?.dispose();
    expect(fds.leaked()).toEqual([]);
  });
  return { engine, file: (name) => dir!.file(name) };
}
