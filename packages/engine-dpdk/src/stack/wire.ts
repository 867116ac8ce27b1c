/**
 * Frame layout constants and big-endian access to the pool memory: the
 * user-space stack reads and writes headers in place, in the mbufs.
 */

/** Ethernet header: destination, source, EtherType. */
export const ETH_HEADER = 14;
/** EtherType of IPv4. */
export const ETHERTYPE_IPV4 = 0x0800;
/** EtherType of ARP. */
export const ETHERTYPE_ARP = 0x0806;
/** An IPv4 header without options. */
export const IPV4_HEADER = 20;
/** The UDP header. */
export const UDP_HEADER = 8;
/** ARP for IPv4 over Ethernet. */
export const ARP_BODY = 28;
/** IP protocol numbers the stack handles. */
export const PROTO_ICMP = 1;
export const PROTO_UDP = 17;

/** Reads a big-endian 16-bit value. */
export function get16(m: Uint8Array, o: number): number {
  return (m[o]! << 8) | m[o + 1]!;
}

/** Reads a big-endian 32-bit value (unsigned). */
export function get32(m: Uint8Array, o: number): number {
  return ((m[o]! << 24) | (m[o + 1]! << 16) | (m[o + 2]! << 8) | m[o + 3]!) >>> 0;
}

/** Writes a big-endian 16-bit value. */
export function put16(m: Uint8Array, o: number, v: number): void {
  m[o] = v >>> 8;
  m[o + 1] = v;
}

/** Writes a big-endian 32-bit value. */
export function put32(m: Uint8Array, o: number, v: number): void {
  m[o] = v >>> 24;
  m[o + 1] = v >>> 16;
  m[o + 2] = v >>> 8;
  m[o + 3] = v;
}

/** True when the 6 bytes at `a` and at `b` (in the same or another array) are equal. */
export function sameMac(m: Uint8Array, a: number, mac: Uint8Array): boolean {
  return (
    m[a] === mac[0] &&
    m[a + 1] === mac[1] &&
    m[a + 2] === mac[2] &&
    m[a + 3] === mac[3] &&
    m[a + 4] === mac[4] &&
    m[a + 5] === mac[5]
  );
}

/** True for ff:ff:ff:ff:ff:ff at `a`. */
export function isBroadcastMac(m: Uint8Array, a: number): boolean {
  return (m[a]! & m[a + 1]! & m[a + 2]! & m[a + 3]! & m[a + 4]! & m[a + 5]!) === 0xff;
}

/** `aa:bb:cc:dd:ee:ff`. */
export function formatMac(mac: Uint8Array): string {
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Parses `aa:bb:cc:dd:ee:ff` (or with `-`); undefined when malformed. */
export function parseMac(text: string): Uint8Array | undefined {
  const m =
    /^([0-9a-f]{2})([:-])([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})$/i.exec(
      text,
    );
  if (!m) return undefined;
  return Uint8Array.from([m[1], m[3], m[4], m[5], m[6], m[7]], (h) => Number.parseInt(h!, 16));
}
