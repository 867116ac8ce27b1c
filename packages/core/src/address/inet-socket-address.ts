/** `InetSocketAddress`: an IP address and a port (`sockaddr_in` / `sockaddr_in6`). */
import { IoError } from '../errors.js';
import { type IPAddress, parseIP, parseIPText } from './ip.js';
import { IPv4Address } from './ipv4.js';
import { IPv6Address } from './ipv6.js';
import { checkPort, parsePortText } from './port.js';
import { invalidAddress, invalidType } from './refuse.js';

/** IPv6-only fields of a socket address; both default to 0 and must be 0 for IPv4. */
export interface InetSocketAddressOptions {
  /** `sin6_flowinfo`: traffic class and flow label, a 32-bit unsigned integer. */
  flowInfo?: number;
  /**
   * `sin6_scope_id`: the interface index of a link-local address. When the
   * address has a numeric zone (`fe80::1%3`) this defaults to it and may not
   * contradict it.
   */
  scopeId?: number;
}

const MAX_U32 = 0xffff_ffff;

/**
 * An IP socket address: {@link ip} and {@link port}, plus the IPv6
 * {@link flowInfo} and {@link scopeId}. Immutable; every field is a plain
 * property, so an engine filling a `sockaddr` reads them without any parsing.
 *
 * Text forms are `'1.2.3.4:80'` and `'[::1]:80'`; an IPv6 address must be
 * bracketed when a port follows, and a zone goes inside the brackets
 * (`'[fe80::1%eth0]:80'`). Only IP literals are accepted: nothing resolves
 * host names.
 *
 * @example
 * ```ts
 * const a = InetSocketAddress.parse('[fe80::1%2]:8080');
 * a.scopeId; // 2
 * new InetSocketAddress('127.0.0.1', 80).toString(); // '127.0.0.1:80'
 * ```
 */
export class InetSocketAddress {
  /** The IP address. A non-zero {@link scopeId} is also shown as its zone. */
  readonly ip: IPAddress;
  /** The port, 0–65535 (0 asks the system to choose when binding). */
  readonly port: number;
  /** The address family, that of {@link ip}. */
  readonly family: 'ipv4' | 'ipv6';
  /** `sin6_flowinfo` (always 0 for IPv4). */
  readonly flowInfo: number;
  /** `sin6_scope_id`, the interface index (always 0 for IPv4). */
  readonly scopeId: number;
  #text: string | undefined;

  /**
   * Builds a socket address from an IP address (or its text) and a port.
   * Malformed values fail with `ERR_INVALID_ADDRESS`, values of the wrong
   * type with `ERR_INVALID_ARG_TYPE`.
   */
  constructor(ip: IPAddress | string, port: number, opts?: InetSocketAddressOptions) {
    let addr: IPAddress;
    if (typeof ip === 'string') addr = parseIP(ip);
    else if (ip instanceof IPv4Address || ip instanceof IPv6Address) addr = ip;
    else throw invalidType('InetSocketAddress', 'an IPAddress or a string', ip);
    this.port = checkPort(port, 'InetSocketAddress');
    if (opts !== undefined && (typeof opts !== 'object' || opts === null)) {
      throw invalidType('InetSocketAddress', 'an options object', opts);
    }
    const flowInfo = checkU32(opts?.flowInfo, 'flowInfo');
    let scopeId = checkU32(opts?.scopeId, 'scopeId');
    if (addr instanceof IPv4Address) {
      if (flowInfo !== 0 || scopeId !== 0) {
        throw invalidAddress(
          'socket address',
          `${addr}:${port}`,
          'flowInfo and scopeId apply only to IPv6',
        );
      }
    } else {
      const zoneIndex = addr.zoneIndex;
      if (zoneIndex !== undefined && opts?.scopeId !== undefined && zoneIndex !== scopeId) {
        throw invalidAddress(
          'socket address',
          `[${addr}]:${port}`,
          `scopeId ${scopeId} contradicts the zone '%${addr.zone}'`,
        );
      }
      if (zoneIndex !== undefined) scopeId = zoneIndex;
      // Show a scope given only as a number as the zone, so toString() and
      // parse() round-trip to an equal address.
      else if (scopeId !== 0 && addr.zone === undefined) addr = addr.withZone(String(scopeId));
    }
    this.ip = addr;
    this.family = addr.family;
    this.flowInfo = flowInfo;
    this.scopeId = scopeId;
    Object.freeze(this);
  }

  /**
   * Parses `'1.2.3.4:80'`, `'[::1]:80'` or `'[fe80::1%2]:80'`. Fails with
   * `ERR_INVALID_ADDRESS` naming the problem: a missing port, an unbracketed
   * IPv6 address, a port out of range, a malformed IP, a host name.
   */
  static parse(text: string): InetSocketAddress {
    if (typeof text !== 'string') throw invalidType('InetSocketAddress.parse', 'a string', text);
    const parts = splitHostPort(text);
    if (typeof parts === 'string') throw invalidAddress('socket address', text, parts);
    const [host, portText, bracketed] = parts;
    const ip = parseIPText(host);
    if (typeof ip === 'string') throw invalidAddress('socket address', text, ip);
    if (bracketed && ip.family === 'ipv4') {
      throw invalidAddress(
        'socket address',
        text,
        `brackets are only for IPv6; write '${host}:${portText}'`,
      );
    }
    const port = parsePortText(portText);
    if (typeof port === 'string') throw invalidAddress('socket address', text, port);
    return new InetSocketAddress(ip, port);
  }

  /** `'1.2.3.4:80'` or `'[::1]:80'` (`'[fe80::1%eth0]:80'` with a zone). */
  toString(): string {
    this.#text ??=
      this.ip.family === 'ipv6' ? `[${this.ip}]:${this.port}` : `${this.ip}:${this.port}`;
    return this.#text;
  }

  /** True when `other` has the same IP (zone included), port, flowInfo and scopeId. */
  equals(other: unknown): boolean {
    return (
      other instanceof InetSocketAddress &&
      this.port === other.port &&
      this.flowInfo === other.flowInfo &&
      this.scopeId === other.scopeId &&
      this.ip.equals(other.ip)
    );
  }
}

/** Splits `host:port` / `[host]:port` text; returns `[host, port, bracketed]` or what is wrong. */
function splitHostPort(text: string): [string, string, boolean] | string {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return "the '[' is not closed by ']'";
    const rest = text.slice(close + 1);
    if (rest === '') return "the ':port' after ']' is missing";
    if (rest[0] !== ':') return `expected ':' after ']', found ${JSON.stringify(rest[0])}`;
    return [text.slice(1, close), rest.slice(1), true];
  }
  const colon = text.lastIndexOf(':');
  if (colon < 0) {
    return text.includes('/')
      ? "the ':port' is missing (a Unix socket path must start with '/'; use UnixSocketAddress.path() for relative paths)"
      : "the ':port' is missing";
  }
  if (text.indexOf(':') !== colon) {
    return "an IPv6 address must be in brackets when a port follows, as in '[::1]:80'";
  }
  if (text.includes(']')) return "the ']' has no matching '['";
  if (colon === 0) return "the IP address before ':' is missing";
  return [text.slice(0, colon), text.slice(colon + 1), false];
}

function checkU32(value: unknown, name: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number') throw invalidType(`InetSocketAddress ${name}`, 'a number', value);
  if (!Number.isInteger(value) || value < 0 || value > MAX_U32) {
    throw new IoError({
      code: 'ERR_INVALID_ADDRESS',
      message: `Invalid ${name} ${value}: it must be an integer in the range 0–${MAX_U32}`,
    });
  }
  return value;
}
