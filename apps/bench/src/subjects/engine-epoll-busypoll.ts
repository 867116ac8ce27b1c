import { engineFamily } from '../run/engine-family.js';
import { epollSpec } from './engine-epoll.js';

/**
 * `@binio/engine-epoll` with its opt-in busy polling (`busyPollUs`): an
 * operation that would wait spins on its non-blocking call for up to 50 µs
 * before parking. Not the engine's default: a separate subject, labelled,
 * on the socket workloads where waiting is what it changes.
 */
export const family = engineFamily({
  ...epollSpec,
  short: 'epoll-busypoll',
  options: { ...epollSpec.options, busyPollUs: 50 },
  label: `binio ${epollSpec.package} (async, busyPollUs 50)`,
  only: ['udp-pps-64', 'tcp-pingpong-64'],
  order: epollSpec.order + 0.5,
});
