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

/** The engine's batch call: `count` payloads of `size` bytes back to back in `data`, one native call per burst. */
export interface PackedEngine {
  sendPacked(socket: unknown, data: Uint8Array, size: number, to: unknown): number;
}

/** A sender of bursts of `data` to `to`: {@link PackedEngine} when `packed`, else engine buffers. */
export function burstSender(
  engine: BurstEngine,
  packed: boolean,
  data: Uint8Array,
  size: number,
): (socket: unknown, to: unknown) => number {
  if (packed) {
    const p = engine as unknown as PackedEngine;
    if (typeof p.sendPacked !== 'function') throw new Error('the engine has no sendPacked');
    const all = new Uint8Array(data.length * size);
    for (let i = 0; i < size; i++) all.set(data, i * data.length);
    return (socket, to) => p.sendPacked(socket, all, data.length, to);
  }
  return (socket, to) => {
    const bufs = engine.getBuffers(size);
    for (const b of bufs) b.append(data);
    const n = engine.transmit(socket, bufs, to);
    if (n < size) engine.recycleBuffers(bufs.slice(n));
    return n;
  };
}

/** `ref`'s engine options on the device `vdev` (EAL's `--vdev` argument) named `port`, at `address` if given. */
export function onVdev(ref: EngineRef, vdev: string, port: string, address?: string): EngineRef {
  const eal = (ref.options.eal ?? {}) as Record<string, unknown>;
  const options = { ...ref.options, eal: { ...eal, vdevs: [vdev] }, port };
  return { ...ref, options: address === undefined ? options : { ...options, address } };
}

/** `ref`'s engine options on virtual device `device` (`net_null0`, `net_ring0`) instead. */
export function onDevice(ref: EngineRef, device: string | undefined): EngineRef {
  return device === undefined ? ref : onVdev(ref, `${device}0`, `${device}0`);
}
