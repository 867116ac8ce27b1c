import { checkOptions, invalidArg, type UdpSocketOptions } from '@binio/core';
import { AF, IPPROTO } from '../linux/socket-constants.js';
import { checkOptionValue, setOption } from './options.js';
import type { SocketKind, SocketState } from './state.js';

/**
 * `createUdpSocket`'s options, for every engine that opens kernel UDP
 * sockets: checked whole before the socket exists (a refusal leaves nothing
 * to close), then applied to the new socket by {@link applyUdpOptions}.
 */

/** The options every engine's `createUdpSocket` takes: core's, plus the protocol and a few socket options. */
export interface UdpOpenOptions extends UdpSocketOptions {
  /** `'udp'` (default) or `'udplite'` (RFC 3828; set coverage with the `udplite*Coverage` options). */
  protocol?: 'udp' | 'udplite';
  /** `IPV6_V6ONLY` on an IPv6 socket. */
  v6Only?: boolean;
  /** `SO_BROADCAST`. */
  broadcast?: boolean;
}

/** The keys of {@link UdpOpenOptions}. */
export const UDP_OPEN_KEYS = [
  'family',
  'reuseAddress',
  'reusePort',
  'receiveBufferSize',
  'sendBufferSize',
  'protocol',
  'v6Only',
  'broadcast',
] as const;

/** What to open: `socket(domain, SOCK_DGRAM, protocol)` of kind `kind`. */
export interface UdpOpenPlan {
  /** `'ipv4'` or `'ipv6'`. */
  family: 'ipv4' | 'ipv6';
  /** `AF_INET` or `AF_INET6`. */
  domain: number;
  /** 0 (UDP) or `IPPROTO_UDPLITE`. */
  protocol: number;
  /** `'udp'` or `'udplite'`. */
  kind: SocketKind;
}

function checkBool(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw invalidArg('ERR_INVALID_ARG_TYPE', `${name} must be a boolean, got ${typeof value}`);
  }
}

/**
 * Checks `options` (unknown keys refused; `extraKeys` are an engine's own,
 * checked by it) and returns what to open.
 */
export function checkUdpOptions<O extends UdpOpenOptions>(
  options: O | undefined,
  extraKeys: readonly string[] = [],
): UdpOpenPlan & { options: O } {
  const o = checkOptions(options, [...UDP_OPEN_KEYS, ...extraKeys], 'createUdpSocket') as O;
  const family = o.family ?? 'ipv4';
  if (family !== 'ipv4' && family !== 'ipv6') {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `family must be 'ipv4' or 'ipv6', got ${String(family)}`,
    );
  }
  const protocol = o.protocol ?? 'udp';
  if (protocol !== 'udp' && protocol !== 'udplite') {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `protocol must be 'udp' or 'udplite', got ${String(protocol)}`,
    );
  }
  for (const k of ['reuseAddress', 'reusePort', 'v6Only', 'broadcast'] as const) checkBool(o[k], k);
  if (o.receiveBufferSize !== undefined) checkOptionValue('receiveBufferSize', o.receiveBufferSize);
  if (o.sendBufferSize !== undefined) checkOptionValue('sendBufferSize', o.sendBufferSize);
  if (o.v6Only !== undefined && family !== 'ipv6') {
    throw invalidArg('ERR_INVALID_ARG_VALUE', 'v6Only applies to IPv6 sockets only');
  }
  return {
    family,
    domain: family === 'ipv4' ? AF.AF_INET : AF.AF_INET6,
    protocol: protocol === 'udplite' ? IPPROTO.IPPROTO_UDPLITE : 0,
    kind: protocol,
    options: o,
  };
}

/** Sets the checked options on a new socket (the caller closes it if this throws). */
export function applyUdpOptions(state: SocketState, o: UdpOpenOptions): void {
  if (o.reuseAddress !== undefined) setOption(state, 'reuseAddress', o.reuseAddress);
  if (o.reusePort !== undefined) setOption(state, 'reusePort', o.reusePort);
  if (o.receiveBufferSize !== undefined) setOption(state, 'receiveBufferSize', o.receiveBufferSize);
  if (o.sendBufferSize !== undefined) setOption(state, 'sendBufferSize', o.sendBufferSize);
  if (o.v6Only !== undefined) setOption(state, 'v6Only', o.v6Only);
  if (o.broadcast !== undefined) setOption(state, 'broadcast', o.broadcast);
}
