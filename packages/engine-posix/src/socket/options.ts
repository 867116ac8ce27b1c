import { invalidArg } from '@binio/core';
import { lastErrno } from '../libc/lib.js';
import { getsockopt, setsockopt } from '../libc/socket-calls.js';
import { errnoError } from '../linux/error.js';
import { IP, IPPROTO, IPV6, SO, SOL_SOCKET, TCP, UDP, UDPLITE } from '../linux/socket-constants.js';
import { LINGER_LAYOUT, TIMEVAL_LAYOUT, UCRED_LAYOUT } from '../linux/socket-layouts.js';
import { NativeBlock } from './memory.js';
import type { SocketState } from './state.js';

/**
 * Typed socket options: each name maps to its level, option number, value
 * type and the sockets it applies to, so a wrong option or value is refused
 * with a clear message before `setsockopt` and values come back typed.
 * Options never block: `setOption`/`getOption` are synchronous in both modes.
 */

/** The value type of each option. */
export interface SocketOptionValues {
  /** `SO_REUSEADDR`. */
  reuseAddress: boolean;
  /** `SO_REUSEPORT`: several sockets share a port; the kernel spreads datagrams/connections. */
  reusePort: boolean;
  /** `SO_BROADCAST`. */
  broadcast: boolean;
  /** `SO_KEEPALIVE`. */
  keepAlive: boolean;
  /** `SO_RCVBUF` in bytes (the kernel doubles what is set and reports the doubled value). */
  receiveBufferSize: number;
  /** `SO_SNDBUF` in bytes (doubled by the kernel, as above). */
  sendBufferSize: number;
  /** `SO_RCVLOWAT`. */
  receiveLowWatermark: number;
  /** `SO_LINGER`: seconds to linger on close, or false for off. */
  linger: number | false;
  /** `SO_PRIORITY`. */
  priority: number;
  /** `SO_MARK` (needs CAP_NET_ADMIN). */
  mark: number;
  /** `SO_BINDTODEVICE`: interface name, '' to unbind (needs CAP_NET_RAW). */
  bindToDevice: string;
  /** `SO_RCVTIMEO` in ms (0: none): a blocking receive fails with EAGAIN after it (kept in clock ticks: reads back rounded up). */
  receiveTimeoutMs: number;
  /** `SO_SNDTIMEO` in ms (0: none). */
  sendTimeoutMs: number;
  /** `SO_PASSCRED`: receive `SCM_CREDENTIALS` on Unix sockets. */
  passCredentials: boolean;
  /** `SO_ERROR` (read-only, clears it): the pending error number. */
  error: number;
  /** `SO_TYPE` (read-only): `SOCK_STREAM`, `SOCK_DGRAM`, … */
  type: number;
  /** `SO_PROTOCOL` (read-only). */
  protocol: number;
  /** `SO_DOMAIN` (read-only). */
  domain: number;
  /** `SO_ACCEPTCONN` (read-only): true on a listening socket. */
  acceptConnections: boolean;
  /** `SO_PEERCRED` (read-only, Unix): the peer process's credentials when it connected. */
  peerCredentials: { pid: number; uid: number; gid: number };
  /** `TCP_NODELAY`: send small segments at once (no Nagle). */
  noDelay: boolean;
  /** `TCP_CORK`. */
  cork: boolean;
  /** `TCP_QUICKACK`. */
  quickAck: boolean;
  /** `TCP_KEEPIDLE` in seconds. */
  keepAliveIdle: number;
  /** `TCP_KEEPINTVL` in seconds. */
  keepAliveInterval: number;
  /** `TCP_KEEPCNT`. */
  keepAliveCount: number;
  /** `TCP_USER_TIMEOUT` in ms. */
  userTimeout: number;
  /** `TCP_MAXSEG`. */
  maxSegment: number;
  /** `TCP_DEFER_ACCEPT` in seconds. */
  deferAccept: number;
  /** `TCP_FASTOPEN` queue length (listeners). */
  fastOpen: number;
  /** `TCP_NOTSENT_LOWAT`. */
  notSentLowWatermark: number;
  /** `TCP_CONGESTION`: the algorithm's name (`'cubic'`). */
  congestion: string;
  /** `IP_TTL` / `IPV6_UNICAST_HOPS`. */
  ttl: number;
  /** `IP_TOS` / `IPV6_TCLASS`. */
  tos: number;
  /** `IP_PKTINFO` / `IPV6_RECVPKTINFO`: receive each datagram's `pktinfo` control message. */
  packetInfo: boolean;
  /** `IP_MULTICAST_TTL` / `IPV6_MULTICAST_HOPS`. */
  multicastTtl: number;
  /** `IP_MULTICAST_LOOP` / `IPV6_MULTICAST_LOOP`. */
  multicastLoop: boolean;
  /** `IP_FREEBIND`: bind to an address not (yet) on this host. */
  freeBind: boolean;
  /** `IP_BIND_ADDRESS_NO_PORT`. */
  bindAddressNoPort: boolean;
  /** `IPV6_V6ONLY` (IPv6 sockets): no IPv4-mapped traffic. */
  v6Only: boolean;
  /** `UDP_CORK`. */
  udpCork: boolean;
  /** `UDP_SEGMENT`: GSO segment size for sends (0: off). */
  udpSegment: number;
  /** `UDP_GRO`: coalesce received datagrams. */
  udpGro: boolean;
  /** `UDPLITE_SEND_CSCOV`: bytes each sent datagram's checksum covers (0: all; else at least 8). */
  udpliteSendCoverage: number;
  /** `UDPLITE_RECV_CSCOV`: least coverage a received datagram must have (0: full only). */
  udpliteRecvCoverage: number;
}

/** An option name. */
export type SocketOptionName = keyof SocketOptionValues;

/** Options that cannot be set. */
export type ReadOnlySocketOption =
  | 'error'
  | 'type'
  | 'protocol'
  | 'domain'
  | 'acceptConnections'
  | 'peerCredentials';

/** Options that can be set. */
export type SettableSocketOption = Exclude<SocketOptionName, ReadOnlySocketOption>;

type Encoding = 'bool' | 'int' | 'linger' | 'timeval' | 'string' | 'ucred';
type Applies = 'any' | 'inet' | 'tcp' | 'udp' | 'udplite' | 'unix' | 'ipv6' | 'dgram-inet';

interface Spec {
  level: number;
  name: number;
  /** The IPv6 equivalent on an IPv6 socket. */
  v6?: { level: number; name: number };
  encoding: Encoding;
  applies: Applies;
  readOnly?: boolean;
}

const S = SOL_SOCKET;
const TCPL = IPPROTO.IPPROTO_TCP;
const IPL = IPPROTO.IPPROTO_IP;
const V6L = IPPROTO.IPPROTO_IPV6;

const SPECS: Record<SocketOptionName, Spec> = {
  reuseAddress: { level: S, name: SO.SO_REUSEADDR, encoding: 'bool', applies: 'any' },
  reusePort: { level: S, name: SO.SO_REUSEPORT, encoding: 'bool', applies: 'any' },
  broadcast: { level: S, name: SO.SO_BROADCAST, encoding: 'bool', applies: 'any' },
  keepAlive: { level: S, name: SO.SO_KEEPALIVE, encoding: 'bool', applies: 'any' },
  receiveBufferSize: { level: S, name: SO.SO_RCVBUF, encoding: 'int', applies: 'any' },
  sendBufferSize: { level: S, name: SO.SO_SNDBUF, encoding: 'int', applies: 'any' },
  receiveLowWatermark: { level: S, name: SO.SO_RCVLOWAT, encoding: 'int', applies: 'any' },
  linger: { level: S, name: SO.SO_LINGER, encoding: 'linger', applies: 'any' },
  priority: { level: S, name: SO.SO_PRIORITY, encoding: 'int', applies: 'any' },
  mark: { level: S, name: SO.SO_MARK, encoding: 'int', applies: 'any' },
  bindToDevice: { level: S, name: SO.SO_BINDTODEVICE, encoding: 'string', applies: 'inet' },
  receiveTimeoutMs: { level: S, name: SO.SO_RCVTIMEO, encoding: 'timeval', applies: 'any' },
  sendTimeoutMs: { level: S, name: SO.SO_SNDTIMEO, encoding: 'timeval', applies: 'any' },
  passCredentials: { level: S, name: SO.SO_PASSCRED, encoding: 'bool', applies: 'unix' },
  error: { level: S, name: SO.SO_ERROR, encoding: 'int', applies: 'any', readOnly: true },
  type: { level: S, name: SO.SO_TYPE, encoding: 'int', applies: 'any', readOnly: true },
  protocol: { level: S, name: SO.SO_PROTOCOL, encoding: 'int', applies: 'any', readOnly: true },
  domain: { level: S, name: SO.SO_DOMAIN, encoding: 'int', applies: 'any', readOnly: true },
  acceptConnections: {
    level: S,
    name: SO.SO_ACCEPTCONN,
    encoding: 'bool',
    applies: 'any',
    readOnly: true,
  },
  peerCredentials: {
    level: S,
    name: SO.SO_PEERCRED,
    encoding: 'ucred',
    applies: 'unix',
    readOnly: true,
  },
  noDelay: { level: TCPL, name: TCP.TCP_NODELAY, encoding: 'bool', applies: 'tcp' },
  cork: { level: TCPL, name: TCP.TCP_CORK, encoding: 'bool', applies: 'tcp' },
  quickAck: { level: TCPL, name: TCP.TCP_QUICKACK, encoding: 'bool', applies: 'tcp' },
  keepAliveIdle: { level: TCPL, name: TCP.TCP_KEEPIDLE, encoding: 'int', applies: 'tcp' },
  keepAliveInterval: { level: TCPL, name: TCP.TCP_KEEPINTVL, encoding: 'int', applies: 'tcp' },
  keepAliveCount: { level: TCPL, name: TCP.TCP_KEEPCNT, encoding: 'int', applies: 'tcp' },
  userTimeout: { level: TCPL, name: TCP.TCP_USER_TIMEOUT, encoding: 'int', applies: 'tcp' },
  maxSegment: { level: TCPL, name: TCP.TCP_MAXSEG, encoding: 'int', applies: 'tcp' },
  deferAccept: { level: TCPL, name: TCP.TCP_DEFER_ACCEPT, encoding: 'int', applies: 'tcp' },
  fastOpen: { level: TCPL, name: TCP.TCP_FASTOPEN, encoding: 'int', applies: 'tcp' },
  notSentLowWatermark: {
    level: TCPL,
    name: TCP.TCP_NOTSENT_LOWAT,
    encoding: 'int',
    applies: 'tcp',
  },
  congestion: { level: TCPL, name: TCP.TCP_CONGESTION, encoding: 'string', applies: 'tcp' },
  ttl: {
    level: IPL,
    name: IP.IP_TTL,
    v6: { level: V6L, name: IPV6.IPV6_UNICAST_HOPS },
    encoding: 'int',
    applies: 'inet',
  },
  tos: {
    level: IPL,
    name: IP.IP_TOS,
    v6: { level: V6L, name: IPV6.IPV6_TCLASS },
    encoding: 'int',
    applies: 'inet',
  },
  packetInfo: {
    level: IPL,
    name: IP.IP_PKTINFO,
    v6: { level: V6L, name: IPV6.IPV6_RECVPKTINFO },
    encoding: 'bool',
    applies: 'dgram-inet',
  },
  multicastTtl: {
    level: IPL,
    name: IP.IP_MULTICAST_TTL,
    v6: { level: V6L, name: IPV6.IPV6_MULTICAST_HOPS },
    encoding: 'int',
    applies: 'dgram-inet',
  },
  multicastLoop: {
    level: IPL,
    name: IP.IP_MULTICAST_LOOP,
    v6: { level: V6L, name: IPV6.IPV6_MULTICAST_LOOP },
    encoding: 'bool',
    applies: 'dgram-inet',
  },
  freeBind: { level: IPL, name: IP.IP_FREEBIND, encoding: 'bool', applies: 'inet' },
  bindAddressNoPort: {
    level: IPL,
    name: IP.IP_BIND_ADDRESS_NO_PORT,
    encoding: 'bool',
    applies: 'inet',
  },
  v6Only: { level: V6L, name: IPV6.IPV6_V6ONLY, encoding: 'bool', applies: 'ipv6' },
  udpCork: { level: IPPROTO.IPPROTO_UDP, name: UDP.UDP_CORK, encoding: 'bool', applies: 'udp' },
  udpSegment: {
    level: IPPROTO.IPPROTO_UDP,
    name: UDP.UDP_SEGMENT,
    encoding: 'int',
    applies: 'udp',
  },
  udpGro: { level: IPPROTO.IPPROTO_UDP, name: UDP.UDP_GRO, encoding: 'bool', applies: 'udp' },
  udpliteSendCoverage: {
    level: IPPROTO.IPPROTO_UDPLITE,
    name: UDPLITE.UDPLITE_SEND_CSCOV,
    encoding: 'int',
    applies: 'udplite',
  },
  udpliteRecvCoverage: {
    level: IPPROTO.IPPROTO_UDPLITE,
    name: UDPLITE.UDPLITE_RECV_CSCOV,
    encoding: 'int',
    applies: 'udplite',
  },
};

/** Every option name, for listing. */
export const SOCKET_OPTION_NAMES = Object.keys(SPECS) as readonly SocketOptionName[];

// Option values are encoded and read synchronously on the main thread: one block serves all.
const scratch = new NativeBlock(256);
const LEN_AT = 248;

function applies(spec: Spec, state: SocketState): boolean {
  const k = state.kind;
  switch (spec.applies) {
    case 'any':
      return true;
    case 'inet':
      return state.family !== 'unix';
    case 'ipv6':
      return state.family === 'ipv6';
    case 'tcp':
      return k === 'tcp' || k === 'tcp-listener';
    case 'udp':
      return k === 'udp';
    case 'udplite':
      return k === 'udplite';
    case 'dgram-inet':
      return k === 'udp' || k === 'udplite';
    case 'unix':
      return state.family === 'unix';
  }
}

const APPLIES_TEXT: Record<Applies, string> = {
  any: 'every socket',
  inet: 'IP sockets',
  ipv6: 'IPv6 sockets',
  tcp: 'TCP sockets',
  udp: 'UDP sockets',
  udplite: 'UDP-Lite sockets',
  'dgram-inet': 'UDP and UDP-Lite sockets',
  unix: 'Unix sockets',
};

function specFor(name: unknown, state: SocketState): Spec {
  const spec =
    typeof name === 'string' && Object.hasOwn(SPECS, name)
      ? SPECS[name as SocketOptionName]
      : undefined;
  if (spec === undefined) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `Unknown socket option ${JSON.stringify(name)} (known: ${SOCKET_OPTION_NAMES.join(', ')}; use setRawOption for others)`,
    );
  }
  if (!applies(spec, state)) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `Socket option '${String(name)}' applies to ${APPLIES_TEXT[spec.applies]}; this is a ${state.what}`,
    );
  }
  return spec;
}

function levelAndName(spec: Spec, state: SocketState): [number, number] {
  return state.family === 'ipv6' && spec.v6 !== undefined
    ? [spec.v6.level, spec.v6.name]
    : [spec.level, spec.name];
}

/** Sets option `name` on the socket; refuses unknown names, read-only options and bad values. */
export function setOption<K extends SettableSocketOption>(
  state: SocketState,
  name: K,
  value: SocketOptionValues[K],
): void {
  const spec = specFor(name, state);
  const len = encodeOption(spec, name, value);
  const fd = state.check('setsockopt');
  const [level, opt] = levelAndName(spec, state);
  if ((setsockopt(fd, level, opt, scratch.bytes, len) as number) < 0) {
    throw errnoError(lastErrno(), { syscall: `setsockopt(${name})` });
  }
}

/**
 * Checks a value for option `name` without a socket (type and range), so a
 * bad creation option is refused before the socket exists.
 */
export function checkOptionValue(name: SettableSocketOption, value: unknown): void {
  encodeOption(SPECS[name], name, value);
}

// Validates `value` and writes it into the scratch block; returns its length.
function encodeOption(spec: Spec, name: string, value: unknown): number {
  if (spec.readOnly)
    throw invalidArg('ERR_INVALID_ARG_VALUE', `Socket option '${name}' is read-only`);
  const b = scratch;
  let len: number;
  switch (spec.encoding) {
    case 'bool':
      if (typeof value !== 'boolean') throw badValue(name, 'a boolean', value);
      b.i32[0] = value ? 1 : 0;
      len = 4;
      break;
    case 'int':
      if (
        typeof value !== 'number' ||
        !Number.isInteger(value) ||
        value < 0 ||
        value > 0x7fffffff
      ) {
        throw badValue(name, 'an integer in [0, 2147483647]', value);
      }
      b.i32[0] = value;
      len = 4;
      break;
    case 'linger':
      if (
        value !== false &&
        (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0x7fffffff)
      ) {
        throw badValue(name, 'false or a whole number of seconds', value);
      }
      b.i32[LINGER_LAYOUT.offsets.l_onoff >>> 2] = value === false ? 0 : 1;
      b.i32[LINGER_LAYOUT.offsets.l_linger >>> 2] = value === false ? 0 : (value as number);
      len = LINGER_LAYOUT.size;
      break;
    case 'timeval': {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 2 ** 40) {
        throw badValue(name, 'a whole number of milliseconds', value);
      }
      b.setU64(TIMEVAL_LAYOUT.offsets.tv_sec, Math.floor(value / 1000));
      b.setU64(TIMEVAL_LAYOUT.offsets.tv_usec, (value % 1000) * 1000);
      len = TIMEVAL_LAYOUT.size;
      break;
    }
    case 'string': {
      if (typeof value !== 'string') throw badValue(name, 'a string', value);
      const bytes = new TextEncoder().encode(value);
      if (bytes.length > 200 || bytes.includes(0))
        throw badValue(name, 'a short string without NUL', value);
      b.bytes.set(bytes, 0);
      b.bytes[bytes.length] = 0;
      len = bytes.length;
      break;
    }
    default:
      throw invalidArg('ERR_INVALID_ARG_VALUE', `Socket option '${name}' is read-only`);
  }
  return len;
}

/** Reads option `name`, typed. */
export function getOption<K extends SocketOptionName>(
  state: SocketState,
  name: K,
): SocketOptionValues[K] {
  const spec = specFor(name, state);
  const fd = state.check('getsockopt');
  const [level, opt] = levelAndName(spec, state);
  const b = scratch;
  b.bytes.fill(0, 0, 64);
  b.u32[LEN_AT >>> 2] = 200;
  if ((getsockopt(fd, level, opt, b.bytes, b.bytes.subarray(LEN_AT)) as number) < 0) {
    throw errnoError(lastErrno(), { syscall: `getsockopt(${name})` });
  }
  const len = b.u32[LEN_AT >>> 2]!;
  let value: unknown;
  switch (spec.encoding) {
    case 'bool':
      value = b.i32[0] !== 0;
      break;
    case 'int':
      value = b.i32[0];
      break;
    case 'linger':
      value = b.i32[0] === 0 ? false : b.i32[1];
      break;
    case 'timeval':
      value = b.getU64(0) * 1000 + Math.floor(b.getU64(8) / 1000);
      break;
    case 'string': {
      const end = b.bytes.subarray(0, len).indexOf(0);
      value = new TextDecoder().decode(b.bytes.subarray(0, end < 0 ? len : end));
      break;
    }
    case 'ucred': {
      const o = UCRED_LAYOUT.offsets;
      value = { pid: b.i32[o.pid >>> 2], uid: b.u32[o.uid >>> 2], gid: b.u32[o.gid >>> 2] };
      break;
    }
  }
  return value as SocketOptionValues[K];
}

/** `setsockopt` with raw bytes (or a 32-bit integer) for options without a typed name. */
export function setRawOption(
  state: SocketState,
  level: number,
  name: number,
  value: Uint8Array | number,
): void {
  checkLevelName(level, name);
  let bytes: Uint8Array;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff)
      throw badValue('raw', 'a 32-bit integer', value);
    bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, value >>> 0, true);
  } else if (value instanceof Uint8Array) {
    bytes = value;
  } else {
    throw badValue('raw', 'a Uint8Array or a number', value);
  }
  const fd = state.check('setsockopt');
  if ((setsockopt(fd, level, name, bytes, bytes.byteLength) as number) < 0) {
    throw errnoError(lastErrno(), { syscall: 'setsockopt' });
  }
}

/** `getsockopt` returning up to `maxLength` raw bytes (the kernel's length). */
export function getRawOption(
  state: SocketState,
  level: number,
  name: number,
  maxLength = 4,
): Uint8Array {
  checkLevelName(level, name);
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > 65536) {
    throw invalidArg(
      'ERR_OUT_OF_RANGE',
      `maxLength must be an integer in [1, 65536], got ${String(maxLength)}`,
    );
  }
  const fd = state.check('getsockopt');
  const out = new Uint8Array(maxLength);
  const len = new Uint32Array([maxLength]);
  if ((getsockopt(fd, level, name, out, len) as number) < 0)
    throw errnoError(lastErrno(), { syscall: 'getsockopt' });
  return out.slice(0, len[0]);
}

function checkLevelName(level: unknown, name: unknown): void {
  for (const [what, v] of [
    ['level', level],
    ['name', name],
  ] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
      throw invalidArg(
        'ERR_OUT_OF_RANGE',
        `Option ${what} must be a non-negative 32-bit integer, got ${String(v)}`,
      );
    }
  }
}

function badValue(name: string, expected: string, value: unknown) {
  return invalidArg(
    'ERR_INVALID_ARG_VALUE',
    `Socket option '${name}' takes ${expected}, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`,
  );
}
