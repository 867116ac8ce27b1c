/**
 * `@binio/engine-dpdk`: binio's kernel-bypass UDP engine on DPDK. Engine-owned
 * mbufs as binio buffers, burst send and receive, and a user-space
 * Ethernet/ARP/IPv4/UDP/ICMP stack in TypeScript over a small addon.
 *
 * ```ts
 * import { createDpdkEngine } from '@binio/engine-dpdk';
 * const engine = createDpdkEngine({ eal: { vdevs: ['net_ring0'] }, port: 'net_ring0', address: '10.0.0.1/24' });
 * ```
 * @packageDocumentation
 */
export { Eal, initEal, type Pollable, type PortRef } from './eal.js';
export { EAL_OPTION_KEYS, type EalOptions, ealArgs } from './eal-options.js';
export {
  createDpdkEngine,
  DPDK_CAPABILITIES,
  type DpdkCloseReport,
  DpdkEngine,
  type DpdkRecvOptions,
  type DpdkStats,
} from './engine.js';
export { type DpdkEngineOptions, ENGINE_OPTION_KEYS } from './engine-options.js';
export { MbufBuffer, type MbufCounts, MbufPool } from './mbuf-pool.js';
export { addonUnavailableReason } from './native/addon.js';
export { INSTALL_HINT } from './native/install-hint.js';
export type { DeviceStats, NativeEalInfo, NativePortInfo } from './native/types.js';
export { DpdkUdpSocket } from './socket.js';
export type { ArpEntry, ArpOptions } from './stack/arp.js';
export {
  DROP_REASONS,
  type DropCounters,
  type DropReason,
  type StackCounters,
} from './stack/counters.js';
