import {
  type AddressLike,
  InetSocketAddress,
  IoError,
  IPv4Address,
  IPv6Address,
  type SocketAddress,
  toSocketAddress,
  UnixSocketAddress,
} from '@binio/core';
import { if_nametoindex } from '../libc/socket-calls.js';
import { AF } from '../linux/socket-constants.js';
import {
  SOCKADDR_IN_LAYOUT,
  SOCKADDR_IN6_LAYOUT,
  SOCKADDR_STORAGE_LAYOUT,
  SOCKADDR_UN_LAYOUT,
} from '../linux/socket-layouts.js';

/**
 * `sockaddr` encoding and decoding between core's {@link InetSocketAddress} /
 * {@link UnixSocketAddress} and the kernel's `sockaddr_in`, `sockaddr_in6`
 * and `sockaddr_un`. The engines write into preallocated memory (no
 * allocation per send) and decode received names through a
 * {@link SockaddrCache}, which skips building a new address object when the
 * bytes are those of the previous datagram.
 */

/** Room for any sockaddr the kernel returns (`sizeof(struct sockaddr_storage)`). */
export const SOCKADDR_MAX = SOCKADDR_STORAGE_LAYOUT.size;

const IN = SOCKADDR_IN_LAYOUT.offsets;
const IN6 = SOCKADDR_IN6_LAYOUT.offsets;
const SUN_PATH = SOCKADDR_UN_LAYOUT.offsets.sun_path;
const utf8 = new TextDecoder();

/**
 * Parses an address argument (`SocketAddress` or text such as
 * `'127.0.0.1:80'`, `'[::1]:80'`, `'/run/x.sock'`, `'@name'`), refusing
 * malformed input with core's `ERR_INVALID_ADDRESS` before any system call.
 */
export function toAddress(address: AddressLike): SocketAddress {
  return toSocketAddress(address);
}

/** The `sockaddr` family number of an address. */
export function familyNumber(address: SocketAddress): number {
  return address.family === 'ipv4'
    ? AF.AF_INET
    : address.family === 'ipv6'
      ? AF.AF_INET6
      : AF.AF_UNIX;
}

/**
 * Writes `address` as a `sockaddr_in`, `sockaddr_in6` or `sockaddr_un` into
 * `target` at `offset` (which must have {@link SOCKADDR_MAX} bytes free) and
 * returns its length (the `socklen_t` to pass). An IPv6 zone given by name
 * (`%eth0`) is resolved to its interface index here.
 */
export function encodeSockaddr(address: SocketAddress, target: Uint8Array, offset = 0): number {
  if (address instanceof InetSocketAddress) {
    if (address.family === 'ipv4') {
      target.fill(0, offset, offset + SOCKADDR_IN_LAYOUT.size);
      target[offset] = AF.AF_INET;
      target[offset + IN.sin_port] = address.port >>> 8;
      target[offset + IN.sin_port + 1] = address.port & 0xff;
      address.ip.copyTo(target, offset + IN.sin_addr);
      return SOCKADDR_IN_LAYOUT.size;
    }
    const ip = address.ip as IPv6Address;
    let scope = address.scopeId;
    if (scope === 0 && ip.zone !== undefined) scope = interfaceIndex(ip.zone, address);
    target.fill(0, offset, offset + SOCKADDR_IN6_LAYOUT.size);
    target[offset] = AF.AF_INET6;
    target[offset + IN6.sin6_port] = address.port >>> 8;
    target[offset + IN6.sin6_port + 1] = address.port & 0xff;
    // flowinfo is in network byte order; scope_id in host order.
    const v = new DataView(target.buffer, target.byteOffset + offset, SOCKADDR_IN6_LAYOUT.size);
    v.setUint32(IN6.sin6_flowinfo, address.flowInfo, false);
    v.setUint32(IN6.sin6_scope_id, scope, true);
    ip.copyTo(target, offset + IN6.sin6_addr);
    return SOCKADDR_IN6_LAYOUT.size;
  }
  if (address instanceof UnixSocketAddress) {
    target[offset] = AF.AF_UNIX;
    target[offset + 1] = 0;
    address.copyTo(target, offset + SUN_PATH);
    return SUN_PATH + address.byteLength;
  }
  throw new IoError({
    code: 'ERR_INVALID_ARG_TYPE',
    message: 'Expected an InetSocketAddress or UnixSocketAddress (or address text)',
  });
}

/** An IPv4 address as the IPv4-mapped IPv6 address an IPv6 socket sends to. */
export function mapToIPv6(address: InetSocketAddress): InetSocketAddress {
  return new InetSocketAddress(IPv6Address.ipv4Mapped(address.ip as IPv4Address), address.port);
}

function interfaceIndex(zone: string, address: SocketAddress): number {
  const index = if_nametoindex(zone) as number;
  if (index === 0) {
    throw new IoError({
      code: 'ERR_INVALID_ADDRESS',
      message: `No network interface named '${zone}' (the zone of ${address})`,
      address: String(address),
    });
  }
  return index;
}

/**
 * Reads the `sockaddr` of `length` bytes at `offset` in `source`. Returns
 * undefined for an empty or `AF_UNSPEC` name (a peer without an address).
 */
export function decodeSockaddr(
  source: Uint8Array,
  offset: number,
  length: number,
): SocketAddress | undefined {
  if (length < 2) return length === 0 ? undefined : UnixSocketAddress.unnamed();
  const family = source[offset]! | (source[offset + 1]! << 8);
  if (family === AF.AF_INET && length >= SOCKADDR_IN_LAYOUT.size) {
    const port = (source[offset + IN.sin_port]! << 8) | source[offset + IN.sin_port + 1]!;
    const at = offset + IN.sin_addr;
    return new InetSocketAddress(IPv4Address.fromBytes(source.subarray(at, at + 4)), port);
  }
  if (family === AF.AF_INET6 && length >= SOCKADDR_IN6_LAYOUT.size) {
    const v = new DataView(source.buffer, source.byteOffset + offset, SOCKADDR_IN6_LAYOUT.size);
    const port = v.getUint16(IN6.sin6_port, false);
    const at = offset + IN6.sin6_addr;
    const ip = IPv6Address.fromBytes(source.subarray(at, at + 16));
    return new InetSocketAddress(ip, port, {
      flowInfo: v.getUint32(IN6.sin6_flowinfo, false),
      scopeId: v.getUint32(IN6.sin6_scope_id, true),
    });
  }
  if (family === AF.AF_UNIX) {
    const pathLength = length - SUN_PATH;
    if (pathLength <= 0) return UnixSocketAddress.unnamed();
    const start = offset + SUN_PATH;
    if (source[start] === 0)
      return UnixSocketAddress.abstract(source.slice(start + 1, start + pathLength));
    // The kernel may count the terminating NUL (or several); the path ends at the first.
    let end = start;
    while (end < start + pathLength && source[end] !== 0) end++;
    return UnixSocketAddress.path(utf8.decode(source.subarray(start, end)));
  }
  if (family === AF.AF_UNSPEC) return undefined;
  throw new IoError({
    code: 'ERR_UNSUPPORTED',
    message: `The kernel returned a socket address of family ${family}, which binio does not decode`,
  });
}

/**
 * Decodes received names, reusing the previous result while the bytes repeat
 * (one sender, or a connected peer): comparing 2 to 7 words is far cheaper
 * than building an address object per datagram. The source must be 4-byte
 * aligned (names in a `NativeBlock`).
 */
export class SockaddrCache {
  readonly #words = new Uint32Array(8);
  #length = -1;
  #address: SocketAddress | undefined;

  /** The address of the name of `length` bytes at byte `offset` (4-aligned) of `source`/`words`. */
  decode(
    source: Uint8Array,
    words: Uint32Array,
    offset: number,
    length: number,
  ): SocketAddress | undefined {
    const w = offset >>> 2;
    const n = (length + 3) >>> 2;
    if (length === this.#length && n <= 8) {
      let same = true;
      for (let i = 0; i < n; i++) {
        if (words[w + i] !== this.#words[i]) {
          same = false;
          break;
        }
      }
      if (same) return this.#address;
    }
    const address = decodeSockaddr(source, offset, length);
    if (n <= 8 && (length & 3) === 0) {
      for (let i = 0; i < n; i++) this.#words[i] = words[w + i]!;
      this.#length = length;
      this.#address = address;
    } else {
      // Odd lengths (Unix paths) would compare stale tail bytes: never cached.
      this.#length = -1;
    }
    return address;
  }
}
