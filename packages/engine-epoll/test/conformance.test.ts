import { runConformance } from '@binio/core/conformance';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, beforeAll, expect } from 'vitest';
import { createEpollEngine } from '../src/index.js';

// Every suite the engine's capabilities call for (file, UDP, TCP, buffers),
// against the real kernel; no descriptor may outlive the suites.
let fds: ReturnType<typeof fdSnapshot>;
beforeAll(() => {
  fds = fdSnapshot();
});

runConformance({ name: 'epoll', engine: () => createEpollEngine() });

afterAll(async () => {
  // Closed engines release their descriptors at once; give the loop a turn for the thread-pool closes.
  await new Promise((r) => setTimeout(r, 50));
  expect(fds.leaked()).toEqual([]);
});
