/**
 * Linux (x86_64, glibc) socket constants: address families, socket types and
 * flags, protocol numbers, option levels and names, message flags, shutdown
 * modes, poll events. Typed by hand; `socket-linux.test.ts` checks every value
 * against the system headers (the UDP-Lite option names, absent from the
 * userspace headers, are checked against the kernel's behaviour instead).
 */

/** Address families (`AF_*`). */
export const AF = {
  AF_UNSPEC: 0,
  AF_UNIX: 1,
  AF_INET: 2,
  AF_INET6: 10,
} as const;

/** Socket types and the flags `socket(2)`/`accept4(2)` accept in the type argument. */
export const SOCK = {
  SOCK_STREAM: 1,
  SOCK_DGRAM: 2,
  SOCK_RAW: 3,
  SOCK_SEQPACKET: 5,
  /** `O_NONBLOCK` on the new descriptor. */
  SOCK_NONBLOCK: 0o4000,
  /** `O_CLOEXEC` on the new descriptor. */
  SOCK_CLOEXEC: 0o2000000,
} as const;

/** Protocol numbers (`IPPROTO_*`), also the option level of each protocol. */
export const IPPROTO = {
  IPPROTO_IP: 0,
  IPPROTO_TCP: 6,
  IPPROTO_UDP: 17,
  IPPROTO_IPV6: 41,
  IPPROTO_UDPLITE: 136,
} as const;

/** `SOL_SOCKET`: the level of the generic socket options. */
export const SOL_SOCKET = 1;

/** Generic socket options (`SO_*`, level {@link SOL_SOCKET}). */
export const SO = {
  SO_DEBUG: 1,
  SO_REUSEADDR: 2,
  SO_TYPE: 3,
  SO_ERROR: 4,
  SO_DONTROUTE: 5,
  SO_BROADCAST: 6,
  SO_SNDBUF: 7,
  SO_RCVBUF: 8,
  SO_KEEPALIVE: 9,
  SO_OOBINLINE: 10,
  SO_PRIORITY: 12,
  SO_LINGER: 13,
  SO_REUSEPORT: 15,
  SO_PASSCRED: 16,
  SO_PEERCRED: 17,
  SO_RCVLOWAT: 18,
  SO_SNDLOWAT: 19,
  SO_RCVTIMEO: 20,
  SO_SNDTIMEO: 21,
  SO_BINDTODEVICE: 25,
  SO_TIMESTAMP: 29,
  SO_ACCEPTCONN: 30,
  SO_SNDBUFFORCE: 32,
  SO_RCVBUFFORCE: 33,
  SO_TIMESTAMPNS: 35,
  SO_MARK: 36,
  SO_PROTOCOL: 38,
  SO_DOMAIN: 39,
  SO_RXQ_OVFL: 40,
  SO_BUSY_POLL: 46,
  SO_INCOMING_CPU: 49,
  SO_ZEROCOPY: 60,
} as const;

/** Control-message types at level {@link SOL_SOCKET} (`SCM_*`). */
export const SCM = {
  SCM_RIGHTS: 1,
  SCM_CREDENTIALS: 2,
} as const;

/** TCP options (`TCP_*`, level `IPPROTO_TCP`). */
export const TCP = {
  TCP_NODELAY: 1,
  TCP_MAXSEG: 2,
  TCP_CORK: 3,
  TCP_KEEPIDLE: 4,
  TCP_KEEPINTVL: 5,
  TCP_KEEPCNT: 6,
  TCP_DEFER_ACCEPT: 9,
  TCP_QUICKACK: 12,
  TCP_CONGESTION: 13,
  TCP_USER_TIMEOUT: 18,
  TCP_FASTOPEN: 23,
  TCP_NOTSENT_LOWAT: 25,
} as const;

/** IPv4 options (`IP_*`, level `IPPROTO_IP`). */
export const IP = {
  IP_TOS: 1,
  IP_TTL: 2,
  IP_PKTINFO: 8,
  IP_MTU_DISCOVER: 10,
  IP_RECVERR: 11,
  IP_RECVTTL: 12,
  IP_RECVTOS: 13,
  IP_FREEBIND: 15,
  IP_TRANSPARENT: 19,
  IP_BIND_ADDRESS_NO_PORT: 24,
  IP_MULTICAST_IF: 32,
  IP_MULTICAST_TTL: 33,
  IP_MULTICAST_LOOP: 34,
  IP_ADD_MEMBERSHIP: 35,
  IP_DROP_MEMBERSHIP: 36,
} as const;

/** IPv6 options (`IPV6_*`, level `IPPROTO_IPV6`). */
export const IPV6 = {
  IPV6_UNICAST_HOPS: 16,
  IPV6_MULTICAST_IF: 17,
  IPV6_MULTICAST_HOPS: 18,
  IPV6_MULTICAST_LOOP: 19,
  IPV6_V6ONLY: 26,
  IPV6_RECVPKTINFO: 49,
  IPV6_PKTINFO: 50,
  IPV6_RECVTCLASS: 66,
  IPV6_TCLASS: 67,
} as const;

/** UDP options (`UDP_*`, level `IPPROTO_UDP`). */
export const UDP = {
  UDP_CORK: 1,
  UDP_SEGMENT: 103,
  UDP_GRO: 104,
} as const;

/**
 * UDP-Lite checksum-coverage options (level `IPPROTO_UDPLITE`). Not in the
 * userspace headers (they live in the kernel's `net/udplite.h`); the test
 * checks them against the kernel's behaviour.
 */
export const UDPLITE = {
  /** Bytes of each sent datagram the checksum covers (0 = all; else at least 8). */
  UDPLITE_SEND_CSCOV: 10,
  /** Smallest coverage a received datagram must have to be accepted. */
  UDPLITE_RECV_CSCOV: 11,
} as const;

/** Message flags (`MSG_*`) for send/recv calls and `msg_flags`. */
export const MSG = {
  MSG_OOB: 0x1,
  MSG_PEEK: 0x2,
  MSG_DONTROUTE: 0x4,
  MSG_CTRUNC: 0x8,
  MSG_TRUNC: 0x20,
  MSG_DONTWAIT: 0x40,
  MSG_EOR: 0x80,
  MSG_WAITALL: 0x100,
  MSG_CONFIRM: 0x800,
  MSG_ERRQUEUE: 0x2000,
  MSG_NOSIGNAL: 0x4000,
  MSG_MORE: 0x8000,
  MSG_WAITFORONE: 0x10000,
  MSG_ZEROCOPY: 0x4000000,
  MSG_CMSG_CLOEXEC: 0x40000000,
} as const;

/** `shutdown(2)` modes. */
export const SHUT = {
  SHUT_RD: 0,
  SHUT_WR: 1,
  SHUT_RDWR: 2,
} as const;

/** `poll(2)` events. */
export const POLL = {
  POLLIN: 0x1,
  POLLPRI: 0x2,
  POLLOUT: 0x4,
  POLLERR: 0x8,
  POLLHUP: 0x10,
  POLLNVAL: 0x20,
  POLLRDHUP: 0x2000,
} as const;

/** `eventfd(2)` flags. */
export const EFD = {
  EFD_NONBLOCK: 0o4000,
  EFD_CLOEXEC: 0o2000000,
} as const;

/** The kernel's cap on `listen(2)` backlogs by default (`SOMAXCONN`). */
export const SOMAXCONN = 4096;

/** Longest Unix socket path including its terminating NUL (`sizeof(sun_path)`). */
export const UNIX_PATH_MAX = 108;
