/**
 * Socket addresses: IPv4 and IPv6 addresses, IP and Unix socket addresses,
 * parsed strictly and formatted canonically, with cheap byte access for
 * engines that build `sockaddr` structs.
 */
export { InetSocketAddress, type InetSocketAddressOptions } from './inet-socket-address.js';
export { type IPAddress, parseIP } from './ip.js';
export { IPv4Address } from './ipv4.js';
export { IPv6Address } from './ipv6.js';
export { type SocketAddress, toSocketAddress } from './socket-address.js';
export {
  UNIX_MAX_NAME_BYTES,
  type UnixAddressKind,
  UnixSocketAddress,
} from './unix-socket-address.js';
