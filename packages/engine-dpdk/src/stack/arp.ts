import { ARP_BODY, ETH_HEADER, ETHERTYPE_ARP, get16, get32, put16, put32 } from './wire.js';

/** ARP settings of an engine. */
export interface ArpOptions {
  /** How long a learned address stays valid, in ms (default 60 000). */
  ttlMs?: number;
  /** Requests sent before giving up on a peer (default 3). */
  retries?: number;
  /** Time between those requests, in ms (default 200). */
  retryIntervalMs?: number;
}

/** Keys of {@link ArpOptions}. */
export const ARP_OPTION_KEYS = ['ttlMs', 'retries', 'retryIntervalMs'] as const;

interface Entry {
  mac: Uint8Array;
  expires: number;
}

/** A learned neighbour, for inspection. */
export interface ArpEntry {
  /** IPv4 address (32-bit number). */
  ip: number;
  /** Its MAC address. */
  mac: Uint8Array;
  /** When it expires (ms since the epoch). */
  expires: number;
}

/**
 * IPv4 → MAC mappings with expiry. {@link generation} changes whenever a
 * mapping is added, changed or dropped, so the header templates built from
 * them know when to rebuild.
 */
export class ArpTable {
  readonly #entries = new Map<number, Entry>();
  readonly ttlMs: number;
  /** Bumped on every change of a mapping. */
  generation = 0;

  constructor(ttlMs: number) {
    this.ttlMs = ttlMs;
  }

  /** The MAC of `ip` if known and fresh; expired entries are dropped. */
  lookup(ip: number, now: number): Entry | undefined {
    const e = this.#entries.get(ip);
    if (!e) return undefined;
    if (e.expires <= now) {
      this.#entries.delete(ip);
      this.generation++;
      return undefined;
    }
    return e;
  }

  /**
   * Records that `ip` is at the MAC in `m[at..at+6)`. Without `create`, only
   * refreshes an existing entry (RFC 826: hosts not asked merely update).
   */
  learn(ip: number, m: Uint8Array, at: number, now: number, create: boolean): void {
    const e = this.#entries.get(ip);
    if (!e) {
      if (!create) return;
      this.#entries.set(ip, { mac: m.slice(at, at + 6), expires: now + this.ttlMs });
      this.generation++;
      return;
    }
    let changed = false;
    for (let i = 0; i < 6; i++) {
      if (e.mac[i] !== m[at + i]) {
        e.mac[i] = m[at + i]!;
        changed = true;
      }
    }
    e.expires = now + this.ttlMs;
    if (changed) this.generation++;
  }

  /** Forgets `ip`. */
  forget(ip: number): void {
    if (this.#entries.delete(ip)) this.generation++;
  }

  /** Every entry (copies). */
  entries(): ArpEntry[] {
    return [...this.#entries].map(([ip, e]) => ({ ip, mac: e.mac.slice(), expires: e.expires }));
  }
}

/** What an ARP packet says, once checked to be IPv4-over-Ethernet ARP. */
export interface ArpPacket {
  /** 1 request, 2 reply. */
  op: number;
  /** Sender IP. */
  senderIp: number;
  /** Offset of the sender MAC in the memory. */
  senderMacAt: number;
  /** Target IP. */
  targetIp: number;
}

/**
 * Parses the ARP body at `o` (after the Ethernet header) of a frame of `len`
 * bytes; returns what is wrong instead when it is not IPv4-over-Ethernet ARP.
 */
export function parseArp(
  m: Uint8Array,
  o: number,
  len: number,
): ArpPacket | 'truncated' | 'badArp' {
  if (len < ETH_HEADER + ARP_BODY) return 'truncated';
  if (get16(m, o) !== 1 || get16(m, o + 2) !== 0x0800 || m[o + 4] !== 6 || m[o + 5] !== 4)
    return 'badArp';
  const op = get16(m, o + 6);
  if (op !== 1 && op !== 2) return 'badArp';
  return { op, senderIp: get32(m, o + 14), senderMacAt: o + 8, targetIp: get32(m, o + 24) };
}

/**
 * Turns the ARP request frame at `f` into the reply to it, in place: we
 * (`mac`, `ip`) answer the requester. Returns the frame length.
 */
export function replyInPlace(m: Uint8Array, f: number, mac: Uint8Array, ip: number): number {
  const a = f + ETH_HEADER;
  // Ethernet: back to the requester, from us.
  m.copyWithin(f, a + 8, a + 14);
  m.set(mac, f + 6);
  put16(m, a + 6, 2);
  // Target := the requester (its MAC and IP from the sender fields).
  m.copyWithin(a + 18, a + 8, a + 18);
  m.set(mac, a + 8);
  put32(m, a + 14, ip);
  return ETH_HEADER + ARP_BODY;
}

/** Writes a broadcast request for `targetIp` at `f`; returns the frame length. */
export function writeRequest(
  m: Uint8Array,
  f: number,
  mac: Uint8Array,
  ip: number,
  targetIp: number,
): number {
  m.fill(0xff, f, f + 6);
  m.set(mac, f + 6);
  put16(m, f + 12, ETHERTYPE_ARP);
  const a = f + ETH_HEADER;
  put16(m, a, 1);
  put16(m, a + 2, 0x0800);
  m[a + 4] = 6;
  m[a + 5] = 4;
  put16(m, a + 6, 1);
  m.set(mac, a + 8);
  put32(m, a + 14, ip);
  m.fill(0, a + 18, a + 24);
  put32(m, a + 24, targetIp);
  return ETH_HEADER + ARP_BODY;
}
