import { ControlBlock } from '../ctl.js';
import type { Eal, PortRef } from '../eal.js';
import type { EngineConfig } from '../engine-options.js';
import { callNative } from '../native/errors.js';
import type { NativePool, NativePortInfo } from '../native/types.js';

/** A port an engine has opened: its mempool, control block and queue. */
export interface OpenedPort {
  readonly native: NativePool;
  readonly ctl: ControlBlock;
  readonly queue: number;
}

let poolSeq = 0;

/**
 * Claims `port` for one engine, creates its mbuf pool, starts the port and
 * binds its queue to a fresh control block. Whatever step fails, the ones
 * before it are undone (no pool, no claim left behind) and the error goes
 * to the caller.
 */
export function openPort(
  eal: Eal,
  port: PortRef,
  device: NativePortInfo,
  cfg: EngineConfig,
  checksumOffload: boolean,
): OpenedPort {
  const addon = eal.addon;
  // net_af_packet's 2048-byte frames need more than a 2048-byte mbuf (see mbufSize).
  const stride = cfg.mbufSize ?? (device.driver === 'net_af_packet' ? 4096 : 2048);
  eal.claim(port);
  let native: NativePool;
  try {
    native = callNative('rte_pktmbuf_pool_create', () =>
      addon.poolCreate(`b${port.id}x${poolSeq++}`, cfg.mbufs, cfg.mbufCache, stride),
    );
  } catch (e) {
    eal.release(port);
    throw e;
  }
  const ctl = new ControlBlock(addon.layout);
  try {
    callNative('rte_eth_dev_start', () =>
      addon.portStart(port.id, native.id, cfg.rxDescriptors, cfg.txDescriptors, checksumOffload),
    );
    if (cfg.promiscuous) addon.promiscuous(port.id, true);
    const queue = addon.queueBind(port.id, native.id, ctl.buffer, checksumOffload);
    return { native, ctl, queue };
  } catch (e) {
    addon.portStop(port.id);
    addon.poolFree(native.id);
    eal.release(port);
    throw e;
  }
}
