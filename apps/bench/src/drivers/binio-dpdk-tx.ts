import type { IoEngine, Mode, Outgoing, UdpBatch, UdpBind, UdpSocketCreate } from '@binio/core';
import type { WorkerResult } from '../protocol.js';
import { loadEngine } from './binio-engine.js';
import { burstSender, hasBurstTx, onDevice } from './dpdk-burst.js';
import { DPDK_WARM_MS, Meter, now } from './measure.js';
import { payload } from './offsets.js';
import { type DriverContext, required } from './types.js';

type Tx = IoEngine<Mode> & UdpSocketCreate<Mode> & UdpBind<Mode> & UdpBatch<Mode>;

/** What a DPDK engine offers to drain its own receive ring (net_ring loops back to itself). */
interface Drain {
  discardReceived(max: number): number;
}

/**
 * Transmit rate of a kernel-bypass engine: bursts from one socket into the
 * workload's device (`net_null` drops everything, so the figure is the
 * engine's own cost per packet; `net_ring` hands each burst to a ring that
 * is drained every burst, as the C reference does). Each burst is built in
 * engine buffers and handed over whole when the engine offers that (the
 * proposal's model), or sent from one array (`udp.packed`), otherwise sent
 * with `sendMany`.
 */
export async function run({ spec }: DriverContext): Promise<WorkerResult> {
  const ref = required(spec.engine, 'engine');
  const udp = required(ref.udp, 'engine.udp (bind and destination addresses)');
  const engine = (await loadEngine(onDevice(ref, spec.workload.device))) as Tx;
  try {
    const sock = await engine.createUdpSocket();
    await engine.bindUdp(sock as never, udp.bind);
    const data = payload(spec.workload.blockSize);
    const size = spec.workload.batch ?? 32;
    const drain =
      spec.workload.device === 'net_ring'
        ? (engine as unknown as Drain)
        : { discardReceived: () => 0 };
    // Sends for `ms`; returns how many datagrams went.
    let loop: (ms: number) => Promise<number>;
    if (hasBurstTx(engine)) {
      const send = burstSender(engine, udp.packed === true, data, size);
      loop = async (ms) => {
        const deadline = now() + ms;
        let sent = 0;
        while (now() < deadline) {
          sent += send(sock, udp.to);
          drain.discardReceived(size);
        }
        return sent;
      };
    } else {
      const burst: Outgoing[] = Array.from({ length: size }, () => ({ data, to: udp.to }));
      loop = async (ms) => {
        const deadline = now() + ms;
        let sent = 0;
        while (now() < deadline) {
          sent += await engine.sendMany(sock as never, burst);
          drain.discardReceived(size);
        }
        return sent;
      };
    }
    // Unmeasured first, as long as the C loop warms up (DPDK_WARM_MS).
    await loop(DPDK_WARM_MS);
    const meter = new Meter();
    meter.start();
    const sent = await loop(spec.durationMs);
    const result = meter.stop(sent, sent * data.length);
    await sock.close();
    return result;
  } finally {
    await engine.close();
  }
}
