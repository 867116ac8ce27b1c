/**
 * Layouts (size and field offsets, x86_64 glibc) of the C structs the socket
 * calls exchange with the kernel. The engines encode these structs by hand in
 * preallocated memory (no per-call marshalling), so every number here is
 * checked against the system headers by `socket-linux.test.ts`. `struct
 * iovec` is the file half's `IOVEC_LAYOUT` (one copy).
 */
import type { StructLayout } from './file-layouts.js';

/** `struct sockaddr_in` (`<netinet/in.h>`); port and address are in network byte order. */
export const SOCKADDR_IN_LAYOUT: StructLayout<'sin_family' | 'sin_port' | 'sin_addr' | 'sin_zero'> =
  {
    size: 16,
    offsets: { sin_family: 0, sin_port: 2, sin_addr: 4, sin_zero: 8 },
  };

/** `struct sockaddr_in6` (`<netinet/in.h>`). */
export const SOCKADDR_IN6_LAYOUT: StructLayout<
  'sin6_family' | 'sin6_port' | 'sin6_flowinfo' | 'sin6_addr' | 'sin6_scope_id'
> = {
  size: 28,
  offsets: { sin6_family: 0, sin6_port: 2, sin6_flowinfo: 4, sin6_addr: 8, sin6_scope_id: 24 },
};

/** `struct sockaddr_un` (`<sys/un.h>`): 108 bytes of path after the family. */
export const SOCKADDR_UN_LAYOUT: StructLayout<'sun_family' | 'sun_path'> = {
  size: 110,
  offsets: { sun_family: 0, sun_path: 2 },
};

/** `struct sockaddr_storage`: room for any address the kernel returns. */
export const SOCKADDR_STORAGE_LAYOUT: StructLayout<'ss_family'> = {
  size: 128,
  offsets: { ss_family: 0 },
};

/** `struct msghdr` (`<sys/socket.h>`); `msg_iovlen` and `msg_controllen` are `size_t`. */
export const MSGHDR_LAYOUT: StructLayout<
  | 'msg_name'
  | 'msg_namelen'
  | 'msg_iov'
  | 'msg_iovlen'
  | 'msg_control'
  | 'msg_controllen'
  | 'msg_flags'
> = {
  size: 56,
  offsets: {
    msg_name: 0,
    msg_namelen: 8,
    msg_iov: 16,
    msg_iovlen: 24,
    msg_control: 32,
    msg_controllen: 40,
    msg_flags: 48,
  },
};

/** `struct mmsghdr` (`<sys/socket.h>`): a msghdr and the byte count of that message. */
export const MMSGHDR_LAYOUT: StructLayout<'msg_hdr' | 'msg_len'> = {
  size: 64,
  offsets: { msg_hdr: 0, msg_len: 56 },
};

/**
 * `struct cmsghdr` (`<sys/socket.h>`); data follows at `CMSG_DATA`, which is
 * `size` bytes in (the header is already aligned).
 */
export const CMSGHDR_LAYOUT: StructLayout<'cmsg_len' | 'cmsg_level' | 'cmsg_type'> = {
  size: 16,
  offsets: { cmsg_len: 0, cmsg_level: 8, cmsg_type: 12 },
};

/** `struct in_pktinfo` (`<netinet/in.h>`), the `IP_PKTINFO` control message. */
export const IN_PKTINFO_LAYOUT: StructLayout<'ipi_ifindex' | 'ipi_spec_dst' | 'ipi_addr'> = {
  size: 12,
  offsets: { ipi_ifindex: 0, ipi_spec_dst: 4, ipi_addr: 8 },
};

/** `struct in6_pktinfo` (`<netinet/in.h>`), the `IPV6_PKTINFO` control message. */
export const IN6_PKTINFO_LAYOUT: StructLayout<'ipi6_addr' | 'ipi6_ifindex'> = {
  size: 20,
  offsets: { ipi6_addr: 0, ipi6_ifindex: 16 },
};

/** `struct ucred` (`<sys/socket.h>`), `SO_PEERCRED` and `SCM_CREDENTIALS`. */
export const UCRED_LAYOUT: StructLayout<'pid' | 'uid' | 'gid'> = {
  size: 12,
  offsets: { pid: 0, uid: 4, gid: 8 },
};

/** `struct linger` (`<sys/socket.h>`), `SO_LINGER`. */
export const LINGER_LAYOUT: StructLayout<'l_onoff' | 'l_linger'> = {
  size: 8,
  offsets: { l_onoff: 0, l_linger: 4 },
};

/** `struct timeval` (`<sys/time.h>`), `SO_RCVTIMEO`/`SO_SNDTIMEO`. */
export const TIMEVAL_LAYOUT: StructLayout<'tv_sec' | 'tv_usec'> = {
  size: 16,
  offsets: { tv_sec: 0, tv_usec: 8 },
};

/** `struct pollfd` (`<poll.h>`). */
export const POLLFD_LAYOUT: StructLayout<'fd' | 'events' | 'revents'> = {
  size: 8,
  offsets: { fd: 0, events: 4, revents: 6 },
};

/** `CMSG_ALIGN(n)`: control-message lengths round up to `size_t`. */
export function cmsgAlign(n: number): number {
  return (n + 7) & ~7;
}

/** `CMSG_SPACE(n)`: buffer room one control message with `n` data bytes takes. */
export function cmsgSpace(n: number): number {
  return CMSGHDR_LAYOUT.size + cmsgAlign(n);
}

/** `CMSG_LEN(n)`: the `cmsg_len` of a control message with `n` data bytes. */
export function cmsgLen(n: number): number {
  return CMSGHDR_LAYOUT.size + n;
}
