import { rmdirSync } from 'node:fs';
import { IoError, invalidArg } from '@binio/core';
import { type EalOptions, ealArgs } from './eal-options.js';
import { loadAddon } from './native/addon.js';
import { callNative } from './native/errors.js';
import type { DpdkAddon, NativeEalInfo } from './native/types.js';

/** Something the EAL polls while any of its users waits: an engine. */
export interface Pollable {
  /** Receives and handles one burst; returns the frames handled. */
  poll(): number;
}

/** A port EAL knows. */
export interface PortRef {
  /** DPDK's port id. */
  id: number;
  /** Its device name (`net_ring0`, `net_af_packet0`, `net_ring_a`). */
  name: string;
}

let current: Eal | undefined;

/**
 * DPDK's Environment Abstraction Layer, which a process initialises once and
 * never again (not even after {@link Eal.cleanup}). Engines run on it, one
 * port each; while any of them waits (ARP resolution, a receive), the EAL
 * polls all of them, since they share the one lcore and a sync engine that
 * waits must still answer its peers.
 */
export class Eal {
  /** The arguments rte_eal_init was given. */
  readonly args: readonly string[];
  /** @internal */
  readonly addon: DpdkAddon;
  readonly #users = new Set<Pollable>();
  // Pools whose mbufs were still out (in another port's ring) when their
  // engine closed: freed once every mbuf is back, or at cleanup.
  readonly #lingering = new Set<number>();
  readonly #claimed = new Set<number>();
  #running = true;

  private constructor(addon: DpdkAddon, args: readonly string[]) {
    this.addon = addon;
    this.args = args;
  }

  /**
   * Initialises EAL with `options`. Refused with `ERR_INVALID_STATE` when EAL
   * was initialised before in this process (running, failed or cleaned up):
   * DPDK cannot initialise twice. Bad options fail before EAL sees them.
   */
  static init(options: EalOptions = {}): Eal {
    const args = ealArgs(options);
    const addon = loadAddon();
    const state = addon.ealState();
    if (state !== 'never') {
      const before = current ? ` with '${current.args.join(' ')}'` : '';
      throw new IoError({
        code: 'ERR_INVALID_STATE',
        engine: 'dpdk',
        message:
          state === 'running'
            ? `DPDK's EAL is already initialised in this process${before}; it initialises once per process. ` +
              'Use the running one (Eal.current) for more engines, or start another process.'
            : `DPDK's EAL was initialised once in this process already (${state}); ` +
              'it cannot be initialised again: start another process.',
      });
    }
    callNative(
      'rte_eal_init',
      () => addon.ealInit(args, options.keepAffinity === true),
      `arguments: ${args.join(' ')}`,
    );
    current = new Eal(addon, args);
    return current;
  }

  /** The running EAL of this process, if any. */
  static get current(): Eal | undefined {
    // biome-ignore lint/complexity/useOptionalChain: TypeScript refuses `?.` before a private name.
    return current !== undefined && current.#running ? current : undefined;
  }

  /** True until {@link cleanup}. */
  get running(): boolean {
    return this.#running;
  }

  /** Facts about the running EAL (lcores, IOVA mode, hugepages, port count). */
  get info(): NativeEalInfo {
    this.#assertRunning();
    return this.addon.ealInfo();
  }

  /** Every port: probed vdevs and ring pairs. */
  ports(): PortRef[] {
    this.#assertRunning();
    return this.addon.ports();
  }

  /** The port named `name` (or with id `name`); `ENODEV` naming the ports there are otherwise. */
  port(name: string | number): PortRef {
    const ports = this.ports();
    const hit = ports.find((p) => (typeof name === 'number' ? p.id === name : p.name === name));
    if (!hit) {
      throw new IoError({
        code: 'ENODEV',
        engine: 'dpdk',
        message:
          `No DPDK port ${typeof name === 'number' ? name : `'${name}'`}; ports: ` +
          `${ports.map((p) => `${p.id} '${p.name}'`).join(', ') || 'none (add --vdev devices: EalOptions.vdevs)'}`,
      });
    }
    return hit;
  }

  /**
   * Two new ports joined by a pair of rings, each one's TX the other's RX: a
   * loopback cable in memory. Names must be unique; the ports are called
   * `net_ring_<a>` and `net_ring_<b>`.
   */
  ringPair(a: string, b: string, size = 1024): [PortRef, PortRef] {
    this.#assertRunning();
    for (const n of [a, b]) {
      if (typeof n !== 'string' || !/^[A-Za-z0-9_]{1,12}$/.test(n)) {
        throw invalidArg(
          'ERR_INVALID_ARG_VALUE',
          `ring port names are 1-12 letters, digits or '_', got ${String(n)}`,
        );
      }
    }
    if (!Number.isInteger(size) || size < 2 || size > 65536 || (size & (size - 1)) !== 0) {
      throw invalidArg(
        'ERR_OUT_OF_RANGE',
        `ring size must be a power of two in [2, 65536], got ${size}`,
      );
    }
    const [pa, pb] = callNative('rte_eth_from_rings', () => this.addon.ringPair(a, b, size));
    return [this.port(pa), this.port(pb)];
  }

  /** Polls every engine on this EAL once; returns the frames handled. */
  pollAll(): number {
    let n = 0;
    for (const u of this.#users) n += u.poll();
    this.#sweep();
    return n;
  }

  /** @internal engines register while open */
  attach(user: Pollable): void {
    this.#assertRunning();
    this.#users.add(user);
  }

  /** @internal */
  detach(user: Pollable): void {
    this.#users.delete(user);
    this.#sweep();
  }

  /** @internal one engine per port: `EBUSY` when another open engine has it */
  claim(port: PortRef): void {
    if (this.#claimed.has(port.id)) {
      throw new IoError({
        code: 'EBUSY',
        engine: 'dpdk',
        message: `EBUSY: port ${port.id} '${port.name}' is used by another open DPDK engine; close it first`,
      });
    }
    this.#claimed.add(port.id);
  }

  /** @internal */
  release(port: PortRef): void {
    this.#claimed.delete(port.id);
  }

  /** @internal a closed engine's pool that still has mbufs out */
  linger(pool: number): void {
    this.#lingering.add(pool);
  }

  /** Pools still waiting for mbufs of theirs held by another port. */
  get lingeringPools(): number {
    return this.#lingering.size;
  }

  #sweep(): void {
    if (this.#lingering.size === 0) return;
    for (const id of this.#lingering) {
      const [avail, inUse] = this.addon.poolCounts(id);
      if (inUse === 0 && avail > 0) {
        this.addon.poolFree(id);
        this.#lingering.delete(id);
      }
    }
  }

  /**
   * Closes every port and releases EAL (`rte_eal_cleanup`). Engines still
   * open are refused with `ERR_INVALID_STATE`: close them first. Closing the
   * ports hands back the mbufs devices still held (net_tap keeps its receive
   * ring filled until then); the report says how many mbufs of the pools
   * that were waiting for them were still missing at the end (0 when all
   * came back). EAL cannot be initialised again in this process afterwards.
   */
  cleanup(): { pools: number; missingMbufs: number } {
    if (!this.#running) return { pools: 0, missingMbufs: 0 };
    if (this.#users.size > 0) {
      throw new IoError({
        code: 'ERR_INVALID_STATE',
        engine: 'dpdk',
        message: `${this.#users.size} DPDK engine(s) are still open on this EAL; close them before cleanup`,
      });
    }
    for (const p of this.addon.ports())
      callNative('rte_eth_dev_close', () => this.addon.portClose(p.id));
    const pools = this.#lingering.size;
    let missingMbufs = 0;
    for (const id of this.#lingering) {
      missingMbufs += this.addon.poolCounts(id)[1];
      this.addon.poolFree(id);
    }
    this.#lingering.clear();
    const runtimeDir = this.addon.ealInfo().runtimeDir;
    this.#running = false;
    callNative('rte_eal_cleanup', () => this.addon.ealCleanup());
    // EAL leaves its (by now empty) runtime directory behind; a process
    // per test or benchmark run would pile them up.
    try {
      rmdirSync(runtimeDir);
    } catch {
      // Not empty (another process shares the prefix) or already gone.
    }
    return { pools, missingMbufs };
  }

  #assertRunning(): void {
    if (!this.#running) {
      throw new IoError({ code: 'ERR_CLOSED', engine: 'dpdk', message: 'This EAL was cleaned up' });
    }
  }
}

/** Initialises DPDK's EAL (see {@link Eal.init}). */
export function initEal(options?: EalOptions): Eal {
  return Eal.init(options);
}
