import { type EngineFamilySpec, engineFamily } from '../run/engine-family.js';

/**
 * `@binio/engine-epoll`: readiness-based async sockets on the Node event
 * loop (files on the thread pool). Async only: its factory takes no mode.
 * Also the base of the busy-poll variant (`engine-epoll-busypoll.ts`).
 */
export const epollSpec: EngineFamilySpec = {
  package: '@binio/engine-epoll',
  short: 'epoll',
  factory: 'createEpollEngine',
  modes: ['async'],
  passMode: false,
  options: { buffers: { count: 40, size: 131072 } },
  order: 12,
};

export const family = engineFamily(epollSpec);
