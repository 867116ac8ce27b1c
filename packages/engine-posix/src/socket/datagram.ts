import type { Mode, SocketAddress, UdpSocket } from '@binio/core';
import { localName } from './create.js';
import { SocketHandle } from './handle.js';
import type { SocketState } from './state.js';

/**
 * Datagram sockets (UDP, UDP-Lite, Unix datagram). Their operations go
 * through the engine ({@link SocketOps}: `send`, `recv`, `sendMany`,
 * `recvMany`, `sendMsg`, `recvMsg`), as the proposal's UDP traits do; the
 * handle carries the socket's identity and options.
 */
export abstract class DatagramHandle<M extends Mode> extends SocketHandle<M> {
  /** @internal True once bound (explicitly or by a first send). */
  _bound = false;
  /** @internal The peer of a connected socket. */
  _peer: SocketAddress | undefined;
  #local: SocketAddress | undefined;

  /** The bound address (with the chosen port), once bound; undefined before. */
  get localAddress(): SocketAddress | undefined {
    if (this.#local === undefined && this._bound && !this._state.closed) {
      this.#local = localName(this._state.fd);
    }
    return this.#local;
  }

  /** The peer a connected socket sends to and receives from only; undefined when unconnected. */
  get remoteAddress(): SocketAddress | undefined {
    return this._peer;
  }
}

/** A UDP or UDP-Lite socket of the posix engine. */
export class PosixUdpSocket<M extends Mode> extends DatagramHandle<M> implements UdpSocket<M> {
  /** `'ipv4'` or `'ipv6'`. */
  readonly family: 'ipv4' | 'ipv6';
  /** `'udp'`, or `'udplite'` (RFC 3828: partial checksum coverage). */
  readonly protocol: 'udp' | 'udplite';

  /** @internal created by `SocketOps.createUdpSocket` */
  constructor(state: SocketState) {
    super(state);
    this.family = state.family as 'ipv4' | 'ipv6';
    this.protocol = state.kind === 'udplite' ? 'udplite' : 'udp';
  }
}

/** A Unix datagram (`SOCK_DGRAM`) socket of the posix engine. */
export class PosixUnixDatagramSocket<M extends Mode> extends DatagramHandle<M> {
  /** Always `'unix'`. */
  readonly family = 'unix' as const;
}

/** Any datagram socket the engine's datagram operations accept. */
export type DatagramSocket<M extends Mode> = PosixUdpSocket<M> | PosixUnixDatagramSocket<M>;
