import {
  type AddressLike,
  type SocketAddress,
  UnixSocketAddress,
  checkOptions,
  invalidArg,
} from '@binio/core';
import { AF, IPPROTO, SOCK } from '@binio/engine-posix/linux';
import {
  type SocketKind,
  SocketState,
  bindFd,
  checkBacklog,
  listenFd,
  localName,
  openSocketState,
  openSocketPair,
  setOption,
  toAddress,
} from '@binio/engine-posix/socket';
import type { Host } from '../host.js';
import { type EpollWaitOptions, WAIT_KEYS, parseOptions } from '../options.js';
import { Source } from '../reactor/source.js';
import { connectStream } from './connect.js';
import { EpollUdpSocket, EpollUnixDatagramSocket } from './datagram.js';
import { DATAGRAM_INTEREST, READ_INTEREST, STREAM_INTEREST } from './interest.js';
import { EpollListener } from './listener.js';
import { EpollStream } from './stream.js';

/** Options of `createUdpSocket`: core's plus the protocol and a few socket options. */
export interface EpollUdpSocketOptions {
  /** Address family (default `'ipv4'`). */
  family?: 'ipv4' | 'ipv6';
  /** `'udp'` (default) or `'udplite'` (RFC 3828). */
  protocol?: 'udp' | 'udplite';
  /** `SO_REUSEADDR` before bind. */
  reuseAddress?: boolean;
  /** `SO_REUSEPORT` before bind. */
  reusePort?: boolean;
  /** `SO_RCVBUF` in bytes. */
  receiveBufferSize?: number;
  /** `SO_SNDBUF` in bytes. */
  sendBufferSize?: number;
  /** `IPV6_V6ONLY` (IPv6 only). */
  v6Only?: boolean;
  /** `SO_BROADCAST`. */
  broadcast?: boolean;
}

/** Options of `connectTcp`. */
export interface EpollConnectOptions extends EpollWaitOptions {
  /** `TCP_NODELAY` (default true). */
  noDelay?: boolean;
  /** Bind to this address first (choose the source address or port). */
  localAddress?: AddressLike;
}

/** Options of `listenTcp`. */
export interface EpollListenOptions {
  /** Backlog (default 511, as Node). */
  backlog?: number;
  /** `SO_REUSEADDR` (default true). */
  reuseAddress?: boolean;
  /** `SO_REUSEPORT`. */
  reusePort?: boolean;
  /** `IPV6_V6ONLY` (IPv6 only). */
  v6Only?: boolean;
}

/** Unix socket types with connections. */
export type UnixStreamType = 'stream' | 'seqpacket';

/** Options of `connectUnix`. */
export interface EpollUnixConnectOptions extends EpollWaitOptions {
  /** `'stream'` (default) or `'seqpacket'` (reliable records). */
  type?: UnixStreamType;
}

/** Options of `listenUnix`. */
export interface EpollUnixListenOptions {
  /** `'stream'` (default) or `'seqpacket'`. */
  type?: UnixStreamType;
  /** Backlog (default 511). */
  backlog?: number;
}

/** Options of `createUnixDatagram`. */
export interface EpollUnixDatagramOptions {
  /** Bind to this path or abstract name (`'@name'`); without it the socket is unnamed. */
  bind?: AddressLike;
}

function bool(o: Record<string, unknown>, key: string): boolean | undefined {
  const v = o[key];
  if (v !== undefined && typeof v !== 'boolean')
    throw invalidArg('ERR_INVALID_ARG_TYPE', `${key} must be a boolean, got ${typeof v}`);
  return v as boolean | undefined;
}

function unixType(type: unknown): number {
  if (type === undefined || type === 'stream') return SOCK.SOCK_STREAM;
  if (type === 'seqpacket') return SOCK.SOCK_SEQPACKET;
  throw invalidArg(
    'ERR_INVALID_ARG_VALUE',
    `type must be 'stream' or 'seqpacket', got ${String(type)}`,
  );
}

function inetAddress(address: AddressLike, what: string, other: string): SocketAddress {
  const a = toAddress(address);
  if (a.family === 'unix')
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `${what} takes an IP address, got Unix address '${a}'; use ${other}`,
    );
  return a;
}

function unixAddress(address: AddressLike, what: string): SocketAddress {
  const a = toAddress(address);
  if (a.family !== 'unix')
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `${what} takes a Unix address ('/path' or '@name'), got '${a}'`,
    );
  return a;
}

// Opens a non-blocking socket and runs `setup`; on any failure the descriptor is closed.
function opened<T>(
  domain: number,
  type: number,
  protocol: number,
  kind: SocketKind,
  family: 'ipv4' | 'ipv6' | 'unix',
  setup: (state: SocketState) => T,
): T {
  const spec = { domain, type, protocol, mode: 'async' as const, kind, family };
  return openSocketState({ ...spec, nonBlocking: true, surfaceWouldBlock: true }, setup);
}

/** `createUdpSocket`. */
export function openUdp(host: Host, options: EpollUdpSocketOptions | undefined): EpollUdpSocket {
  const o = checkOptions(
    options,
    [
      'family',
      'protocol',
      'reuseAddress',
      'reusePort',
      'receiveBufferSize',
      'sendBufferSize',
      'v6Only',
      'broadcast',
    ],
    'createUdpSocket',
  );
  const family = o.family ?? 'ipv4';
  if (family !== 'ipv4' && family !== 'ipv6')
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `family must be 'ipv4' or 'ipv6', got ${String(family)}`,
    );
  const protocol = o.protocol ?? 'udp';
  if (protocol !== 'udp' && protocol !== 'udplite')
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `protocol must be 'udp' or 'udplite', got ${String(protocol)}`,
    );
  for (const k of ['reuseAddress', 'reusePort', 'v6Only', 'broadcast'])
    bool(o as Record<string, unknown>, k);
  if (o.v6Only !== undefined && family !== 'ipv6')
    throw invalidArg('ERR_INVALID_ARG_VALUE', 'v6Only applies to IPv6 sockets only');
  const domain = family === 'ipv4' ? AF.AF_INET : AF.AF_INET6;
  const proto = protocol === 'udplite' ? IPPROTO.IPPROTO_UDPLITE : 0;
  return opened(
    domain,
    SOCK.SOCK_DGRAM,
    proto,
    protocol === 'udplite' ? 'udplite' : 'udp',
    family,
    (state) => {
      if (o.reuseAddress !== undefined) setOption(state, 'reuseAddress', o.reuseAddress);
      if (o.reusePort !== undefined) setOption(state, 'reusePort', o.reusePort);
      if (o.receiveBufferSize !== undefined)
        setOption(state, 'receiveBufferSize', o.receiveBufferSize);
      if (o.sendBufferSize !== undefined) setOption(state, 'sendBufferSize', o.sendBufferSize);
      if (o.v6Only !== undefined) setOption(state, 'v6Only', o.v6Only);
      if (o.broadcast !== undefined) setOption(state, 'broadcast', o.broadcast);
      return new EpollUdpSocket(
        host,
        state,
        new Source(host.reactor, state.fd, DATAGRAM_INTEREST, state.what),
      );
    },
  );
}

/** `createUnixDatagram`. */
export function openUnixDatagram(
  host: Host,
  options: EpollUnixDatagramOptions | undefined,
): EpollUnixDatagramSocket {
  const o = checkOptions(options, ['bind'], 'createUnixDatagram');
  const local = o.bind === undefined ? undefined : unixAddress(o.bind, 'createUnixDatagram');
  return opened(AF.AF_UNIX, SOCK.SOCK_DGRAM, 0, 'unix-dgram', 'unix', (state) => {
    if (local !== undefined) bindFd(state.fd, local);
    const socket = new EpollUnixDatagramSocket(
      host,
      state,
      new Source(host.reactor, state.fd, DATAGRAM_INTEREST, state.what),
    );
    socket._bound = local !== undefined;
    return socket;
  });
}

/** `connectTcp`. */
export function connectTcp(
  host: Host,
  address: AddressLike,
  options: EpollConnectOptions | undefined,
): Promise<EpollStream> {
  const o = checkOptions(options, ['noDelay', 'signal', 'timeout', 'localAddress'], 'connectTcp');
  const wait = parseOptions({ signal: o.signal, timeout: o.timeout }, WAIT_KEYS, 'connect');
  const noDelay = bool(o as Record<string, unknown>, 'noDelay');
  const remote = inetAddress(address, 'connectTcp', 'connectUnix');
  const local = o.localAddress === undefined ? undefined : toAddress(o.localAddress);
  if (local !== undefined && local.family !== remote.family) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `localAddress '${local}' is not of the same family as '${remote}'`,
    );
  }
  return connectStream(
    host,
    {
      domain: remote.family === 'ipv4' ? AF.AF_INET : AF.AF_INET6,
      type: SOCK.SOCK_STREAM,
      kind: 'tcp',
      remote,
      local,
      setup: noDelay === false ? undefined : (state) => setOption(state, 'noDelay', true),
    },
    wait,
  );
}

/** `connectUnix`. */
export function connectUnix(
  host: Host,
  address: AddressLike,
  options: EpollUnixConnectOptions | undefined,
): Promise<EpollStream> {
  const o = checkOptions(options, ['type', 'signal', 'timeout'], 'connectUnix');
  const wait = parseOptions({ signal: o.signal, timeout: o.timeout }, WAIT_KEYS, 'connect');
  const type = unixType(o.type);
  const remote = unixAddress(address, 'connectUnix');
  const kind = type === SOCK.SOCK_STREAM ? 'unix-stream' : 'unix-seqpacket';
  return connectStream(host, { domain: AF.AF_UNIX, type, kind, remote }, wait);
}

function listen(
  host: Host,
  domain: number,
  type: number,
  kind: SocketKind,
  local: SocketAddress,
  backlog: number,
  setup: (state: SocketState) => void,
): EpollListener {
  return opened(domain, type, 0, kind, local.family, (state) => {
    setup(state);
    bindFd(state.fd, local);
    listenFd(state.fd, backlog);
    const source = new Source(host.reactor, state.fd, READ_INTEREST, state.what);
    return new EpollListener(host, state, source, localName(state.fd) ?? local);
  });
}

/** `listenTcp`. */
export function listenTcp(
  host: Host,
  address: AddressLike,
  options: EpollListenOptions | undefined,
): EpollListener {
  const o = checkOptions(options, ['backlog', 'reuseAddress', 'reusePort', 'v6Only'], 'listenTcp');
  for (const k of ['reuseAddress', 'reusePort', 'v6Only']) bool(o as Record<string, unknown>, k);
  const backlog = checkBacklog(o.backlog);
  const local = inetAddress(address, 'listenTcp', 'listenUnix');
  if (o.v6Only !== undefined && local.family !== 'ipv6')
    throw invalidArg('ERR_INVALID_ARG_VALUE', 'v6Only applies to IPv6 listeners only');
  const domain = local.family === 'ipv4' ? AF.AF_INET : AF.AF_INET6;
  return listen(host, domain, SOCK.SOCK_STREAM, 'tcp-listener', local, backlog, (state) => {
    if (o.reuseAddress !== false) setOption(state, 'reuseAddress', true);
    if (o.reusePort !== undefined) setOption(state, 'reusePort', o.reusePort);
    if (o.v6Only !== undefined) setOption(state, 'v6Only', o.v6Only);
  });
}

/** `listenUnix`. */
export function listenUnix(
  host: Host,
  address: AddressLike,
  options: EpollUnixListenOptions | undefined,
): EpollListener {
  const o = checkOptions(options, ['type', 'backlog'], 'listenUnix');
  const type = unixType(o.type);
  const backlog = checkBacklog(o.backlog);
  const local = unixAddress(address, 'listenUnix');
  const kind = type === SOCK.SOCK_STREAM ? 'unix-stream-listener' : 'unix-seqpacket-listener';
  return listen(host, AF.AF_UNIX, type, kind, local, backlog, () => {});
}

/** `socketPair`: two connected Unix sockets. */
export function pairOf(
  host: Host,
  type: 'stream' | 'seqpacket' | 'dgram',
): [EpollStream, EpollStream] | [EpollUnixDatagramSocket, EpollUnixDatagramSocket] {
  if (type !== 'stream' && type !== 'seqpacket' && type !== 'dgram') {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `type must be 'stream', 'seqpacket' or 'dgram', got ${String(type)}`,
    );
  }
  const sockType =
    type === 'stream'
      ? SOCK.SOCK_STREAM
      : type === 'seqpacket'
        ? SOCK.SOCK_SEQPACKET
        : SOCK.SOCK_DGRAM;
  const kind: SocketKind =
    type === 'stream' ? 'unix-stream' : type === 'seqpacket' ? 'unix-seqpacket' : 'unix-dgram';
  const fds = openSocketPair(sockType, true);
  const unnamed = UnixSocketAddress.unnamed();
  const make = (fd: number) => {
    const state = new SocketState(fd, 'async', kind, 'unix', true);
    if (kind !== 'unix-dgram') {
      return new EpollStream(
        host,
        state,
        new Source(host.reactor, fd, STREAM_INTEREST, state.what),
        unnamed,
        unnamed,
      );
    }
    const d = new EpollUnixDatagramSocket(
      host,
      state,
      new Source(host.reactor, fd, DATAGRAM_INTEREST, state.what),
    );
    d._peer = unnamed;
    d._bound = true;
    return d;
  };
  return [make(fds[0]), make(fds[1])] as
    | [EpollStream, EpollStream]
    | [EpollUnixDatagramSocket, EpollUnixDatagramSocket];
}
