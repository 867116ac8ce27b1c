import type { IoEngine, Mode, Outgoing, UdpBatch, UdpBind, UdpSocketCreate } from '@binio/core';
import type { WorkerResult } from '../protocol.js';
import { loadEngine } from './binio-engine.js';
import { Meter, now } from './measure.js';
import { payload } from './offsets.js';
import { type DriverContext, required } from './types.js';

type Tx = IoEngine<Mode> & UdpSocketCreate<Mode> & UdpBind<Mode> & UdpBatch<Mode>;

/**
 * Transmit rate of a kernel-bypass engine: `sendMany` bursts from one
 * socket into the engine's device (a `net_null` vdev by default, which
 * drops everything: the figure is the engine's own cost per packet).
 */
export async function run({ spec }: DriverContext): Promise<WorkerResult> {
  const ref = required(spec.engine, 'engine');
  const udp = required(ref.udp, 'engine.udp (bind and destination addresses)');
  const engine = (await loadEngine(ref)) as Tx;
  try {
    const sock = await engine.createUdpSocket();
    await engine.bindUdp(sock as never, udp.bind);
    const data = payload(spec.workload.blockSize);
    const burst: Outgoing[] = Array.from({ length: spec.workload.batch ?? 32 }, () => ({
      data,
      to: udp.to,
    }));
    const deadline = now() + spec.durationMs;
    const meter = new Meter();
    let sent = 0;
    meter.start();
    while (now() < deadline) sent += await engine.sendMany(sock as never, burst);
    const result = meter.stop(sent, sent * data.length);
    await sock.close();
    return result;
  } finally {
    await engine.close();
  }
}
