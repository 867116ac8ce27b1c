import { ETH_HEADER, ETHERTYPE_IPV4, PROTO_UDP, put16, put32 } from './wire.js';

/** One flow's header fields: who sends to whom, through which next-hop MAC. */
export interface Flow {
  srcIp: number;
  srcPort: number;
  dstIp: number;
  dstPort: number;
  dstMac: Uint8Array;
}

/**
 * The 42-byte Ethernet/IPv4/UDP header templates in the control block, one
 * per recent flow. TypeScript decides every field here (addresses, TTL, DF,
 * no fragmentation); the addon only copies a template in front of each
 * payload and fills in lengths and checksums. Slots are reused oldest
 * first; {@link generation} changes when any slot is rewritten, so cached
 * slot numbers know when they are stale.
 */
export class TemplateSlots {
  readonly #mem: Uint8Array;
  readonly #bytes: number;
  readonly #slots: number;
  readonly #ourMac: Uint8Array;
  readonly #ttl: number;
  // key → slot, in order of last use (Map keeps insertion order).
  readonly #bySlotKey = new Map<string, number>();
  #next = 0;
  /** Bumped whenever a slot is rewritten or all are dropped. */
  generation = 0;

  constructor(mem: Uint8Array, slots: number, bytes: number, ourMac: Uint8Array, ttl: number) {
    this.#mem = mem;
    this.#slots = slots;
    this.#bytes = bytes;
    this.#ourMac = ourMac;
    this.#ttl = ttl;
  }

  /** The slot holding the header of `flow` (written if needed). */
  slotFor(flow: Flow): number {
    const key = `${flow.srcIp}:${flow.srcPort}>${flow.dstIp}:${flow.dstPort}@${flow.dstMac.join('.')}`;
    const hit = this.#bySlotKey.get(key);
    if (hit !== undefined) {
      this.#bySlotKey.delete(key);
      this.#bySlotKey.set(key, hit);
      return hit;
    }
    let slot: number;
    if (this.#next < this.#slots) {
      slot = this.#next++;
    } else {
      const [oldKey, oldSlot] = this.#bySlotKey.entries().next().value as [string, number];
      this.#bySlotKey.delete(oldKey);
      slot = oldSlot;
    }
    this.#write(slot, flow);
    this.#bySlotKey.set(key, slot);
    this.generation++;
    return slot;
  }

  /** Forgets every slot (after a neighbour changed its MAC). */
  clear(): void {
    this.#bySlotKey.clear();
    this.#next = 0;
    this.generation++;
  }

  #write(slot: number, f: Flow): void {
    const m = this.#mem;
    const t = slot * this.#bytes;
    m.set(f.dstMac, t);
    m.set(this.#ourMac, t + 6);
    put16(m, t + 12, ETHERTYPE_IPV4);
    const ip = t + ETH_HEADER;
    m[ip] = 0x45; // version 4, IHL 5: no options
    m[ip + 1] = 0;
    put16(m, ip + 2, 0); // total length: per packet
    put16(m, ip + 4, 0); // identification: unused, datagrams are atomic (RFC 6864)
    put16(m, ip + 6, 0x4000); // DF: the stack never fragments
    m[ip + 8] = this.#ttl;
    m[ip + 9] = PROTO_UDP;
    put16(m, ip + 10, 0); // checksum: per packet
    put32(m, ip + 12, f.srcIp);
    put32(m, ip + 16, f.dstIp);
    const udp = ip + 20;
    put16(m, udp, f.srcPort);
    put16(m, udp + 2, f.dstPort);
    put16(m, udp + 4, 0);
    put16(m, udp + 6, 0);
  }
}
