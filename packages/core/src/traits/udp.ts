import type { SocketAddress } from '../address/index.js';
import type { OutputBuffer } from '../buffers/output-buffer.js';
import type { ByteSource } from '../buffers/source.js';
import type { Mode, Ret } from '../mode.js';
import type { Handle } from './handle.js';
import type { OpOptions } from './options.js';

/** An address argument: a parsed address or its text (`'127.0.0.1:9000'`, `'[::1]:9000'`). */
export type AddressLike = SocketAddress | string;

/** A UDP socket handle. Operations on it go through the engine's UDP traits. */
export interface UdpSocket<M extends Mode> extends Handle<M> {
  /** `'ipv4'` or `'ipv6'`. */
  readonly family: 'ipv4' | 'ipv6';
  /** The bound address, once bound. */
  readonly localAddress: SocketAddress | undefined;
}

/** Options when creating a UDP socket. */
export interface UdpSocketOptions {
  /** Address family (default `'ipv4'`). */
  family?: 'ipv4' | 'ipv6';
  /** `SO_REUSEADDR` before bind. */
  reuseAddress?: boolean;
  /** `SO_REUSEPORT` before bind. */
  reusePort?: boolean;
  /** `SO_RCVBUF` in bytes. */
  receiveBufferSize?: number;
  /** `SO_SNDBUF` in bytes. */
  sendBufferSize?: number;
}

/** A received datagram's metadata. */
export interface Received {
  /** Bytes received (committed into the buffer). */
  bytes: number;
  /** Who sent it. */
  from: SocketAddress;
  /** True when the datagram was longer than the buffer and was cut. */
  truncated: boolean;
}

/** One datagram to send in a batch. */
export interface Outgoing {
  /** Payload. */
  data: ByteSource;
  /** Destination. */
  to: AddressLike;
}

/** Result of a batch receive. */
export interface ReceivedBatch {
  /** Number of datagrams received: `buffers[0..count)` were filled. */
  count: number;
  /** Sender of each received datagram. */
  from: SocketAddress[];
}

/** `IoEngine_UDP_Socket`. */
export interface UdpSocketCreate<M extends Mode> {
  /** Creates an unbound UDP socket. */
  createUdpSocket(options?: UdpSocketOptions): Ret<M, UdpSocket<M>>;
}

/** `IoEngine_UDP_Bind`. */
export interface UdpBind<M extends Mode> {
  /** Binds `socket` to `address` (port 0 picks a free port); returns the bound address. */
  bindUdp(socket: UdpSocket<M>, address: AddressLike): Ret<M, SocketAddress>;
}

/**
 * `IoEngine_UDP_Send`. A buffer from the engine's own provider is consumed by
 * the send: the engine takes it back once transmitted (as DPDK frees an mbuf
 * after transmission), so a traffic generator needs only `getBuffer` and
 * `send`; the caller must not touch or recycle it afterwards. Any other
 * source (a Uint8Array, an InputBuffer, a buffer of another pool) stays the
 * caller's.
 */
export interface UdpSend<M extends Mode> {
  /** Sends one datagram; returns the bytes sent. */
  send(socket: UdpSocket<M>, data: ByteSource, to: AddressLike, options?: OpOptions): Ret<M, number>;
}

/** Receiving datagrams. */
export interface UdpRecv<M extends Mode> {
  /** Receives one datagram into `out`'s free space (waits for one). */
  recv(socket: UdpSocket<M>, out: OutputBuffer, options?: OpOptions): Ret<M, Received>;
}

/** `IoEngine_UDP_Close`. */
export interface UdpClose<M extends Mode> {
  /** Closes `socket` (same as `socket.close()`). */
  closeUdp(socket: UdpSocket<M>): Ret<M, void>;
}

/** Batch UDP: many datagrams per call (`sendmmsg`/`recvmmsg`, DPDK bursts). */
export interface UdpBatch<M extends Mode> {
  /**
   * Sends the datagrams in order; returns how many were sent (a prefix).
   * Engine buffers among them are consumed as by `send`, sent or not.
   */
  sendMany(socket: UdpSocket<M>, datagrams: readonly Outgoing[], options?: OpOptions): Ret<M, number>;
  /** Receives up to `buffers.length` datagrams, at least one (waits for the first). */
  recvMany(socket: UdpSocket<M>, buffers: readonly OutputBuffer[], options?: OpOptions): Ret<M, ReceivedBatch>;
}

/** `IoEngine_UDP_Basic`: create, bind and close. */
export interface UdpBasic<M extends Mode> extends UdpSocketCreate<M>, UdpBind<M>, UdpClose<M> {}
