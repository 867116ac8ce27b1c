/** `IPv6Address`: an immutable 128-bit IPv6 address with an optional zone. */
import { copyExact, copyOut, sameBytes } from './bytes.js';
import { IPv4Address } from './ipv4.js';
import { formatIPv6, isMappedBytes, parseIPv6Text, zoneIndex, zoneProblem } from './ipv6-text.js';
import { invalidAddress, invalidType } from './refuse.js';

/**
 * An IPv6 address, with the zone it was written with (`fe80::1%eth0`,
 * `fe80::1%3`). Immutable: bytes are handed out as copies ({@link bytes}) or
 * written into a caller's buffer ({@link copyTo}, allocation-free, for
 * `sin6_addr`). Parsing accepts every RFC 4291 text form; {@link toString}
 * gives the RFC 5952 canonical form.
 *
 * @example
 * ```ts
 * IPv6Address.parse('2001:DB8:0:0:0:0:0:1').toString(); // '2001:db8::1'
 * IPv6Address.parse('::ffff:192.0.2.1').toIPv4()?.toString(); // '192.0.2.1'
 * ```
 */
export class IPv6Address {
  /** `::`, the unspecified address (bind to every interface). */
  static readonly ANY: IPv6Address = new IPv6Address(new Uint8Array(16), undefined);
  /** `::1`. */
  static readonly LOOPBACK: IPv6Address = new IPv6Address(
    Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
    undefined,
  );

  /** Always `'ipv6'`: tells it apart from an {@link IPv4Address}. */
  readonly family = 'ipv6' as const;
  /**
   * The zone (RFC 4007) as written after `%`, or `undefined`. A numeric zone
   * is an interface index; a name (`eth0`) is resolved by the engine.
   */
  readonly zone: string | undefined;
  readonly #bytes: Uint8Array;
  // Formatted on first use; most addresses built from received packets are never printed.
  #text: string | undefined;

  private constructor(bytes: Uint8Array, zone: string | undefined) {
    this.#bytes = bytes;
    this.zone = zone;
    Object.freeze(this);
  }

  /**
   * Parses any RFC 4291 text form: `2001:db8:0:0:0:0:0:1`, `2001:db8::1`,
   * `::ffff:1.2.3.4`, with an optional zone (`fe80::1%eth0`). Malformed text
   * fails with `ERR_INVALID_ADDRESS` saying what is wrong; a non-string with
   * `ERR_INVALID_ARG_TYPE`.
   */
  static parse(text: string): IPv6Address {
    if (typeof text !== 'string') throw invalidType('IPv6Address.parse', 'a string', text);
    const parsed = parseIPv6Text(text);
    if (typeof parsed === 'string') throw invalidAddress('IPv6 address', text, parsed);
    return new IPv6Address(parsed.bytes, parsed.zone);
  }

  /** The address whose 16 bytes (network order) are `bytes` (copied), with an optional zone. */
  static fromBytes(bytes: Uint8Array, zone?: string): IPv6Address {
    const own = copyExact(bytes, 16, 'IPv6Address.fromBytes', 'IPv6 address');
    return new IPv6Address(own, checkZone(zone, 'IPv6Address.fromBytes'));
  }

  /** The IPv4-mapped address `::ffff:a.b.c.d` of `ipv4` (for dual-stack sockets). */
  static ipv4Mapped(ipv4: IPv4Address): IPv6Address {
    if (!(ipv4 instanceof IPv4Address))
      throw invalidType('IPv6Address.ipv4Mapped', 'an IPv4Address', ipv4);
    const bytes = new Uint8Array(16);
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    ipv4.copyTo(bytes, 12);
    return new IPv6Address(bytes, undefined);
  }

  /** The 16 bytes in network order, as a fresh copy (use {@link copyTo} to avoid allocating). */
  get bytes(): Uint8Array {
    return this.#bytes.slice();
  }

  /** Writes the 16 bytes into `target` at `offset` (for example `sin6_addr` of a `sockaddr_in6`). */
  copyTo(target: Uint8Array, offset = 0): void {
    copyOut(this.#bytes, target, offset, 'IPv6Address.copyTo');
  }

  /** The same address with another zone (`undefined` removes it). */
  withZone(zone: string | undefined): IPv6Address {
    if (zone === this.zone) return this;
    return new IPv6Address(this.#bytes, checkZone(zone, 'IPv6Address.withZone'));
  }

  /** The interface index of a numeric zone (`%3` gives 3); `undefined` for none or a named zone. */
  get zoneIndex(): number | undefined {
    return zoneIndex(this.zone);
  }

  /** True for `::1`. */
  get isLoopback(): boolean {
    const b = this.#bytes;
    for (let i = 0; i < 15; i++) if (b[i] !== 0) return false;
    return b[15] === 1;
  }

  /** True for `::`. */
  get isUnspecified(): boolean {
    for (const byte of this.#bytes) if (byte !== 0) return false;
    return true;
  }

  /** True for `::ffff:0:0/96`, an IPv4 address seen through an IPv6 socket. */
  get isIPv4Mapped(): boolean {
    return isMappedBytes(this.#bytes);
  }

  /** True for `ff00::/8`. */
  get isMulticast(): boolean {
    return this.#bytes[0] === 0xff;
  }

  /** True for `fe80::/10` (the addresses that need a zone). */
  get isLinkLocal(): boolean {
    return this.#bytes[0] === 0xfe && (this.#bytes[1]! & 0xc0) === 0x80;
  }

  /** The IPv4 address inside an IPv4-mapped address; `undefined` for any other address. */
  toIPv4(): IPv4Address | undefined {
    return this.isIPv4Mapped ? IPv4Address.fromBytes(this.#bytes.subarray(12)) : undefined;
  }

  /** True when `other` is an IPv6 address with the same bytes and the same zone. */
  equals(other: unknown): boolean {
    return (
      other instanceof IPv6Address &&
      this.zone === other.zone &&
      sameBytes(this.#bytes, other.#bytes)
    );
  }

  /** The RFC 5952 canonical text, with `%zone` when there is one. */
  toString(): string {
    this.#text ??= formatIPv6(this.#bytes, this.zone);
    return this.#text;
  }
}

function checkZone(zone: unknown, who: string): string | undefined {
  if (zone === undefined) return undefined;
  if (typeof zone !== 'string') throw invalidType(who, 'a string zone or undefined', zone);
  const problem = zoneProblem(zone);
  if (problem !== undefined) throw invalidAddress('IPv6 zone', zone, problem);
  return zone;
}
