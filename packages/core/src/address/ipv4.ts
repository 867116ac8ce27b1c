/** `IPv4Address`: an immutable 32-bit IPv4 address. */
import { copyExact, copyOut, sameBytes } from './bytes.js';
import { formatIPv4, parseIPv4Into } from './ipv4-text.js';
import { invalidAddress, invalidType } from './refuse.js';

/**
 * An IPv4 address. Immutable: the bytes are held privately and handed out as
 * copies ({@link IPv4Address.bytes}) or written into a caller's buffer
 * ({@link IPv4Address.copyTo}, the allocation-free form engines use to fill a
 * `sockaddr_in`).
 *
 * @example
 * ```ts
 * const a = IPv4Address.parse('192.168.0.1');
 * a.toString(); // '192.168.0.1'
 * a.equals(IPv4Address.fromBytes(Uint8Array.of(192, 168, 0, 1))); // true
 * ```
 */
export class IPv4Address {
  /** `0.0.0.0`, the unspecified address (bind to every interface). */
  static readonly ANY: IPv4Address = new IPv4Address(new Uint8Array(4));
  /** `127.0.0.1`. */
  static readonly LOOPBACK: IPv4Address = new IPv4Address(Uint8Array.of(127, 0, 0, 1));

  /** Always `'ipv4'`: tells it apart from an {@link IPv6Address}. */
  readonly family = 'ipv4' as const;
  readonly #bytes: Uint8Array;
  // Formatted on first use: engines create many addresses (one per received
  // datagram) that are never printed.
  #text: string | undefined;

  private constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    Object.freeze(this);
  }

  /**
   * Parses a dotted quad (`'10.0.0.1'`). Refuses, with `ERR_INVALID_ADDRESS`,
   * anything else: leading zeros, hex or octal parts, shorthand (`'127.1'`),
   * spaces. A non-string fails with `ERR_INVALID_ARG_TYPE`.
   */
  static parse(text: string): IPv4Address {
    if (typeof text !== 'string') throw invalidType('IPv4Address.parse', 'a string', text);
    const bytes = new Uint8Array(4);
    const problem = parseIPv4Into(text, bytes, 0);
    if (problem !== undefined) throw invalidAddress('IPv4 address', text, problem);
    return new IPv4Address(bytes);
  }

  /** The address whose 4 bytes (network order) are `bytes`; they are copied. */
  static fromBytes(bytes: Uint8Array): IPv4Address {
    return new IPv4Address(copyExact(bytes, 4, 'IPv4Address.fromBytes', 'IPv4 address'));
  }

  /** The 4 bytes in network order, as a fresh copy (use {@link copyTo} to avoid allocating). */
  get bytes(): Uint8Array {
    return this.#bytes.slice();
  }

  /** Writes the 4 bytes into `target` at `offset` (for example `sin_addr` of a `sockaddr_in`). */
  copyTo(target: Uint8Array, offset = 0): void {
    copyOut(this.#bytes, target, offset, 'IPv4Address.copyTo');
  }

  /** True for `127.0.0.0/8`. */
  get isLoopback(): boolean {
    return this.#bytes[0] === 127;
  }

  /** True for `0.0.0.0`. */
  get isUnspecified(): boolean {
    const b = this.#bytes;
    return b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] === 0;
  }

  /** True for `224.0.0.0/4`. */
  get isMulticast(): boolean {
    return (this.#bytes[0]! & 0xf0) === 0xe0;
  }

  /** True for `255.255.255.255`, the limited broadcast address. */
  get isBroadcast(): boolean {
    const b = this.#bytes;
    return b[0] === 255 && b[1] === 255 && b[2] === 255 && b[3] === 255;
  }

  /** True for `169.254.0.0/16`. */
  get isLinkLocal(): boolean {
    return this.#bytes[0] === 169 && this.#bytes[1] === 254;
  }

  /** True when `other` is an IPv4 address with the same bytes. */
  equals(other: unknown): boolean {
    return other instanceof IPv4Address && sameBytes(this.#bytes, other.#bytes);
  }

  /** The dotted quad (`'10.0.0.1'`). */
  toString(): string {
    this.#text ??= formatIPv4(this.#bytes, 0);
    return this.#text;
  }
}
