import {
  type AddressLike,
  type ByteSource,
  checkOptions,
  IoError,
  invalidArg,
  type Mode,
  type Ret,
  type SocketAddress,
} from '@binio/core';
import { AF, SOCK } from '@binio/engine-posix/linux';
import {
  applyUdpOptions,
  bindFd,
  checkUdpOptions,
  type DatagramHandle,
  mapToIPv6,
  openSocketState,
  PosixUdpSocket,
  PosixUnixDatagramSocket,
  type SocketKind,
  type SocketState,
  toAddress,
  type UdpOpenOptions,
} from '@binio/engine-posix/socket';
import type { UringBufferRing } from './buffer-ring.js';
import type { MsgBlocks } from './msg-blocks.js';
import type { ChunkIterator, ReceiveChunksOptions } from './recv-ring.js';
import { type DatagramChunk, receiveDatagrams } from './recvmsg-ring.js';
import type { SocketHost } from './tcp.js';

/*
 * Datagram sockets (UDP, UDP-Lite, Unix datagram) of the uring engine. The
 * handles are engine-posix's (its SocketState, typed options, names and
 * destination checks); socket(), setsockopt() and bind() are its plain
 * calls, done once per socket; every send and receive is a SENDMSG or
 * RECVMSG on the ring (datagram-io.ts, datagram-batch.ts).
 */

/** What datagram sockets need from their engine beyond a stream's {@link SocketHost}. */
export interface DatagramHost extends SocketHost {
  /** Message blocks for SENDMSG/RECVMSG in flight. */
  readonly blocks: MsgBlocks;
  /** Gives an engine buffer a send consumed back to the pool (core's rule for sends). */
  consume(data: ByteSource): void;
}

/**
 * Closes a datagram socket of this engine: requests waiting on it in the
 * ring are cancelled first (a request holds its own reference to the
 * socket, so closing the descriptor alone would never end a RECVMSG), then
 * engine-posix's state closes the descriptor. Closing twice is a no-op.
 */
function closeDatagram(host: SocketHost, handle: DatagramHandle<Mode>): void | Promise<void> {
  const state = handle._state;
  if (!state.closed) {
    host.core.cancelOnFd(state.fd);
    host.forget(handle);
  }
  const r = state.close();
  return state.mode === 'async' ? (r ?? Promise.resolve()) : undefined;
}

/** A UDP (or UDP-Lite) socket of the uring engine; send and receive through the engine. */
export class UringUdpSocket<M extends Mode> extends PosixUdpSocket<M> {
  /** @internal */
  readonly _host: DatagramHost;

  /** @internal made by the engine's createUdpSocket */
  constructor(state: SocketState, host: DatagramHost) {
    super(state);
    this._host = host;
  }

  /** Closes the socket; a receive waiting on it fails with `EBADF`. Twice is a no-op. */
  override close(): Ret<M, void> {
    return closeDatagram(this._host, this as DatagramHandle<Mode>) as Ret<M, void>;
  }

  /**
   * Datagrams as they come, from one multishot RECVMSG taking buffers from
   * `ring`: each chunk's `bytes` is the payload in the ring's memory (no
   * copy), with `from` and `truncated`; back in the ring once
   * `ring.recycle(chunk)`. Async iterable in async mode, sync iterable in sync mode.
   */
  receiveChunks(
    ring: UringBufferRing,
    options?: ReceiveChunksOptions,
  ): ChunkIterator<M, DatagramChunk> {
    return receiveDatagrams(this._host, this, ring, options);
  }
}

/** A Unix datagram socket of the uring engine; send and receive through the engine. */
export class UringUnixDatagramSocket<M extends Mode> extends PosixUnixDatagramSocket<M> {
  /** @internal */
  readonly _host: DatagramHost;

  /** @internal made by the engine's createUnixDatagram */
  constructor(state: SocketState, host: DatagramHost) {
    super(state);
    this._host = host;
  }

  /** Closes the socket; a receive waiting on it fails with `EBADF`. Twice is a no-op. */
  override close(): Ret<M, void> {
    return closeDatagram(this._host, this as DatagramHandle<Mode>) as Ret<M, void>;
  }

  /**
   * Datagrams as they come, from one multishot RECVMSG taking buffers from
   * `ring`: each chunk's `bytes` is the payload in the ring's memory (no
   * copy), with `from` and `truncated`; back in the ring once
   * `ring.recycle(chunk)`. Async iterable in async mode, sync iterable in sync mode.
   */
  receiveChunks(
    ring: UringBufferRing,
    options?: ReceiveChunksOptions,
  ): ChunkIterator<M, DatagramChunk> {
    return receiveDatagrams(this._host, this, ring, options);
  }
}

/** Any datagram socket of this engine. */
export type UringDatagramSocket<M extends Mode> = UringUdpSocket<M> | UringUnixDatagramSocket<M>;

/** Options of `createUdpSocket`: engine-posix's shared ones (family, protocol, socket options). */
export type UringUdpSocketOptions = UdpOpenOptions;

// A blocking socket: io_uring never blocks the thread on it (it arms a poll),
// and sync mode waits inside io_uring_enter. Any failure in `setup` closes it.
function opened<T>(
  mode: Mode,
  domain: number,
  protocol: number,
  kind: SocketKind,
  family: 'ipv4' | 'ipv6' | 'unix',
  setup: (state: SocketState) => T,
): T {
  const spec = { domain, type: SOCK.SOCK_DGRAM, protocol, mode, kind, family };
  return openSocketState({ ...spec, nonBlocking: false, surfaceWouldBlock: false }, setup);
}

/** `createUdpSocket`: options checked whole, socket, then the options set (engine-posix's rules). */
export function openUdp<M extends Mode>(
  host: DatagramHost,
  mode: M,
  options: UringUdpSocketOptions | undefined,
): UringUdpSocket<M> {
  const plan = checkUdpOptions(options);
  host.core.assertOpen('create a UDP socket');
  const socket = opened(mode, plan.domain, plan.protocol, plan.kind, plan.family, (state) => {
    applyUdpOptions(state, plan.options);
    return new UringUdpSocket<M>(state, host);
  });
  host.adopt(socket);
  return socket;
}

/** `createUnixDatagram`: a Unix datagram socket, bound to `bind` when given. */
export function openUnixDatagram<M extends Mode>(
  host: DatagramHost,
  mode: M,
  options: { bind?: AddressLike } | undefined,
): UringUnixDatagramSocket<M> {
  const o = checkOptions(options, ['bind'], 'createUnixDatagram');
  const local = o.bind === undefined ? undefined : unixAddress(o.bind, 'createUnixDatagram');
  host.core.assertOpen('create a Unix datagram socket');
  const socket = opened(mode, AF.AF_UNIX, 0, 'unix-dgram', 'unix', (state) => {
    const s = new UringUnixDatagramSocket<M>(state, host);
    if (local !== undefined) {
      bindFd(state.fd, local);
      s._bound = true;
    }
    return s;
  });
  host.adopt(socket);
  return socket;
}

/** Parses a Unix address (`'/path'` or `'@abstract'`), refusing IP ones. */
export function unixAddress(address: AddressLike, what: string): SocketAddress {
  const a = toAddress(address);
  if (a.family !== 'unix') {
    throw invalidArg(
      'ERR_INVALID_ADDRESS',
      `${what} takes a Unix address ('/path' or '@name'), got '${a}'`,
    );
  }
  return a;
}

/**
 * The datagram socket `socket` as one of this engine's (refusing another
 * engine's handle before anything is done with it).
 */
export function datagramOf(
  host: DatagramHost,
  socket: unknown,
  what: string,
): UringDatagramSocket<Mode> {
  if (
    (socket instanceof UringUdpSocket || socket instanceof UringUnixDatagramSocket) &&
    socket._host === host
  ) {
    return socket;
  }
  throw invalidArg('ERR_INVALID_ARG_VALUE', `${what} takes a datagram socket of this uring engine`);
}

/** `bind`: the address must match the socket's family (IPv4 binds IPv4-mapped on an IPv6 socket). */
export function bindDatagram(
  host: DatagramHost,
  socket: unknown,
  address: AddressLike,
): SocketAddress {
  const handle = datagramOf(host, socket, 'bindUdp');
  const state = handle._state;
  const fd = state.check('bind');
  let a = toAddress(address);
  if (state.family === 'ipv6' && a.family === 'ipv4') a = mapToIPv6(a as never);
  if (a.family !== state.family) {
    throw new IoError({
      code: 'ERR_INVALID_ADDRESS',
      engine: 'uring',
      address: String(a),
      message: `bind: an ${state.family} ${state.what} cannot bind to ${a.family} address '${a}'`,
    });
  }
  bindFd(fd, a);
  handle._bound = true;
  return handle.localAddress!;
}
