import { IoError } from '@binio/core';
import type { ArpTable } from './arp.js';
import type { StackCounters } from './counters.js';
import { formatIp, isMulticast, type Subnet } from './ipv4.js';

/** What the router needs from the engine. */
export interface RouterHost {
  /** Sends an ARP request for `ip`. */
  sendArpRequest(ip: number): void;
  /** Polls every engine on the EAL once (so replies get in). */
  pollAll(): void;
  /** Names the engine in error messages. */
  readonly label: string;
}

const BROADCAST_MAC = new Uint8Array([255, 255, 255, 255, 255, 255]);

/**
 * Routing and neighbour resolution: which next hop a destination goes to,
 * and its MAC, asking by ARP and waiting (polling, this engine being
 * synchronous) while the datagrams for it are held. Gives up after the
 * configured number of requests with `EHOSTUNREACH`.
 */
export class Router {
  readonly #subnet: Subnet;
  readonly #gateway: number | undefined;
  readonly #arp: ArpTable;
  readonly #counters: StackCounters;
  readonly #host: RouterHost;
  readonly #retries: number;
  readonly #intervalMs: number;

  constructor(
    subnet: Subnet,
    gateway: number | undefined,
    arp: ArpTable,
    counters: StackCounters,
    host: RouterHost,
    retries: number,
    intervalMs: number,
  ) {
    this.#subnet = subnet;
    this.#gateway = gateway;
    this.#arp = arp;
    this.#counters = counters;
    this.#host = host;
    this.#retries = retries;
    this.#intervalMs = intervalMs;
  }

  /** The on-link address packets to `dst` go to; `ENETUNREACH` without a route. */
  nextHop(dst: number): number {
    const s = this.#subnet;
    if ((dst & s.mask) >>> 0 === (s.ip & s.mask) >>> 0) return dst;
    if (dst === 0xffffffff || isMulticast(dst)) return dst;
    if (this.#gateway !== undefined) return this.#gateway;
    throw new IoError({
      code: 'ENETUNREACH',
      engine: 'dpdk',
      address: formatIp(dst),
      message: `ENETUNREACH: ${formatIp(dst)} is not on ${formatIp(s.ip)}/${s.prefix} and no gateway is set (${this.#host.label})`,
    });
  }

  /** The MAC for `dst` if known without asking, and until when it holds. */
  known(dst: number, now: number): { mac: Uint8Array; expires: number } | undefined {
    if (dst === 0xffffffff || dst === this.#subnet.broadcast)
      return { mac: BROADCAST_MAC, expires: Number.POSITIVE_INFINITY };
    if (isMulticast(dst)) {
      // RFC 1112: 01:00:5e and the low 23 bits of the group.
      const mac = new Uint8Array([1, 0, 0x5e, (dst >>> 16) & 0x7f, (dst >>> 8) & 255, dst & 255]);
      return { mac, expires: Number.POSITIVE_INFINITY };
    }
    return this.#arp.lookup(this.nextHop(dst), now);
  }

  /**
   * The MAC for `dst`, resolving it by ARP when unknown: sends a request,
   * polls for the reply, repeats, and gives up with `EHOSTUNREACH`. `held`
   * datagrams wait meanwhile (counted).
   */
  resolve(dst: number, held: number): { mac: Uint8Array; expires: number } {
    const now = Date.now();
    const hit = this.known(dst, now);
    if (hit) return hit;
    const hop = this.nextHop(dst);
    this.#counters.arpHeld += held;
    for (let attempt = 1; attempt <= this.#retries; attempt++) {
      this.#host.sendArpRequest(hop);
      this.#counters.arpRequests++;
      const until = Date.now() + this.#intervalMs;
      do {
        this.#host.pollAll();
        const e = this.#arp.lookup(hop, Date.now());
        if (e) return e;
      } while (Date.now() < until);
    }
    this.#counters.arpFailed++;
    const via = hop === dst ? '' : ` (via gateway ${formatIp(hop)})`;
    throw new IoError({
      code: 'EHOSTUNREACH',
      engine: 'dpdk',
      address: formatIp(dst),
      message:
        `EHOSTUNREACH: no ARP reply from ${formatIp(hop)}${via} after ${this.#retries} request(s) ` +
        `${this.#intervalMs} ms apart; ${held} datagram(s) held for it were not sent (${this.#host.label})`,
    });
  }
}
