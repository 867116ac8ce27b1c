/**
 * Builds Ethernet frames for injection, independently of the engine's own
 * stack: every field can be set, checksums are computed unless overridden.
 */

function sum16(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i + 1 < b.length; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if (b.length & 1) s += b[b.length - 1]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** The Internet checksum of `b`. */
export function inetChecksum(b: Uint8Array): number {
  return ~sum16(b) & 0xffff;
}

const mac = (m: string) => Uint8Array.from(m.split(':'), (h) => Number.parseInt(h, 16));
const ip4 = (a: string) => Uint8Array.from(a.split('.').map(Number));

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Ethernet header. */
export function eth(dst: string, src: string, type: number): Uint8Array {
  return concat(mac(dst), mac(src), Uint8Array.of(type >> 8, type & 255));
}

/** Fields of an IPv4 header; defaults make a valid one. */
export interface Ipv4Fields {
  src: string;
  dst: string;
  proto: number;
  payloadLength: number;
  version?: number;
  ihl?: number;
  totalLength?: number;
  flagsFrag?: number;
  ttl?: number;
  checksum?: number;
  options?: Uint8Array;
}

/** IPv4 header (with options when given). */
export function ipv4(f: Ipv4Fields): Uint8Array {
  const opts = f.options ?? new Uint8Array(0);
  const h = new Uint8Array(20 + opts.length);
  const ihl = f.ihl ?? h.length / 4;
  const total = f.totalLength ?? h.length + f.payloadLength;
  h[0] = ((f.version ?? 4) << 4) | ihl;
  h[2] = total >> 8;
  h[3] = total & 255;
  const ff = f.flagsFrag ?? 0x4000;
  h[6] = ff >> 8;
  h[7] = ff & 255;
  h[8] = f.ttl ?? 64;
  h[9] = f.proto;
  h.set(ip4(f.src), 12);
  h.set(ip4(f.dst), 16);
  h.set(opts, 20);
  const c = f.checksum ?? inetChecksum(h);
  h[10] = c >> 8;
  h[11] = c & 255;
  return h;
}

/** UDP header + payload with a correct checksum unless `checksum` or `length` override it. */
export function udp(
  src: string,
  dst: string,
  sport: number,
  dport: number,
  payload: Uint8Array,
  over: { checksum?: number; length?: number } = {},
): Uint8Array {
  const len = 8 + payload.length;
  const u = concat(
    Uint8Array.of(sport >> 8, sport & 255, dport >> 8, dport & 255, len >> 8, len & 255, 0, 0),
    payload,
  );
  const pseudo = concat(ip4(src), ip4(dst), Uint8Array.of(0, 17, len >> 8, len & 255));
  let c = inetChecksum(concat(pseudo, u));
  if (c === 0) c = 0xffff;
  c = over.checksum ?? c;
  u[6] = c >> 8;
  u[7] = c & 255;
  if (over.length !== undefined) {
    u[4] = over.length >> 8;
    u[5] = over.length & 255;
  }
  return u;
}

/** A whole Ethernet/IPv4/UDP frame. */
export function udpFrame(
  l2: { dst: string; src: string },
  l3: { src: string; dst: string },
  ports: { sport: number; dport: number },
  payload: Uint8Array,
  over: { ip?: Partial<Ipv4Fields>; udp?: { checksum?: number; length?: number } } = {},
): Uint8Array {
  const u = udp(l3.src, l3.dst, ports.sport, ports.dport, payload, over.udp);
  return concat(
    eth(l2.dst, l2.src, 0x0800),
    ipv4({ ...l3, proto: 17, payloadLength: u.length, ...over.ip }),
    u,
  );
}

/** An ICMP message in an IPv4 frame. */
export function icmpFrame(
  l2: { dst: string; src: string },
  l3: { src: string; dst: string },
  type: number,
  body: Uint8Array,
  checksum?: number,
): Uint8Array {
  const m = concat(Uint8Array.of(type, 0, 0, 0), body);
  const c = checksum ?? inetChecksum(m);
  m[2] = c >> 8;
  m[3] = c & 255;
  return concat(eth(l2.dst, l2.src, 0x0800), ipv4({ ...l3, proto: 1, payloadLength: m.length }), m);
}

/** An ARP request from `senderMac`/`senderIp` for `targetIp`, broadcast. */
export function arpRequest(senderMac: string, senderIp: string, targetIp: string): Uint8Array {
  const body = concat(
    Uint8Array.of(0, 1, 8, 0, 6, 4, 0, 1),
    mac(senderMac),
    ip4(senderIp),
    new Uint8Array(6),
    ip4(targetIp),
  );
  return concat(eth('ff:ff:ff:ff:ff:ff', senderMac, 0x0806), body);
}

/** Hex of a frame, as raw.py's inject mode reads it. */
export function hexOf(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** Concatenates byte arrays. */
export { concat };
