import { type IPAddress, IPv4Address, IPv6Address, invalidArg } from '@binio/core';
import { IP, IPPROTO, IPV6, SCM, SOL_SOCKET } from '../linux/socket-constants.js';
import {
  CMSGHDR_LAYOUT,
  cmsgAlign,
  cmsgLen,
  cmsgSpace,
  IN_PKTINFO_LAYOUT,
  IN6_PKTINFO_LAYOUT,
  UCRED_LAYOUT,
} from '../linux/socket-layouts.js';

/**
 * Control messages (`cmsghdr`s) of `sendmsg`/`recvmsg`: descriptors passed
 * over Unix sockets (`SCM_RIGHTS`), credentials (`SCM_CREDENTIALS`), the
 * packet-info of a datagram (`IP_PKTINFO`/`IPV6_PKTINFO`), and any other
 * as raw bytes.
 */
export type ControlMessage =
  | RightsMessage
  | CredentialsMessage
  | PacketInfoMessage
  | RawControlMessage;

/** `SCM_RIGHTS`: descriptors. Received ones are new descriptors the caller owns (close-on-exec). */
export interface RightsMessage {
  /** Tells the kinds apart. */
  kind: 'rights';
  /** The descriptors. */
  fds: readonly number[];
}

/** `SCM_CREDENTIALS`: the sender's process, user and group (receivers need `passCredentials`). */
export interface CredentialsMessage {
  /** Tells the kinds apart. */
  kind: 'credentials';
  /** Process ID. */
  pid: number;
  /** User ID. */
  uid: number;
  /** Group ID. */
  gid: number;
}

/**
 * `IP_PKTINFO` / `IPV6_PKTINFO`. Received (with the `packetInfo` option on):
 * the interface and the destination address the datagram was sent to.
 * Sent: the interface and source address to send from.
 */
export interface PacketInfoMessage {
  /** Tells the kinds apart. */
  kind: 'pktinfo';
  /** Interface index (0: any). */
  ifindex: number;
  /** Received: the datagram's destination address. Sent: the source address to use. */
  address: IPAddress;
  /** IPv4 only, received: the local address the route chose (`ipi_spec_dst`). */
  specDst?: IPv4Address;
}

/** Any other control message, as its level, type and data bytes. */
export interface RawControlMessage {
  /** Tells the kinds apart. */
  kind: 'raw';
  /** `cmsg_level` (`SOL_SOCKET`, `IPPROTO_IP`, …). */
  level: number;
  /** `cmsg_type`. */
  type: number;
  /** The data after the header. */
  data: Uint8Array;
}

/** Most descriptors one `SCM_RIGHTS` message carries (the kernel's `SCM_MAX_FD`). */
export const SCM_MAX_FD = 253;

const H = CMSGHDR_LAYOUT.offsets;

function dataLength(m: ControlMessage): number {
  switch (m.kind) {
    case 'rights':
      return 4 * m.fds.length;
    case 'credentials':
      return UCRED_LAYOUT.size;
    case 'pktinfo':
      return m.address.family === 'ipv4' ? IN_PKTINFO_LAYOUT.size : IN6_PKTINFO_LAYOUT.size;
    case 'raw':
      return m.data.byteLength;
  }
}

/**
 * Validates `messages` (refusing malformed ones before any system call) and
 * returns the control buffer length they need.
 */
export function controlSpace(messages: readonly ControlMessage[]): number {
  if (!Array.isArray(messages)) {
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'control must be an array of control messages');
  }
  let total = 0;
  for (let i = 0; i < messages.length; i++) {
    checkMessage(messages[i], i);
    total += cmsgSpace(dataLength(messages[i]!));
  }
  return total;
}

function checkInt32(v: unknown, what: string, min: number, max: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalidArg(
      'ERR_OUT_OF_RANGE',
      `${what} must be an integer in [${min}, ${max}], got ${String(v)}`,
    );
  }
}

function checkMessage(m: unknown, i: number): void {
  const at = `control[${i}]`;
  if (typeof m !== 'object' || m === null)
    throw invalidArg('ERR_INVALID_ARG_TYPE', `${at} must be an object`);
  const msg = m as ControlMessage;
  switch (msg.kind) {
    case 'rights':
      if (!Array.isArray(msg.fds) || msg.fds.length === 0 || msg.fds.length > SCM_MAX_FD) {
        throw invalidArg(
          'ERR_OUT_OF_RANGE',
          `${at}.fds must be an array of 1 to ${SCM_MAX_FD} descriptors`,
        );
      }
      for (let k = 0; k < msg.fds.length; k++)
        checkInt32(msg.fds[k], `${at}.fds[${k}]`, 0, 0x7fffffff);
      return;
    case 'credentials':
      checkInt32(msg.pid, `${at}.pid`, 0, 0x7fffffff);
      checkInt32(msg.uid, `${at}.uid`, 0, 0xffffffff);
      checkInt32(msg.gid, `${at}.gid`, 0, 0xffffffff);
      return;
    case 'pktinfo':
      checkInt32(msg.ifindex, `${at}.ifindex`, 0, 0x7fffffff);
      if (!(msg.address instanceof IPv4Address) && !(msg.address instanceof IPv6Address)) {
        throw invalidArg(
          'ERR_INVALID_ARG_TYPE',
          `${at}.address must be an IPv4Address or IPv6Address`,
        );
      }
      return;
    case 'raw':
      checkInt32(msg.level, `${at}.level`, 0, 0x7fffffff);
      checkInt32(msg.type, `${at}.type`, 0, 0x7fffffff);
      if (!(msg.data instanceof Uint8Array)) {
        throw invalidArg('ERR_INVALID_ARG_TYPE', `${at}.data must be a Uint8Array`);
      }
      return;
    default:
      throw invalidArg(
        'ERR_INVALID_ARG_VALUE',
        `${at}.kind must be 'rights', 'credentials', 'pktinfo' or 'raw', got ${String((msg as { kind?: unknown }).kind)}`,
      );
  }
}

/**
 * Writes validated `messages` as consecutive cmsghdrs into `target` at
 * `offset` (8-aligned, zeroed padding); returns the bytes used.
 */
export function encodeControl(
  messages: readonly ControlMessage[],
  target: Uint8Array,
  offset: number,
): number {
  const v = new DataView(target.buffer, target.byteOffset);
  let at = offset;
  for (const m of messages) {
    const n = dataLength(m);
    const space = cmsgSpace(n);
    target.fill(0, at, at + space);
    v.setUint32(at + H.cmsg_len, cmsgLen(n), true);
    v.setUint32(at + H.cmsg_len + 4, 0, true);
    const d = at + CMSGHDR_LAYOUT.size;
    let level: number;
    let type: number;
    switch (m.kind) {
      case 'rights':
        level = SOL_SOCKET;
        type = SCM.SCM_RIGHTS;
        for (let k = 0; k < m.fds.length; k++) v.setInt32(d + 4 * k, m.fds[k]!, true);
        break;
      case 'credentials': {
        level = SOL_SOCKET;
        type = SCM.SCM_CREDENTIALS;
        const o = UCRED_LAYOUT.offsets;
        v.setInt32(d + o.pid, m.pid, true);
        v.setUint32(d + o.uid, m.uid, true);
        v.setUint32(d + o.gid, m.gid, true);
        break;
      }
      case 'pktinfo':
        if (m.address.family === 'ipv4') {
          level = IPPROTO.IPPROTO_IP;
          type = IP.IP_PKTINFO;
          const o = IN_PKTINFO_LAYOUT.offsets;
          v.setInt32(d + o.ipi_ifindex, m.ifindex, true);
          // On send, ipi_spec_dst is the source address to use.
          m.address.copyTo(target, d + o.ipi_spec_dst);
        } else {
          level = IPPROTO.IPPROTO_IPV6;
          type = IPV6.IPV6_PKTINFO;
          const o = IN6_PKTINFO_LAYOUT.offsets;
          m.address.copyTo(target, d + o.ipi6_addr);
          v.setInt32(d + o.ipi6_ifindex, m.ifindex, true);
        }
        break;
      case 'raw':
        level = m.level;
        type = m.type;
        target.set(m.data, d);
        break;
    }
    v.setInt32(at + H.cmsg_level, level, true);
    v.setInt32(at + H.cmsg_type, type, true);
    at += space;
  }
  return at - offset;
}

/** Reads the cmsghdrs in `length` bytes at `offset` of `source`. */
export function decodeControl(
  source: Uint8Array,
  offset: number,
  length: number,
): ControlMessage[] {
  const v = new DataView(source.buffer, source.byteOffset);
  const out: ControlMessage[] = [];
  let at = offset;
  const end = offset + length;
  while (end - at >= CMSGHDR_LAYOUT.size) {
    const len =
      v.getUint32(at + H.cmsg_len, true) + v.getUint32(at + H.cmsg_len + 4, true) * 2 ** 32;
    if (len < CMSGHDR_LAYOUT.size || at + len > end) break;
    const level = v.getInt32(at + H.cmsg_level, true);
    const type = v.getInt32(at + H.cmsg_type, true);
    const d = at + CMSGHDR_LAYOUT.size;
    const n = len - CMSGHDR_LAYOUT.size;
    out.push(decodeOne(source, v, level, type, d, n));
    at += cmsgAlign(len);
  }
  return out;
}

function decodeOne(
  source: Uint8Array,
  v: DataView,
  level: number,
  type: number,
  d: number,
  n: number,
): ControlMessage {
  if (level === SOL_SOCKET && type === SCM.SCM_RIGHTS) {
    const fds: number[] = [];
    for (let k = 0; k + 4 <= n; k += 4) fds.push(v.getInt32(d + k, true));
    return { kind: 'rights', fds };
  }
  if (level === SOL_SOCKET && type === SCM.SCM_CREDENTIALS && n >= UCRED_LAYOUT.size) {
    const o = UCRED_LAYOUT.offsets;
    return {
      kind: 'credentials',
      pid: v.getInt32(d + o.pid, true),
      uid: v.getUint32(d + o.uid, true),
      gid: v.getUint32(d + o.gid, true),
    };
  }
  if (level === IPPROTO.IPPROTO_IP && type === IP.IP_PKTINFO && n >= IN_PKTINFO_LAYOUT.size) {
    const o = IN_PKTINFO_LAYOUT.offsets;
    return {
      kind: 'pktinfo',
      ifindex: v.getInt32(d + o.ipi_ifindex, true),
      address: IPv4Address.fromBytes(source.subarray(d + o.ipi_addr, d + o.ipi_addr + 4)),
      specDst: IPv4Address.fromBytes(source.subarray(d + o.ipi_spec_dst, d + o.ipi_spec_dst + 4)),
    };
  }
  if (
    level === IPPROTO.IPPROTO_IPV6 &&
    type === IPV6.IPV6_PKTINFO &&
    n >= IN6_PKTINFO_LAYOUT.size
  ) {
    const o = IN6_PKTINFO_LAYOUT.offsets;
    return {
      kind: 'pktinfo',
      ifindex: v.getInt32(d + o.ipi6_ifindex, true),
      address: IPv6Address.fromBytes(source.subarray(d + o.ipi6_addr, d + o.ipi6_addr + 16)),
    };
  }
  return { kind: 'raw', level, type, data: source.slice(d, d + n) };
}
