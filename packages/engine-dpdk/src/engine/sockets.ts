import {
  type AddressLike,
  checkOptions,
  InetSocketAddress,
  IoError,
  toSocketAddress,
  type UdpSocketOptions,
} from '@binio/core';
import { DpdkUdpSocket, type SocketOwner } from '../socket.js';
import type { DropReason } from '../stack/counters.js';
import { ipToU32, isLoopback, u32ToIp } from '../stack/ipv4.js';

const SOCKET_KEYS = [
  'family',
  'reuseAddress',
  'reusePort',
  'receiveBufferSize',
  'sendBufferSize',
] as const;

/** An IPv4 socket address from whatever names one; `EAFNOSUPPORT` otherwise. */
export function inet(address: AddressLike): InetSocketAddress {
  const a = toSocketAddress(address);
  if (!(a instanceof InetSocketAddress) || a.family !== 'ipv4') {
    throw new IoError({
      code: 'EAFNOSUPPORT',
      engine: 'dpdk',
      address: String(a),
      message: `EAFNOSUPPORT: the DPDK engine speaks IPv4 only, got ${String(a)}`,
    });
  }
  return a;
}

/**
 * The engine's UDP sockets and its demultiplexing table: which socket a
 * datagram to (address, port) goes to, binding (explicit, ephemeral, on
 * first send) and the conflicts between bindings.
 */
export class SocketTable {
  readonly #owner: SocketOwner;
  readonly #ourIp: number;
  readonly #ourAddress: string;
  readonly #ports = new Map<number, DpdkUdpSocket[]>();
  readonly #sockets = new Set<DpdkUdpSocket>();
  #nextEphemeral = 32768 + Math.floor(Math.random() * 28232);

  constructor(owner: SocketOwner, ourIp: number, ourAddress: string) {
    this.#owner = owner;
    this.#ourIp = ourIp;
    this.#ourAddress = ourAddress;
  }

  /** Every open socket. */
  get open(): DpdkUdpSocket[] {
    return [...this.#sockets];
  }

  /** A new unbound socket, after checking its options. */
  create(options: UdpSocketOptions | undefined, queue: number, timeout: number): DpdkUdpSocket {
    const o = checkOptions(options, SOCKET_KEYS, 'UDP socket');
    if (o.family !== undefined && o.family !== 'ipv4') {
      throw new IoError({
        code: o.family === 'ipv6' ? 'EAFNOSUPPORT' : 'ERR_INVALID_ARG_VALUE',
        engine: 'dpdk',
        message: `The DPDK engine's stack speaks IPv4 only; family '${String(o.family)}' is not supported`,
      });
    }
    for (const k of ['reuseAddress', 'reusePort', 'sendBufferSize'] as const) {
      if (o[k] !== undefined && o[k] !== false) {
        throw new IoError({
          code: 'ERR_UNSUPPORTED',
          engine: 'dpdk',
          message: `UDP socket option ${k} is not supported by the DPDK engine (one socket per address and port; datagrams go straight to the device queue)`,
        });
      }
    }
    let capacity = queue;
    if (o.receiveBufferSize !== undefined) {
      if (!Number.isInteger(o.receiveBufferSize) || o.receiveBufferSize < 1) {
        throw new IoError({
          code: 'ERR_OUT_OF_RANGE',
          message: `receiveBufferSize must be a positive integer, got ${String(o.receiveBufferSize)}`,
        });
      }
      // Each queued datagram holds one 2 KiB mbuf.
      capacity = Math.max(1, Math.ceil(o.receiveBufferSize / 2048));
    }
    const s = new DpdkUdpSocket(this.#owner, capacity, timeout);
    this.#sockets.add(s);
    return s;
  }

  /** `socket` if it is an open socket of this engine; `EBADF` when closed. */
  check(socket: DpdkUdpSocket): DpdkUdpSocket {
    this.checkOurs(socket);
    if (socket.closed) {
      throw new IoError({
        code: 'EBADF',
        errno: 9,
        engine: 'dpdk',
        message: 'EBADF: the UDP socket is closed',
      });
    }
    return socket;
  }

  /** Throws unless `socket` is one of this engine's. */
  checkOurs(socket: DpdkUdpSocket): void {
    if (!(socket instanceof DpdkUdpSocket) || socket._owner !== this.#owner) {
      throw new IoError({
        code: 'ERR_INVALID_ARG_TYPE',
        engine: 'dpdk',
        message: 'Not a socket of this DPDK engine',
      });
    }
  }

  /** Binds `s` to `0.0.0.0`, our address or a loopback address; port 0 picks a free one. */
  bind(s: DpdkUdpSocket, address: AddressLike): InetSocketAddress {
    const a = inet(address);
    if (s._port !== 0) {
      throw new IoError({
        code: 'EINVAL',
        engine: 'dpdk',
        message: `EINVAL: the socket is already bound to ${s._local}`,
      });
    }
    const ip = ipToU32(a.ip);
    if (ip !== 0 && ip !== this.#ourIp && !isLoopback(ip)) {
      throw new IoError({
        code: 'EADDRNOTAVAIL',
        engine: 'dpdk',
        address: a.toString(),
        message: `EADDRNOTAVAIL: ${a.ip} is not this engine's address (${this.#ourAddress}); bind to it, 0.0.0.0 or 127.0.0.1`,
      });
    }
    const port = a.port === 0 ? this.#ephemeral(ip) : a.port;
    if (this.#conflicts(ip, port)) {
      throw new IoError({
        code: 'EADDRINUSE',
        engine: 'dpdk',
        address: a.toString(),
        message: `EADDRINUSE: ${a.ip}:${port} is already bound`,
      });
    }
    this.#register(s, ip, port);
    return s._local!;
  }

  /** Binds an unbound `s` to a free port on any address, as a first send does. */
  autobind(s: DpdkUdpSocket): void {
    if (s._port === 0) this.#register(s, 0, this.#ephemeral(0));
  }

  /** Forgets `s` (its port is free again); returns the mbufs of the datagrams it had queued. */
  remove(s: DpdkUdpSocket): number[] {
    if (s._port !== 0) {
      const list = this.#ports.get(s._port);
      const rest = list?.filter((x) => x !== s) ?? [];
      if (rest.length > 0) this.#ports.set(s._port, rest);
      else this.#ports.delete(s._port);
    }
    this.#sockets.delete(s);
    return s._queue.drain();
  }

  /**
   * Queues the datagram in mbuf `index` on the socket bound to (dstIp,
   * dstPort), an exact address before a wildcard; the reason it was
   * dropped otherwise.
   */
  deliver(
    dstIp: number,
    dstPort: number,
    srcIp: number,
    srcPort: number,
    index: number,
    length: number,
  ): DropReason | undefined {
    const list = this.#ports.get(dstPort);
    if (!list) return 'noSocket';
    let target: DpdkUdpSocket | undefined;
    for (const s of list) {
      if (s._ip === dstIp) {
        target = s;
        break;
      }
      if (s._ip === 0) target = s;
    }
    if (!target) return 'noSocket';
    return target._queue.push(index, length, srcIp, srcPort) ? undefined : 'queueFull';
  }

  #ephemeral(ip: number): number {
    for (let i = 0; i < 28232; i++) {
      const p = this.#nextEphemeral;
      this.#nextEphemeral = p === 60999 ? 32768 : p + 1;
      if (!this.#conflicts(ip, p)) return p;
    }
    throw new IoError({
      code: 'EADDRINUSE',
      engine: 'dpdk',
      message: 'EADDRINUSE: no free ephemeral port',
    });
  }

  #conflicts(ip: number, port: number): boolean {
    const list = this.#ports.get(port);
    return list?.some((s) => s._ip === 0 || ip === 0 || s._ip === ip) === true;
  }

  #register(s: DpdkUdpSocket, ip: number, port: number): void {
    s._ip = ip;
    s._port = port;
    s._local = new InetSocketAddress(u32ToIp(ip), port);
    const list = this.#ports.get(port);
    if (list) list.push(s);
    else this.#ports.set(port, [s]);
  }
}
