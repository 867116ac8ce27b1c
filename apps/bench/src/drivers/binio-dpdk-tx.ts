import type {
  IoEngine,
  Mode,
  Outgoing,
  OutputBuffer,
  UdpBatch,
  UdpBind,
  UdpSocketCreate,
} from '@binio/core';
import type { WorkerResult } from '../protocol.js';
import { loadEngine } from './binio-engine.js';
import { Meter, now } from './measure.js';
import { payload } from './offsets.js';
import { type DriverContext, required } from './types.js';

type Tx = IoEngine<Mode> & UdpSocketCreate<Mode> & UdpBind<Mode> & UdpBatch<Mode>;

/**
 * The zero-copy path of an engine that owns its buffers (DPDK's mbufs): fill
 * engine buffers and hand a whole burst to the device in one call. Engines
 * without it are measured through the trait's `sendMany`.
 */
interface BurstTx {
  getBuffers(n: number): OutputBuffer[];
  recycleBuffers(buffers: readonly OutputBuffer[]): void;
  transmit(socket: unknown, buffers: readonly OutputBuffer[], to: string): number;
}

function hasBurstTx(e: object): e is BurstTx {
  const t = e as Partial<BurstTx>;
  return (
    typeof t.transmit === 'function' &&
    typeof t.getBuffers === 'function' &&
    typeof t.recycleBuffers === 'function'
  );
}

/**
 * Transmit rate of a kernel-bypass engine: bursts from one socket into the
 * engine's device (a `net_null` vdev by default, which drops everything: the
 * figure is the engine's own cost per packet). Each burst is built in engine
 * buffers and handed over whole when the engine offers that (the proposal's
 * model), otherwise sent with `sendMany`.
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
    const size = burst.length;
    meter.start();
    if (hasBurstTx(engine)) {
      while (now() < deadline) {
        const bufs = engine.getBuffers(size);
        for (const b of bufs) b.append(data);
        const n = engine.transmit(sock, bufs, udp.to);
        if (n < size) engine.recycleBuffers(bufs.slice(n));
        sent += n;
      }
    } else {
      while (now() < deadline) sent += await engine.sendMany(sock as never, burst);
    }
    const result = meter.stop(sent, sent * data.length);
    await sock.close();
    return result;
  } finally {
    await engine.close();
  }
}
