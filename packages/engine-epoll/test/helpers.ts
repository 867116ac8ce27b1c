import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Netns } from '@binio/testkit';

/**
 * The descriptors the kernel has in an epoll set, read from
 * `/proc/self/fdinfo/<epfd>` (one `tfd:` line per registration): the truth
 * about registrations, independent of the engine's own bookkeeping.
 */
export function epollTargets(epfd: number): number[] {
  const info = readFileSync(`/proc/self/fdinfo/${epfd}`, 'utf8');
  return [...info.matchAll(/^tfd:\s+(\d+)/gm)].map((m) => Number(m[1]));
}

/** Waits `ms` milliseconds (lets the event loop and peers run). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** This process's CPU time (user + system) in milliseconds. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Resolves with `p`'s rejection (fails if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/**
 * Starts Node on `code` inside the namespace and waits for its first line
 * of output (its "ready"); `stop()` kills it and waits until its stdio
 * sockets are closed, so no descriptor outlives the test.
 */
export async function startPeer(
  ns: Netns,
  code: string,
  args: readonly string[],
): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const child = ns.spawnNode({ code }, args);
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async () => {
    child.kill();
    await closed;
  };
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) =>
        reject(new Error(`the peer in ${ns.name} exited with ${code} before it was ready`)),
      );
    });
  } catch (e) {
    await stop();
    throw e;
  }
  return { child, stop };
}
