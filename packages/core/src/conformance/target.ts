import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Capability } from '../capabilities.js';
import { isIoError } from '../errors.js';
import { isPromiseLike } from '../mode.js';
import type { Mode } from '../mode.js';
import type { IoEngine } from '../traits/engine.js';

/** The contract suites. */
export type SuiteName = 'file' | 'udp' | 'tcp' | 'buffers';

/** What an engine package hands to {@link runConformance}. */
export interface ConformanceTarget<E extends IoEngine = IoEngine> {
  /** Label of the run (`'posix sync'`). */
  name: string;
  /** Makes a fresh engine; each suite makes one and closes it afterwards. */
  engine: () => E | Promise<E>;
  /** Suites to run (default: every suite the engine's capabilities call for). */
  suites?: readonly SuiteName[];
  /** Directory for test files (default: a new temp directory, removed afterwards). */
  directory?: string;
  /** Address UDP sockets bind to (default `'127.0.0.1:0'`). */
  udpAddress?: string;
  /** Address TCP listeners bind to (default `'127.0.0.1:0'`). */
  tcpAddress?: string;
}

/** Capabilities that make each suite run by default. */
export const SUITE_NEEDS: Record<SuiteName, readonly Capability[]> = {
  file: ['file.create', 'file.openReadOnly'],
  udp: ['udp.socket', 'udp.bind', 'udp.send', 'udp.recv', 'udp.close'],
  tcp: ['tcp.connect', 'tcp.listen'],
  buffers: ['buffer.provider', 'buffer.sink'],
};

/**
 * Settles an operation's result and checks the engine kept its mode: a sync
 * engine returns plain values, an async engine Promises.
 */
export async function settle<T>(mode: Mode, value: T | Promise<T>): Promise<T> {
  if (mode === 'sync') {
    expect(isPromiseLike(value), 'a sync engine returned a Promise').toBe(false);
    return value as T;
  }
  expect(isPromiseLike(value), 'an async engine returned a plain value').toBe(true);
  return await value;
}

/**
 * Expects `fn` to fail with an IoError of `code` — thrown synchronously
 * (bad input in either mode, any failure in sync mode) or as a rejection.
 */
export async function expectIoError(fn: () => unknown, code: string): Promise<unknown> {
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  expect(error, `expected an IoError ${code}, but the call succeeded`).toBeDefined();
  expect(isIoError(error), `expected an IoError ${code}, got ${String(error)}`).toBe(true);
  expect((error as { code: string }).code).toBe(code);
  return error;
}

/** A scratch directory for one suite. */
export function scratchDirectory(given: string | undefined): { path: string; dispose(): void } {
  if (given) return { path: given, dispose() {} };
  const path = mkdtempSync(join(tmpdir(), 'binio-conformance-'));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

/** Bytes 0..n-1 mod 251 (a prime, so patterns do not line up with block sizes). */
export function pattern(n: number, seed = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i + seed) % 251;
  return b;
}
