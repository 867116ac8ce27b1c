import type { Capability, Mode } from '@binio/core';
import { runConformance } from '@binio/core/conformance';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, beforeAll, expect } from 'vitest';
import { SOCKET_CAPABILITIES, SocketOps } from '../src/socket/index.js';

// Core's UDP and TCP contract suites against the socket half alone, in both
// modes, before the engine delegates to it (the engine's own conformance
// run covers the delegation).
class SocketsOnly<M extends Mode> extends SocketOps<M> {
  readonly name = 'posix';
  readonly capabilities: ReadonlySet<Capability> = new Set(SOCKET_CAPABILITIES);
  // close() is SocketOps' own: it closes every socket the suite left open.
}

let fds: ReturnType<typeof fdSnapshot>;
beforeAll(() => {
  fds = fdSnapshot();
});
afterAll(() => {
  expect(fds.leaked()).toEqual([]);
});

for (const mode of ['sync', 'async'] as const) {
  runConformance({
    name: `posix sockets ${mode}`,
    engine: () => new SocketsOnly({ mode }),
    suites: ['udp', 'tcp'],
  });
  runConformance({
    name: `posix sockets ${mode} IPv6`,
    engine: () => new SocketsOnly({ mode }),
    suites: ['udp', 'tcp'],
    udpAddress: '[::1]:0',
    tcpAddress: '[::1]:0',
  });
}
