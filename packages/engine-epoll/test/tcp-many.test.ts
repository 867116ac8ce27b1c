import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { OutputBuffer } from '@binio/core';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EpollEngine, type EpollStream, createEpollEngine } from '../src/index.js';
import { epollTargets } from './helpers.js';

const CONNECTIONS = 5000;
// Both ends live in this process: two descriptors per connection, plus slack.
const NEEDED = 2 * CONNECTIONS + 512;

function openFileLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'))!;
  return Number(line.split(/\s+/)[3]);
}

// Node already raises the soft limit to the hard one; if even that is too
// low, raise both for this process (needs root, as the suite runs in CI).
function ensureFileLimit(): string | undefined {
  if (openFileLimit() >= NEEDED) return undefined;
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${NEEDED}:${NEEDED}`]);
  } catch (e) {
    return `RLIMIT_NOFILE is ${openFileLimit()} and could not be raised to ${NEEDED}: ${(e as Error).message}`;
  }
  return openFileLimit() >= NEEDED ? undefined : `RLIMIT_NOFILE stayed at ${openFileLimit()}`;
}

describe(`${CONNECTIONS} concurrent connections on loopback`, () => {
  let engine: EpollEngine;
  let fds: ReturnType<typeof fdSnapshot>;
  let limitProblem: string | undefined;
  beforeAll(() => {
    limitProblem = ensureFileLimit();
    fds = fdSnapshot();
    engine = createEpollEngine();
  });
  afterAll(async () => {
    await engine.close();
    expect(fds.leaked()).toEqual([]);
  });

  it('accepts, echoes on and closes every one of them, all open at once', {
    timeout: 120_000,
  }, async () => {
    expect(limitProblem).toBeUndefined();
    const l = await engine.listenTcp('127.0.0.1:0', { backlog: 4096 });
    const served: EpollStream[] = [];
    const serving = (async () => {
      // Multi-shot accept: each readiness event takes up to 256 queued connections.
      for await (const s of l.connections({ batch: 256 })) {
        served.push(s);
        void (async () => {
          const buf = OutputBuffer.alloc(64);
          const n = await s.readInto(buf);
          if (n > 0) await s.writeAll(buf);
        })();
        if (served.length === CONNECTIONS) return;
      }
    })();
    const clients = await Promise.all(
      Array.from({ length: CONNECTIONS }, () => engine.connectTcp(l.localAddress)),
    );
    await serving;
    // Every connection is open now, in both directions.
    expect(engine.stats().handles).toBe(2 * CONNECTIONS + 1);
    const replies = await Promise.all(
      clients.map(async (c, i) => {
        const msg = new TextEncoder().encode(`client ${i}`);
        await c.writeAll(msg);
        const back = OutputBuffer.alloc(msg.byteLength);
        await c.readFilling(back);
        return new TextDecoder().decode(back.filled);
      }),
    );
    expect(replies.every((r, i) => r === `client ${i}`)).toBe(true);
    expect(engine.stats().parked).toBe(0);
    await Promise.all([...clients, ...served].map((c) => c.close()));
    await l.close();
    expect(engine.stats()).toMatchObject({ parked: 0, registered: 0, handles: 0 });
    expect(epollTargets(engine.epollFd)).toEqual([]);
  });
});
