import { type AddressLike, IoError } from '@binio/core';
import type { DpdkUdpSocket } from '../socket.js';
import type { ArpTable } from '../stack/arp.js';
import { formatIp, ipToU32, isLoopback } from '../stack/ipv4.js';
import type { Router } from '../stack/router.js';
import type { TemplateSlots } from '../stack/templates.js';
import { inet } from './sockets.js';

/** 127.0.0.1, where datagrams to 0.0.0.0 go. */
export const LOOPBACK = 0x7f000001;
/** `held` value asking a route lookup not to resolve by ARP. */
export const PROBE = -1;

/** Where a datagram goes (parsed once per distinct `to`). */
export interface Destination {
  ip: number;
  port: number;
}

/** The next hop: this host, or a MAC until `expires`. */
interface Hop {
  local: boolean;
  mac: Uint8Array | undefined;
  expires: number;
}

/** A route from one socket to one destination, valid while the generations match. */
export interface CachedRoute {
  dst: Destination;
  hop: Hop;
  /** The header template slot (remote routes). */
  slot: number;
  arpGeneration: number;
  templateGeneration: number;
}

/**
 * From a socket to a destination: whether it is this host, else the next
 * hop's MAC (asking by ARP through the {@link Router}) and the header
 * template for the flow. Cached per socket and destination.
 */
export class Routes {
  readonly #ourIp: number;
  readonly #arp: ArpTable;
  readonly #router: Router;
  readonly #templates: TemplateSlots;
  readonly #destinations = new Map<AddressLike, Destination>();

  constructor(ourIp: number, arp: ArpTable, router: Router, templates: TemplateSlots) {
    this.#ourIp = ourIp;
    this.#arp = arp;
    this.#router = router;
    this.#templates = templates;
  }

  /** `to` as a destination; `EINVAL` for port 0. */
  destination(to: AddressLike): Destination {
    // Senders name the same few destinations over and over, mostly as text:
    // parse each once. Destinations are shared objects, which also keys the
    // per-socket route caches.
    const hit = this.#destinations.get(to);
    if (hit !== undefined) return hit;
    const a = inet(to);
    if (a.port === 0) {
      throw new IoError({
        code: 'EINVAL',
        engine: 'dpdk',
        address: a.toString(),
        message: `EINVAL: cannot send to port 0 (${a})`,
      });
    }
    const dst: Destination = { ip: ipToU32(a.ip), port: a.port };
    if (this.#destinations.size >= 1024) this.#destinations.clear();
    this.#destinations.set(to, dst);
    return dst;
  }

  /** The source address of datagrams from `s` to `dst`. */
  sourceIp(s: DpdkUdpSocket, dst: number): number {
    if (s._ip !== 0) return s._ip;
    return isLoopback(dst) ? LOOPBACK : this.#ourIp;
  }

  /**
   * The route from `s` to `dst`: local, or the next hop's MAC and the header
   * template slot. Cached per socket and destination while the ARP table and
   * the templates stay as they were; otherwise resolved (maybe waiting for
   * ARP, with `held` datagrams held; with `held` = {@link PROBE}, undefined
   * instead of asking) and cached.
   */
  routeTo(s: DpdkUdpSocket, dst: Destination, held: number): CachedRoute | undefined {
    const cache = s._routes as Map<Destination, CachedRoute>;
    const c = cache.get(dst);
    if (
      c !== undefined &&
      c.arpGeneration === this.#arp.generation &&
      c.templateGeneration === this.#templates.generation &&
      (c.hop.local || Date.now() < c.hop.expires)
    ) {
      return c;
    }
    const hop = this.#hop(s, dst, held);
    if (hop === undefined) return undefined;
    const slot = hop.local ? 0 : this.#slot(s, dst, hop);
    const route: CachedRoute = {
      dst,
      hop,
      slot,
      arpGeneration: this.#arp.generation,
      templateGeneration: this.#templates.generation,
    };
    if (cache.size >= 256) cache.clear();
    cache.set(dst, route);
    return route;
  }

  #isLocal(ip: number): boolean {
    return ip === this.#ourIp || isLoopback(ip) || ip === 0;
  }

  #hop(s: DpdkUdpSocket, dst: Destination, held: number): Hop | undefined {
    if (this.#isLocal(dst.ip))
      return { local: true, mac: undefined, expires: Number.POSITIVE_INFINITY };
    if (isLoopback(s._ip)) {
      throw new IoError({
        code: 'EINVAL',
        engine: 'dpdk',
        message: `EINVAL: a socket bound to ${formatIp(s._ip)} can only send to this host, not ${formatIp(dst.ip)}`,
      });
    }
    const e =
      held === PROBE ? this.#router.known(dst.ip, Date.now()) : this.#router.resolve(dst.ip, held);
    return e && { local: false, mac: e.mac, expires: e.expires };
  }

  #slot(s: DpdkUdpSocket, dst: Destination, hop: Hop): number {
    return this.#templates.slotFor({
      srcIp: this.sourceIp(s, dst.ip),
      srcPort: s._port,
      dstIp: dst.ip,
      dstPort: dst.port,
      dstMac: hop.mac!,
    });
  }
}
