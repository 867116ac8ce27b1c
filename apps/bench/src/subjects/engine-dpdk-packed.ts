import { engineFamily } from '../run/engine-family.js';
import { spec } from './engine-dpdk.js';

/**
 * `@binio/engine-dpdk` through its documented batch call `sendPacked`: a
 * burst's payloads lie back to back in one array and one native call per
 * burst copies them into mbufs, stamps the headers and sends them, so no
 * JavaScript runs per packet. Beside `dpdk-sync` (engine buffers filled one
 * by one, the proposal's model) it shows what the per-packet JavaScript
 * costs. Receiving (the echo workload) is the same as `dpdk-sync`'s.
 */
export const family = engineFamily({
  ...spec,
  short: 'dpdk-packed',
  order: spec.order + 0.5,
  bypass: { ...spec.bypass!, packed: true },
});
