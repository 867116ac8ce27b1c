import type { Eal, Pollable, PortRef } from '../eal.js';
import type { MbufPool } from '../mbuf-pool.js';
import type { DpdkAddon } from '../native/types.js';
import type { ReceivePath } from './receive.js';
import type { DpdkCloseReport } from './types.js';

/** What closing an engine (its sockets already closed) takes apart. */
export interface ClosingEngine extends Pollable {
  readonly eal: Eal;
  readonly port: PortRef;
  readonly pool: MbufPool;
}

/** The engine's native parts that closing releases. */
export interface ClosingParts {
  readonly engine: ClosingEngine;
  readonly addon: DpdkAddon;
  readonly queue: number;
  readonly poolId: number;
  readonly receive: ReceivePath;
  readonly rxDescriptors: number;
}

/**
 * Drains the device, stops the port, takes back the buffers the caller
 * still holds (reported as leaked), and frees the pool once DPDK counts
 * every mbuf back; when some are still in another port's ring (the ring
 * loopback), the EAL frees it once they return. Returns what it found.
 */
export function closeEngine(p: ClosingParts): DpdkCloseReport {
  const { engine, addon } = p;
  const { eal, pool } = engine;
  // Frames still in our RX queue hold mbufs (of ours or a peer's pool).
  // Bounded: some devices (net_null) never run dry.
  p.receive.drainDevice(Math.ceil((p.rxDescriptors + pool.size) / addon.layout.burstMax));
  addon.portStop(engine.port.id);
  const { leaked, inFlight } = pool.close();
  const [available, inUse] = addon.poolCounts(p.poolId);
  const counts = { available, inUse };
  pool._closedCounts = counts;
  const lingering = inUse > 0;
  addon.queueUnbind(p.queue);
  if (lingering) eal.linger(p.poolId);
  else addon.poolFree(p.poolId);
  eal.release(engine.port);
  eal.detach(engine);
  return { leaked, inFlight, mbufs: { ...counts, total: pool.size }, lingering };
}
