import { engineFamily } from '../run/engine-family.js';

/**
 * `@binio/engine-posix`: plain syscalls, sync on the JS thread and async on
 * the libuv pool. Its pool is made big enough for the largest block (128 KiB)
 * at the deepest queue (32), so its file subjects read into the engine's
 * own aligned memory as a user of it would.
 */
export const family = engineFamily({
  package: '@binio/engine-posix',
  short: 'posix',
  factory: 'createPosixEngine',
  modes: ['sync', 'async'],
  options: { buffers: { count: 40, size: 131072 } },
  order: 10,
});
