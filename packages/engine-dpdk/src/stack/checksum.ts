/**
 * The Internet checksum (RFC 1071) in JavaScript, for what the receive path
 * checks and the few frames the stack builds itself (ARP needs none; ICMP
 * echo replies and the IPv4 headers of replies do). The transmit fast path
 * computes its checksums natively (native/udp.h).
 */

/** Adds the 16-bit big-endian words of m[o..o+len) to `sum` (not folded). */
export function sumWords(m: Uint8Array, o: number, len: number, sum = 0): number {
  const end = o + (len & ~1);
  let s = sum;
  for (let i = o; i < end; i += 2) s += (m[i]! << 8) | m[i + 1]!;
  // An odd last byte is the high byte of a zero-padded word.
  if (len & 1) s += m[end]! << 8;
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
  return ~fold(sumWords(m, o, len)) & 0xffff;
}

/** True when m[o..o+len), checksum field included, sums to 0xffff (valid). */
export function verifies(m: Uint8Array, o: number, len: number, sum = 0): boolean {
  return fold(sumWords(m, o, len, sum)) === 0xffff;
}

/** The UDP/IPv4 pseudo-header sum (source, destination, protocol 17, UDP length). */
export function pseudoSum(src: number, dst: number, udpLength: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + 17 + udpLength;
}
