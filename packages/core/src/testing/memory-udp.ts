import { IPv4Address, IPv6Address, InetSocketAddress, type SocketAddress, toSocketAddress } from '../address/index.js';
import type { Capability } from '../capabilities.js';
import { IoError, invalidArg } from '../errors.js';
import type { Mode, Ret } from '../mode.js';
import type { UdpSocket } from '../traits/udp.js';
import { Readiness } from './runner.js';

/** One datagram in flight in the memory network. */
export interface MemoryDatagram {
  data: Uint8Array;
  from: SocketAddress;
}

/**
 * The wire between memory engines: bound UDP sockets and TCP listeners by
 * address. Engines made with the same network talk to each other; each
 * engine gets its own network by default.
 */
export class MemoryNetwork {
  /** @internal */ readonly udp = new Map<string, MemoryUdpSocket<Mode>>();
  /** @internal */ readonly tcp = new Map<string, { accept(s: unknown): void }>();
  #nextPort = 40000;

  /** @internal A free ephemeral port for this family. */
  ephemeralPort(used: (port: number) => boolean): number {
    for (let i = 0; i < 20000; i++) {
      const p = this.#nextPort++;
      if (this.#nextPort > 60999) this.#nextPort = 40000;
      if (!used(p)) return p;
    }
    throw new IoError({ code: 'EADDRINUSE', message: 'No free port in the memory network' });
  }

  /** @internal Finds the socket bound to `to`, or to the wildcard with its port. */
  findUdp(to: InetSocketAddress): MemoryUdpSocket<Mode> | undefined {
    const exact = this.udp.get(to.toString());
    if (exact) return exact;
    const any = to.family === 'ipv4' ? IPv4Address.ANY : IPv6Address.ANY;
    return this.udp.get(new InetSocketAddress(any, to.port).toString());
  }
}

/** A UDP socket of the memory engine: a queue of datagrams. */
export class MemoryUdpSocket<M extends Mode> implements UdpSocket<M> {
  readonly capabilities: ReadonlySet<Capability>;
  readonly queue: MemoryDatagram[] = [];
  readonly readiness = new Readiness();
  localAddress: InetSocketAddress | undefined;
  #closed = false;

  constructor(
    readonly mode: M,
    readonly family: 'ipv4' | 'ipv6',
    readonly network: MemoryNetwork,
    capabilities: ReadonlySet<Capability>,
  ) {
    this.capabilities = capabilities;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** @internal */
  bind(address: InetSocketAddress): InetSocketAddress {
    if (this.localAddress) throw new IoError({ code: 'EINVAL', errno: 22, syscall: 'bind', message: 'EINVAL: socket is already bound' });
    if (address.family !== this.family) {
      throw new IoError({ code: 'EAFNOSUPPORT', errno: 97, syscall: 'bind', address: address.toString(), message: `EAFNOSUPPORT: cannot bind an ${this.family} socket to ${address.toString()}` });
    }
    let bound = address;
    if (address.port === 0) {
      const port = this.network.ephemeralPort((p) => this.network.udp.has(new InetSocketAddress(address.ip, p).toString()));
      bound = new InetSocketAddress(address.ip, port);
    }
    const key = bound.toString();
    if (this.network.udp.has(key)) {
      throw new IoError({ code: 'EADDRINUSE', errno: 98, syscall: 'bind', address: key, message: `EADDRINUSE: ${key} is in use` });
    }
    this.network.udp.set(key, this as MemoryUdpSocket<Mode>);
    this.localAddress = bound;
    return bound;
  }

  /** @internal The source address, binding to an ephemeral port first as the kernel does. */
  source(): InetSocketAddress {
    if (!this.localAddress) {
      this.bind(new InetSocketAddress(this.family === 'ipv4' ? IPv4Address.LOOPBACK : IPv6Address.LOOPBACK, 0));
    }
    return this.localAddress!;
  }

  close(): Ret<M, void> {
    if (!this.#closed) {
      this.#closed = true;
      if (this.localAddress) this.network.udp.delete(this.localAddress.toString());
      this.readiness.notify();
    }
    return (this.mode === 'sync' ? undefined : Promise.resolve()) as Ret<M, void>;
  }
}

/** Parses a destination for UDP: an inet address is required. */
export function udpDestination(to: unknown): InetSocketAddress {
  const a = toSocketAddress(to as SocketAddress | string);
  if (!(a instanceof InetSocketAddress)) {
    throw invalidArg('ERR_INVALID_ADDRESS', `UDP needs an IP address and port, got ${String(a)}`);
  }
  return a;
}
