/** `SocketAddress` and `toSocketAddress`: any address an engine can bind or connect to. */
import { InetSocketAddress } from './inet-socket-address.js';
import { invalidType } from './refuse.js';
import { UnixSocketAddress } from './unix-socket-address.js';

/** Any socket address; narrow on `family` (`'ipv4'`, `'ipv6'` or `'unix'`). */
export type SocketAddress = InetSocketAddress | UnixSocketAddress;

/**
 * Converts an address argument to a {@link SocketAddress}: an address is
 * returned as is; text starting with `/` is a Unix path, `@name` an abstract
 * Unix name, anything else `ip:port` (`'1.2.3.4:80'`, `'[::1]:80'`). Only IP
 * literals are accepted: nothing resolves host names.
 */
export function toSocketAddress(x: SocketAddress | string): SocketAddress {
  if (x instanceof InetSocketAddress || x instanceof UnixSocketAddress) return x;
  if (typeof x !== 'string') throw invalidType('toSocketAddress', 'a SocketAddress or a string', x);
  if (x.startsWith('/')) return UnixSocketAddress.path(x);
  if (x.startsWith('@')) return UnixSocketAddress.abstract(x.slice(1));
  return InetSocketAddress.parse(x);
}
