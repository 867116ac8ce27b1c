import { runConformance } from '@binio/core/conformance';
import { fdSnapshot } from '@binio/testkit';
import { afterAll, beforeAll, expect } from 'vitest';
import { createPosixEngine } from '../src/index.js';

// Core's contract suites, in both modes; the engine's capabilities choose
// which suites run (file and buffers now; UDP and TCP once sockets land).
let fds: ReturnType<typeof fdSnapshot>;
beforeAll(() => {
  fds = fdSnapshot();
});
afterAll(() => {
  expect(fds.leaked()).toEqual([]);
});

runConformance({ name: 'posix sync', engine: () => createPosixEngine({ mode: 'sync' }) });
runConformance({ name: 'posix async', engine: () => createPosixEngine({ mode: 'async' }) });
