import type { Capability, OpOptions } from '@binio/core';
import type { MbufCounts } from '../mbuf-pool.js';
import type { DeviceStats } from '../native/types.js';
import type { DropCounters, StackCounters } from '../stack/counters.js';

/** What the DPDK engine implements. */
export const DPDK_CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>([
  'udp.socket',
  'udp.bind',
  'udp.send',
  'udp.recv',
  'udp.close',
  'udp.batch',
  'buffer.provider',
  'buffer.multiProvider',
  'buffer.sink',
  'buffer.multiSink',
]);

/** Options of a receive: those of every operation, and how long to wait. */
export interface DpdkRecvOptions extends OpOptions {
  /** Wait at most this many ms (default: the engine's `receiveTimeout`); 0 polls once. */
  timeout?: number;
}

/** Everything the engine counted. */
export interface DpdkStats extends StackCounters {
  /** Received frames dropped, by reason. */
  drops: DropCounters;
  /** Frames that arrived in another pool's mbufs (the ring loopback) and were copied. */
  copiedFromOtherPool: number;
  /** The device's own counters. */
  device: DeviceStats;
  /** DPDK's counts of the engine's mbuf pool. */
  mbufs: MbufCounts;
}

/** What closing the engine found. */
export interface DpdkCloseReport {
  /** Buffers the caller held and never recycled (taken back). */
  leaked: number;
  /** Of those, buffers an operation held. */
  inFlight: number;
  /** DPDK's counts of the pool after everything was given back. */
  mbufs: MbufCounts & { total: number };
  /** True when some mbufs were still in another port's ring: the pool is freed once they return. */
  lingering: boolean;
}

/** A closed engine's device counters. */
export function zeroStats(): DeviceStats {
  return {
    ipackets: 0,
    opackets: 0,
    ibytes: 0,
    obytes: 0,
    imissed: 0,
    ierrors: 0,
    oerrors: 0,
    rxNoMbuf: 0,
  };
}
