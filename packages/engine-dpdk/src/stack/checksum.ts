/**
 * The Internet checksum (RFC 1071) in JavaScript, for what the receive path
 * checks and the few frames the stack builds itself (ARP needs none; ICMP
 * echo replies and the IPv4 headers of replies do). The transmit fast path
 * computes its checksums natively (native/udp.h).
 */

/** A DataView over exactly the bytes of `m`. */
export function viewOf(m: Uint8Array): DataView {
  return new DataView(m.buffer, m.byteOffset, m.byteLength);
}

/**
 * Adds the 16-bit big-endian words of v[o..o+len) to `sum` (not folded).
 * Reads 32 bits at a time: a 32-bit word adds hi * 65536 + lo, and 65536 is
 * 1 modulo 65535, so folding gives the same one's complement sum (doubles
 * hold the total exactly far beyond any frame). On the receive path this
 * is half the loop of 16-bit words.
 */
export function sumWords(v: DataView, o: number, len: number, sum = 0): number {
  let s = sum;
  let i = o;
  const end = o + (len & ~3);
  for (; i < end; i += 4) s += v.getUint32(i);
  if (len & 2) {
    s += v.getUint16(i);
    i += 2;
  }
  // An odd last byte is the high byte of a zero-padded word.
  if (len & 1) s += v.getUint8(i) << 8;
  return s;
}

/** Folds a sum to 16 bits (not complemented). */
export function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** The checksum field value for m[o..o+len) whose own checksum field is zero. */
export function checksum(m: Uint8Array, o: number, len: number): number {
  return ~fold(sumWords(viewOf(m), o, len)) & 0xffff;
}

/** True when v[o..o+len), checksum field included, sums to 0xffff (valid). */
export function verifies(v: DataView, o: number, len: number, sum = 0): boolean {
  return fold(sumWords(v, o, len, sum)) === 0xffff;
}

/** The UDP/IPv4 pseudo-header sum (source, destination, protocol 17, UDP length). */
export function pseudoSum(src: number, dst: number, udpLength: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + 17 + udpLength;
}
