import { type EngineFamilySpec, engineFamily } from '../run/engine-family.js';

/**
 * `@binio/engine-dpdk`: kernel-bypass UDP, measured by the `dpdk-*`
 * workloads on virtual devices (no hugepages, no NIC: see PLATFORM.md):
 * `net_null` drops what it is given, `net_ring` loops back into the
 * process, so nothing leaves it. The addresses are
 * from the documentation range (192.0.2.0/24) and the datagrams go to the
 * subnet's broadcast address, which needs no ARP answer (nobody is there to
 * give one). The engine is sync only and its factory takes no mode.
 */
export const spec: EngineFamilySpec = {
  package: '@binio/engine-dpdk',
  short: 'dpdk',
  factory: 'createDpdkEngine',
  modes: ['sync'],
  passMode: false,
  options: { eal: { vdevs: ['net_null0'] }, port: 'net_null0', address: '192.0.2.1/24' },
  bypass: { bind: '192.0.2.1:9000', to: '192.0.2.255:9000' },
  order: 13,
  // EAL can be initialised once per process: every run gets a fresh one.
  freshProcess: true,
};

export const family = engineFamily(spec);
