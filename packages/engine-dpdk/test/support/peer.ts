import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Netns } from '@binio/testkit';

/** A kernel UDP peer process in a namespace and the JSON lines it printed. */
export interface Peer {
  readonly child: ChildProcess;
  readonly lines: Array<Record<string, unknown>>;
  /** Resolves with the first line matching `pred` (or rejects when the peer exits first). */
  line(pred: (l: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Resolves when the peer exits. */
  readonly exited: Promise<number | null>;
}

const SCRIPT = fileURLToPath(new URL('./udp-peer.mjs', import.meta.url));

/** Starts `udp-peer.mjs <args>` inside `ns` (or in this namespace without one). */
export function startPeer(ns: Netns | undefined, args: readonly string[]): Peer {
  const child = ns
    ? ns.spawnNode({ path: SCRIPT }, args)
    : spawn(process.execPath, [SCRIPT, ...args], { stdio: 'pipe' });
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{
    pred: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }> = [];
  let buf = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const l = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
      buf = buf.slice(nl + 1);
      lines.push(l);
      for (const w of [...waiters]) {
        if (w.pred(l)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(l);
        }
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    child,
    lines,
    exited,
    line(pred) {
      const hit = lines.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        waiters.push({ pred, resolve });
        void exited.then((code) =>
          reject(
            new Error(
              `peer exited (${code}) first; stderr: ${stderr}; lines: ${JSON.stringify(lines)}`,
            ),
          ),
        );
      });
    },
  };
}

/**
 * Awaits `p` while polling `poll` between turns of the event loop: the
 * engine is synchronous, so while the test waits for a kernel process it
 * must keep polling to answer ARP and ICMP.
 */
export async function pollWhile<T>(
  poll: () => unknown,
  p: Promise<T>,
  timeoutMs = 10_000,
): Promise<T> {
  let done = false;
  let result: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  p.then(
    (value) => {
      done = true;
      result = { ok: true, value };
    },
    (error) => {
      done = true;
      result = { ok: false, error };
    },
  );
  const deadline = Date.now() + timeoutMs;
  while (!done) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    poll();
    await new Promise((r) => setImmediate(r));
  }
  if (!result!.ok) throw result!.error;
  return result!.value;
}
