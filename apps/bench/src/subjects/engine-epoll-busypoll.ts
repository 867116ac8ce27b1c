import { engineFamily } from '../run/engine-family.js';
import { epollSpec } from './engine-epoll.js';

/**
 * `@binio/engine-epoll` with its opt-in busy polling (`busyPollUs`): an
 * operation that would wait spins on its non-blocking call for up to 300 µs
 * before parking. Not the engine's default: a separate subject, labelled,
 * on the socket workloads where waiting is what it changes. The budget
 * must outlast a wake-up from sleep (150–300 µs on the 2-core VM this was
 * tuned on): with 50 µs, once one side had parked, the other's spin ran
 * out before it woke, both parked on every message from then on, and runs
 * came out either ~40k or ~2k round trips a second (0.2 s × 7 runs: 26k
 * median, ±65%; with 300 µs: 42k, ±35%).
 */
export const family = engineFamily({
  ...epollSpec,
  short: 'epoll-busypoll',
  options: { ...epollSpec.options, busyPollUs: 300 },
  label: `binio ${epollSpec.package} (async, busyPollUs 300)`,
  only: ['udp-pps-64', 'tcp-pingpong-64'],
  order: epollSpec.order + 0.5,
});
