import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isIoError } from '@binio/core';
import type { Netns } from '@binio/testkit';
import { expect } from 'vitest';

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

/** Starts Node with `argv` somewhere: in this namespace ({@link localNode}) or another ({@link inNetns}). */
export type NodeStarter = (argv: string[]) => ChildProcess;

/** Node in this network namespace, its stdout piped. */
export const localNode: NodeStarter = (argv) =>
  spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });

/** Node inside `ns` (`ip netns exec`). */
export const inNetns =
  (ns: Netns): NodeStarter =>
  (argv) =>
    ns.spawn([process.execPath, ...argv]);

/**
 * A peer in its own process, running the ES module `code` with `args` (a
 * sync engine blocks this thread while it waits in the ring, so a peer in
 * the test's own thread could never answer). The peer prints a JSON line
 * with its `port` once ready, and its result as its last JSON line before
 * it exits.
 */
export async function peerProcess<R>(
  start: NodeStarter,
  code: string,
  args: readonly string[],
): Promise<{ port: number; result: Promise<R>; stop(): Promise<void> }> {
  const child = start(['--input-type=module', '-e', code, ...args]);
  const lines: string[] = [];
  let first!: (l: string) => void;
  let last!: (l: string) => void;
  const ready = new Promise<string>((r) => {
    first = r;
  });
  const exited = new Promise<string>((r) => {
    last = r;
  });
  child.stdout!.on('data', (d: Buffer) => {
    lines.push(...d.toString().trim().split('\n'));
    first(lines[0]!);
  });
  child.once('close', () => last(lines.at(-1) ?? '{}'));
  child.once('exit', (c) => first(`{"exit":${c}}`));
  const hello = JSON.parse(await ready) as { port?: number };
  if (hello.port === undefined) throw new Error(`the peer did not start: ${JSON.stringify(hello)}`);
  return {
    port: hello.port,
    result: exited.then((l) => JSON.parse(l) as R),
    stop: async () => {
      child.kill();
      await exited; // its stdout pipe is closed with it
    },
  };
}

/**
 * A checker for bad input: `await refused(f, code)` expects `f` to throw or
 * reject with an IoError of `code`, with nothing left behind — no SQE
 * prepared, no slot taken, and each of `buffers` still the caller's.
 */
export function refuser(
  e: { ring: { unsubmitted: number }; _core: { slots: { inUse: number } } },
  buffers: readonly { ownership: string }[] = [],
): (f: () => unknown, code: string) => Promise<void> {
  return async (f, code) => {
    const err = await errOf(f);
    expect(isIoError(err) ? err.code : err).toBe(code);
    for (const b of buffers) expect(b.ownership).toBe('caller');
    expect(e.ring.unsubmitted).toBe(0);
    expect(e._core.slots.inUse).toBe(0);
  };
}

/**
 * The zero-copy hold check across a veth: with the peer's end down the
 * kernel cannot let go of the pages (TCP keeps them to retransmit, a
 * datagram waits in the neighbour queue), so after `send` returned `size`
 * the engine buffer `b` must stay in flight — not recyclable, not readable —
 * while completions keep flowing; once the link is back, `idle()` returns
 * when the notification came and `b` is the caller's again.
 */
export async function expectHeldUntilNotified<B extends { ownership: string; filled: Uint8Array }>(
  ns: Netns,
  e: { nop(): unknown; recycleBuffer(b: B): void },
  b: B,
  size: number,
  send: () => unknown,
  idle: () => unknown,
): Promise<void> {
  ns.exec(['ip', 'link', 'set', ns.peerInterface, 'down']);
  try {
    expect(await send()).toBe(size);
    for (let i = 0; i < 3; i++) await e.nop(); // completions keep flowing meanwhile
    expect(b.ownership).not.toBe('caller');
    expect(() => e.recycleBuffer(b)).toThrow(
      expect.objectContaining({ code: 'ERR_BUFFER_IN_FLIGHT' }),
    );
    expect(() => b.filled).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_IN_FLIGHT' }));
  } finally {
    ns.exec(['ip', 'link', 'set', ns.peerInterface, 'up']);
  }
  await idle();
  expect(b.ownership).toBe('caller');
}
