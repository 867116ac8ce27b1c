import { engineFamily } from '../run/engine-family.js';

/**
 * `@binio/engine-uring`: io_uring, in both modes (`createUringEngine({ mode })`).
 * Its registered pool is made big enough for the largest block (128 KiB) at
 * the deepest queue (32), so file subjects read into registered buffers.
 */
export const family = engineFamily({
  package: '@binio/engine-uring',
  short: 'uring',
  factory: 'createUringEngine',
  modes: ['sync', 'async'],
  options: { buffers: { count: 40, size: 131072 } },
  order: 11,
});
