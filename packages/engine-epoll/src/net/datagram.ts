import {
  PosixUdpSocket,
  PosixUnixDatagramSocket,
  type SocketState,
} from '@binio/engine-posix/socket';
import type { Host } from '../host.js';
import type { Source } from '../reactor/source.js';
import { closeSocket } from './close.js';
import { DatagramIo } from './datagram-ops.js';

/**
 * A UDP socket of the epoll engine. Its identity, options and addresses are
 * the posix engine's (`PosixUdpSocket`: `setOption`, `localAddress`, …);
 * its operations go through the engine (`send`, `recv`, `sendMany`,
 * `recvMany`), non-blocking and parked on epoll.
 */
export class EpollUdpSocket extends PosixUdpSocket<'async'> {
  /** @internal */
  readonly _dg: DatagramIo;
  readonly #host: Host;

  /** @internal made by createUdpSocket */
  constructor(host: Host, state: SocketState, source: Source) {
    super(state);
    this.#host = host;
    this._dg = new DatagramIo(source);
    host.track(this);
  }

  /** Closes the socket: parked operations fail with `EBADF`. Closing twice is a no-op. */
  override close(): Promise<void> {
    return closeSocket(this.#host, this, this._state, this._dg.source);
  }
}

/** A Unix datagram socket of the epoll engine (operations as for {@link EpollUdpSocket}). */
export class EpollUnixDatagramSocket extends PosixUnixDatagramSocket<'async'> {
  /** @internal */
  readonly _dg: DatagramIo;
  readonly #host: Host;

  /** @internal made by createUnixDatagram and socketPair */
  constructor(host: Host, state: SocketState, source: Source) {
    super(state);
    this.#host = host;
    this._dg = new DatagramIo(source);
    host.track(this);
  }

  /** Closes the socket: parked operations fail with `EBADF`. Closing twice is a no-op. */
  override close(): Promise<void> {
    return closeSocket(this.#host, this, this._state, this._dg.source);
  }
}

/** Any datagram socket of this engine. */
export type EpollDatagramSocket = EpollUdpSocket | EpollUnixDatagramSocket;
