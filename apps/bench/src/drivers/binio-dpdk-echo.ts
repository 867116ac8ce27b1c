import type { IoEngine, OutputBuffer } from '@binio/core';
import type { WorkerResult } from '../protocol.js';
import { type BurstEngine, burstSender } from './dpdk-burst.js';
import { DPDK_WARM_MS, Meter, now } from './measure.js';
import { payload } from './offsets.js';
import { type DriverContext, required } from './types.js';

/** An engine that sends and receives in bursts of its own buffers (DPDK's). */
interface EchoEngine extends IoEngine<'sync'>, BurstEngine {
  createUdpSocket(): { close(): void };
  bindUdp(socket: unknown, address: string): unknown;
  receive(socket: unknown, max: number, options?: { timeout?: number }): ReceivedBuffer[];
}

interface ReceivedBuffer extends OutputBuffer {
  readonly sender: unknown;
}

/** The engine package's EAL and crossed ring pair (see its README). */
interface DpdkModule {
  Eal: {
    init(options: { filePrefix: string }): {
      ringPair(a: string, b: string): [{ name: string }, { name: string }];
      cleanup(): void;
    };
  };
}

// The echo side's address on the generator's subnet (192.0.2.0/24 in the
// bench's DPDK options).
const ECHO = '192.0.2.2';
const WAIT_MS = 1000;

/**
 * Echo over a `net_ring` pair in one process: a generator engine sends a
 * burst of datagrams to an echo engine on the other port; the echo engine
 * receives the burst (zero copy), and transmits the same buffers back to
 * their sender, the engine stamping fresh headers; the generator receives
 * the echoes and recycles them (with `udp.packed` the generator sends
 * with `sendPacked`; the echo side is the same). One op = one datagram echoed back. Both
 * ends are the engine under test, so the figure is its receive + transmit
 * cost per packet, twice.
 */
export async function run({ spec }: DriverContext): Promise<WorkerResult> {
  const ref = required(spec.engine, 'engine');
  const udp = required(ref.udp, 'engine.udp (bind and destination addresses)');
  const mod = (await import(ref.package)) as DpdkModule & Record<string, unknown>;
  const factory = mod[ref.factory] as (o: unknown) => EchoEngine;
  const eal = mod.Eal.init({ filePrefix: `binio-bench-echo-${process.pid}` });
  const [pg, pe] = eal.ringPair('bgen', 'becho');
  const subnet = (ref.options.address as string).split('/')[1];
  const gen = factory({ eal, port: pg.name, address: ref.options.address });
  const echo = factory({ eal, port: pe.name, address: `${ECHO}/${subnet}` });
  try {
    const gs = gen.createUdpSocket();
    const es = echo.createUdpSocket();
    gen.bindUdp(gs, udp.bind);
    echo.bindUdp(es, `${ECHO}:9000`);
    const data = payload(spec.workload.blockSize);
    const size = spec.workload.batch ?? 32;
    const wait = { timeout: WAIT_MS };
    const send = burstSender(gen, udp.packed === true, data, size);
    const round = (): number => {
      const sent = send(gs, `${ECHO}:9000`);
      let echoed = 0;
      while (echoed < sent) {
        const got = echo.receive(es, size, wait);
        // Every datagram of a burst comes from the generator's one socket.
        const n = echo.transmit(es, got, got[0]!.sender);
        if (n < got.length) echo.recycleBuffers(got.slice(n));
        echoed += got.length;
      }
      let back = 0;
      while (back < sent) {
        const got = gen.receive(gs, size, wait);
        back += got.length;
        gen.recycleBuffers(got);
      }
      return back;
    };
    round(); // ARP both ways, outside the measurement
    // Unmeasured first, as long as the C loop warms up (DPDK_WARM_MS).
    for (const warm = now() + DPDK_WARM_MS; now() < warm; ) round();
    const deadline = now() + spec.durationMs;
    const meter = new Meter();
    let ops = 0;
    meter.start();
    while (now() < deadline) ops += round();
    const result = meter.stop(ops, ops * data.length);
    gs.close();
    es.close();
    return result;
  } finally {
    gen.close();
    echo.close();
    eal.cleanup();
  }
}
