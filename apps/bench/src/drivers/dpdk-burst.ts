import type { OutputBuffer } from '@binio/core';
import type { EngineRef } from '../protocol.js';

/**
 * The zero-copy path of an engine that owns its buffers (DPDK's mbufs): fill
 * engine buffers and hand a whole burst to the device in one call; take what
 * arrived as the buffers it arrived in.
 */
export interface BurstEngine {
  getBuffers(n: number): OutputBuffer[];
  recycleBuffers(buffers: readonly OutputBuffer[]): void;
  transmit(socket: unknown, buffers: readonly OutputBuffer[], to: unknown): number;
}

/** True when `e` offers {@link BurstEngine}'s methods. */
export function hasBurstTx(e: object): e is BurstEngine {
  const t = e as Partial<BurstEngine>;
  return (
    typeof t.transmit === 'function' &&
    typeof t.getBuffers === 'function' &&
    typeof t.recycleBuffers === 'function'
  );
}

/** `ref`'s engine options on virtual device `device` (`net_null0`, `net_ring0`) instead. */
export function onDevice(ref: EngineRef, device: string | undefined): EngineRef {
  if (device === undefined) return ref;
  const eal = (ref.options.eal ?? {}) as Record<string, unknown>;
  return {
    ...ref,
    options: { ...ref.options, eal: { ...eal, vdevs: [`${device}0`] }, port: `${device}0` },
  };
}
