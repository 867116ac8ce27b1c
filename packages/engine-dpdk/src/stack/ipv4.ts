import { InetSocketAddress, type IPAddress, IPv4Address, invalidArg } from '@binio/core';

const scratch = new Uint8Array(4);

/** An IPv4 address as an unsigned 32-bit number (network order, most significant first). */
export function ipToU32(ip: IPAddress): number {
  if (ip.family !== 'ipv4')
    throw invalidArg('ERR_INVALID_ADDRESS', `expected an IPv4 address, got ${ip}`);
  ip.copyTo(scratch, 0);
  return ((scratch[0]! << 24) | (scratch[1]! << 16) | (scratch[2]! << 8) | scratch[3]!) >>> 0;
}

/** The {@link IPv4Address} of a 32-bit number. */
export function u32ToIp(v: number): IPv4Address {
  scratch[0] = v >>> 24;
  scratch[1] = v >>> 16;
  scratch[2] = v >>> 8;
  scratch[3] = v;
  return IPv4Address.fromBytes(scratch);
}

/** Dotted quad of a 32-bit number. */
export function formatIp(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** An interface address: `10.0.0.1/24`. */
export interface Subnet {
  /** Our address. */
  ip: number;
  /** Prefix length. */
  prefix: number;
  /** Network mask. */
  mask: number;
  /** Directed broadcast address of the subnet. */
  broadcast: number;
}

/** Parses `a.b.c.d/len` (the prefix defaults to 24). */
export function parseSubnet(text: string): Subnet {
  if (typeof text !== 'string') {
    throw invalidArg(
      'ERR_INVALID_ARG_TYPE',
      `address must be a string such as '10.0.0.1/24', got ${typeof text}`,
    );
  }
  const [addr, len, extra] = text.split('/');
  const prefix = len === undefined ? 24 : Number(len);
  if (
    extra !== undefined ||
    !Number.isInteger(prefix) ||
    prefix < 1 ||
    prefix > 32 ||
    (len !== undefined && !/^\d+$/.test(len))
  ) {
    throw invalidArg(
      'ERR_INVALID_ADDRESS',
      `Invalid interface address '${text}': expected 'a.b.c.d/prefix' with a prefix of 1-32`,
    );
  }
  const ip = ipToU32(IPv4Address.parse(addr!));
  const mask = prefix === 32 ? 0xffffffff : (0xffffffff << (32 - prefix)) >>> 0;
  if (ip === 0 || ip >>> 28 >= 14 || ip >>> 24 === 127) {
    throw invalidArg(
      'ERR_INVALID_ADDRESS',
      `Invalid interface address '${text}': it must be a unicast address`,
    );
  }
  return { ip, prefix, mask, broadcast: ((ip & mask) | ~mask) >>> 0 };
}

/** True for 127.0.0.0/8. */
export function isLoopback(ip: number): boolean {
  return ip >>> 24 === 127;
}

/** True for 224.0.0.0/4. */
export function isMulticast(ip: number): boolean {
  return ip >>> 28 === 14;
}

/**
 * Socket addresses of received datagrams, reused: a sender sending many
 * datagrams costs one address object, not one per datagram.
 */
export class AddressCache {
  readonly #map = new Map<number, InetSocketAddress>();
  readonly #limit: number;

  constructor(limit = 4096) {
    this.#limit = limit;
  }

  /** The address `ip:port`. */
  get(ip: number, port: number): InetSocketAddress {
    const key = ip * 65536 + port;
    let a = this.#map.get(key);
    if (!a) {
      if (this.#map.size >= this.#limit) this.#map.clear();
      a = new InetSocketAddress(u32ToIp(ip), port);
      this.#map.set(key, a);
    }
    return a;
  }
}
