import { type ArpTable, parseArp, replyInPlace } from './arp.js';
import { checksum, pseudoSum, verifies, viewOf } from './checksum.js';
import {
  type DropCounters,
  type DropReason,
  dropCounters,
  type StackCounters,
} from './counters.js';
import type { Subnet } from './ipv4.js';
import {
  ETH_HEADER,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  get16,
  get32,
  IPV4_HEADER,
  isBroadcastMac,
  PROTO_ICMP,
  PROTO_UDP,
  put16,
  put32,
  sameMac,
  UDP_HEADER,
} from './wire.js';

/** The frame was handed on (queued to a socket): keep its mbuf. */
export const KEEP = 0;
/** The frame was dropped or used up: free its mbuf. */
export const FREE = 1;
/** The frame was rewritten in place into a reply of {@link Receiver.replyLength} bytes: send it. */
export const REPLY = 2;

/**
 * Queues a datagram whose payload (`length` bytes) now sits at the canonical
 * payload offset of mbuf `index`; returns why it could not, or undefined.
 */
export type Deliver = (
  dstIp: number,
  dstPort: number,
  srcIp: number,
  srcPort: number,
  index: number,
  length: number,
) => DropReason | undefined;

/** Our identity on the link. */
export interface LinkIdentity {
  mac: Uint8Array;
  subnet: Subnet;
  ttl: number;
}

/**
 * The receive side of the user-space stack: checks each frame layer by
 * layer, in place in its mbuf, and either queues its UDP payload to a
 * socket, answers it (ARP requests for us, ICMP echo requests) by rewriting
 * it into the reply, or drops it with a counted reason. Nothing here can
 * throw on a malformed frame: every length is checked before it is used.
 */
/** The flag bits that say a checksum was already found good (the addon's `layout.rxIpSumGood`, `rxUdpSumGood`). */
export interface SumFlags {
  readonly ip: number;
  readonly udp: number;
}

export class Receiver {
  /** Frames dropped, by reason. */
  readonly drops: DropCounters = dropCounters();
  /** Length of the reply {@link input} last built (when it returned REPLY). */
  replyLength = 0;
  readonly #mem: Uint8Array;
  // The same bytes, for checksums read 32 bits at a time.
  readonly #view: DataView;
  readonly #room: Uint32Array;
  readonly #payloadOffset: number;
  readonly #payloadMax: number;
  readonly #us: LinkIdentity;
  readonly #good: SumFlags;
  readonly #arp: ArpTable;
  readonly #counters: StackCounters;
  readonly #deliver: Deliver;

  constructor(
    mem: Uint8Array,
    room: Uint32Array,
    payloadOffset: number,
    payloadMax: number,
    us: LinkIdentity,
    good: SumFlags,
    arp: ArpTable,
    counters: StackCounters,
    deliver: Deliver,
  ) {
    this.#mem = mem;
    this.#view = viewOf(mem);
    this.#room = room;
    this.#payloadOffset = payloadOffset;
    this.#payloadMax = payloadMax;
    this.#us = us;
    this.#good = good;
    this.#arp = arp;
    this.#counters = counters;
    this.#deliver = deliver;
  }

  /**
   * Handles the frame of `len` bytes at data offset `off` of mbuf `index`.
   * `sums` has the {@link SumFlags} bits of checksums already found good
   * (by the addon, while the frame was in cache); the others are summed here.
   */
  input(index: number, off: number, len: number, now: number, sums = 0): number {
    const m = this.#mem;
    const f = this.#room[index]! + off;
    if (len < ETH_HEADER) return this.#drop('truncated');
    if (!sameMac(m, f, this.#us.mac) && !isBroadcastMac(m, f)) return this.#drop('notForUs');
    const type = get16(m, f + 12);
    if (type === ETHERTYPE_IPV4) return this.#ipv4(index, f, len, sums);
    if (type === ETHERTYPE_ARP) return this.#arpIn(f, len, now);
    return this.#drop('unknownEthertype');
  }

  #drop(reason: DropReason): number {
    this.drops[reason]++;
    return FREE;
  }

  #arpIn(f: number, len: number, now: number): number {
    const m = this.#mem;
    const p = parseArp(m, f + ETH_HEADER, len);
    if (typeof p === 'string') return this.#drop(p);
    const ours = p.targetIp === this.#us.subnet.ip;
    // Whoever speaks to us is remembered; others only refresh what we know.
    this.#arp.learn(p.senderIp, m, p.senderMacAt, now, ours);
    if (!ours) return this.#drop('arpNotForUs');
    this.#counters.arpLearned++;
    if (p.op === 2) return FREE;
    this.replyLength = replyInPlace(m, f, this.#us.mac, this.#us.subnet.ip);
    this.#counters.arpReplied++;
    return REPLY;
  }

  #ipv4(index: number, f: number, len: number, sums: number): number {
    const m = this.#mem;
    const ip = f + ETH_HEADER;
    if (len < ETH_HEADER + IPV4_HEADER) return this.#drop('truncated');
    const vihl = m[ip]!;
    if (vihl >> 4 !== 4) return this.#drop('badIpVersion');
    const ihl = (vihl & 15) * 4;
    if (ihl < IPV4_HEADER || ETH_HEADER + ihl > len) return this.#drop('badIhl');
    const total = get16(m, ip + 2);
    // Frames may carry padding after the packet, never less than it.
    if (total < ihl || ETH_HEADER + total > len) return this.#drop('badIpLength');
    if ((sums & this.#good.ip) === 0 && !verifies(this.#view, ip, ihl))
      return this.#drop('badIpChecksum');
    if ((get16(m, ip + 6) & 0x3fff) !== 0) return this.#drop('fragment');
    const dst = get32(m, ip + 16);
    const s = this.#us.subnet;
    const broadcast = dst === 0xffffffff || dst === s.broadcast;
    if (dst !== s.ip && !broadcast) return this.#drop('ipNotForUs');
    const src = get32(m, ip + 12);
    const proto = m[ip + 9];
    if (proto === PROTO_UDP) return this.#udp(index, ip, ihl, total, src, dst, sums);
    if (proto === PROTO_ICMP) return this.#icmp(f, ip, ihl, total, src, broadcast);
    return this.#drop('unknownProtocol');
  }

  #udp(
    index: number,
    ip: number,
    ihl: number,
    total: number,
    src: number,
    dst: number,
    sums: number,
  ): number {
    const m = this.#mem;
    const u = ip + ihl;
    if (total < ihl + UDP_HEADER) return this.#drop('truncated');
    const ulen = get16(m, u + 4);
    if (ulen < UDP_HEADER || ulen > total - ihl) return this.#drop('badUdpLength');
    // A zero checksum means the sender computed none (allowed over IPv4).
    if (
      get16(m, u + 6) !== 0 &&
      (sums & this.#good.udp) === 0 &&
      !verifies(this.#view, u, ulen, pseudoSum(src, dst, ulen))
    ) {
      return this.#drop('badUdpChecksum');
    }
    const length = ulen - UDP_HEADER;
    if (length > this.#payloadMax) return this.#drop('tooBig');
    const at = u + UDP_HEADER;
    const canonical = this.#room[index]! + this.#payloadOffset;
    // IP options or an unusual data offset: move the payload where the
    // mbuf's buffer view expects it.
    if (at !== canonical) m.copyWithin(canonical, at, at + length);
    const why = this.#deliver(dst, get16(m, u + 2), src, get16(m, u), index, length);
    if (why !== undefined) return this.#drop(why);
    this.#counters.rxDatagrams++;
    return KEEP;
  }

  #icmp(
    f: number,
    ip: number,
    ihl: number,
    total: number,
    src: number,
    broadcast: boolean,
  ): number {
    const m = this.#mem;
    const c = ip + ihl;
    const clen = total - ihl;
    if (clen < 8 || !verifies(this.#view, c, clen)) return this.#drop('badIcmp');
    // Echo requests only, and not to broadcast (as Linux by default).
    if (m[c] !== 8 || m[c + 1] !== 0 || broadcast) return this.#drop('icmpIgnored');
    // Reply in place: back to the sender's MAC (the on-link hop it came by).
    m.copyWithin(f, f + 6, f + 12);
    m.set(this.#us.mac, f + 6);
    put32(m, ip + 16, src);
    put32(m, ip + 12, this.#us.subnet.ip);
    m[ip + 8] = this.#us.ttl;
    put16(m, ip + 10, 0);
    put16(m, ip + 10, checksum(m, ip, ihl));
    m[c] = 0;
    put16(m, c + 2, 0);
    put16(m, c + 2, checksum(m, c, clen));
    this.replyLength = ETH_HEADER + total;
    this.#counters.icmpEchoReplied++;
    return REPLY;
  }
}
