import { runConformance } from '@binio/core/conformance';
import { afterAll } from 'vitest';
import { createDpdkEngine, type DpdkEngine, Eal } from '../src/index.js';
import { dpdkUnavailableReason, skipWithReason } from './support/skip.js';

// binio's contract suites against the DPDK engine on net_ring0, a port whose
// transmit ring is its own receive ring. Sockets on one engine reach each
// other by local delivery (as the kernel's loopback does), at 127.0.0.1 and
// at the engine's own address.
const skip = skipWithReason('conformance', dpdkUnavailableReason());

if (!skip) {
  let eal: Eal | undefined;
  const engine = (): DpdkEngine => {
    eal ??= Eal.init({ vdevs: ['net_ring0'], filePrefix: `binio-conf-${process.pid}` });
    return createDpdkEngine({
      eal,
      port: 'net_ring0',
      address: '10.8.0.1/24',
      receiveTimeout: 5000,
    });
  };
  runConformance({ name: 'dpdk (127.0.0.1)', engine, suites: ['udp', 'buffers'] });
  runConformance({ name: 'dpdk (own address)', engine, suites: ['udp'], udpAddress: '10.8.0.1:0' });
  afterAll(() => eal?.cleanup());
}
