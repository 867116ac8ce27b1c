import {
  type AddressLike,
  type AsyncTcpListener,
  type ByteSource,
  checkOptions,
  type InputBuffer,
  IoError,
  invalidArg,
  lendSource,
  lendTarget,
  type Mode,
  type OutputBuffer,
  READ_OPTION_KEYS,
  type ReadOptions,
  type Ret,
  readFillingVia,
  type SocketAddress,
  settleSource,
  settleTarget,
  type TcpConnectOptions,
  type TcpListener,
  type TcpListenOptions,
  type TcpStream,
  WRITE_OPTION_KEYS,
  type WriteOptions,
  writeAllVia,
} from '@binio/core';
import { checkSignal, ioOptions } from '@binio/engine-posix/file';
import {
  E,
  errnoError,
  IPPROTO,
  MSG,
  SHUT,
  SO,
  SOCK,
  SOL_SOCKET,
  TCP,
} from '@binio/engine-posix/linux';
import {
  bindFd,
  discardFd,
  encodeSockaddr,
  familyNumber,
  listenFd,
  localName,
  openSocket,
  peerName,
  SOCKADDR_MAX,
  toAddress,
} from '@binio/engine-posix/socket';
import type { UringCore } from '../engine/core.js';
import { Kind } from '../engine/slots.js';
import { errno, setsockopt } from '../sys/libc.js';
import { addressOf, Scratch } from '../sys/memory.js';
import { ACCEPT_MULTISHOT, Op } from '../uring/abi.js';
import { AcceptIterator } from './accept.js';
import type { UringBufferRing } from './buffer-ring.js';
import { type ChunkIterator, type ReceiveChunksOptions, receiveChunks } from './recv-ring.js';
import { sendZeroCopy, type ZeroCopyOptions, zeroCopyIdle } from './send-zc.js';

/*
 * TCP over the ring: CONNECT, ACCEPT (single and multishot), SEND, RECV,
 * SHUTDOWN and CLOSE are io_uring operations; socket(), bind(), listen()
 * and the name queries are plain calls (engine-posix's building blocks),
 * done once per socket.
 */

/** Anything the engine closes when it closes: streams, listeners, datagram sockets. */
export interface OpenSocket {
  close(): unknown;
}

/** What a socket needs from its engine. */
export interface SocketHost {
  readonly core: UringCore;
  /** The registered-buffer index of an engine buffer (−1 for any other memory). */
  registeredIndex(data: unknown): number;
  /** Tracks an open socket (closed with the engine). */
  adopt(h: OpenSocket): void;
  /** Stops tracking it. */
  forget(h: OpenSocket): void;
}

/** The connection-oriented socket types: byte streams, and Unix's records (`SOCK_SEQPACKET`). */
export type StreamType = 'stream' | 'seqpacket';

const one = new Scratch(4);
function setIntOption(fd: number, level: number, name: number, value: number, what: string): void {
  one.view.setInt32(0, value, true);
  if (setsockopt(fd, level, name, one.address, 4) < 0)
    throw errnoError(errno(), { syscall: `setsockopt(${what})`, engine: 'uring' });
}

/** `EBADF` for an operation on a closed socket, before anything reaches the kernel. */
export function closedError(op: string): IoError {
  return new IoError({
    code: 'EBADF',
    errno: E.EBADF,
    syscall: op,
    engine: 'uring',
    message: `EBADF: cannot ${op}: the socket is closed`,
  });
}

function noOffset(options: { offset?: unknown } | undefined, op: string): void {
  if (options?.offset !== undefined) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `${op} on a socket takes no offset (streams have no position)`,
    );
  }
}

const SHUT_HOW = { read: SHUT.SHUT_RD, write: SHUT.SHUT_WR, both: SHUT.SHUT_RDWR } as const;

/**
 * A connected stream socket on the uring engine: TCP, or a Unix stream or
 * seqpacket socket (the operations do not depend on the address family).
 */
export class UringTcpStream<M extends Mode> implements TcpStream<M> {
  readonly mode: M;
  /** `'stream'`, or `'seqpacket'` (Unix records: a read takes at most one record). */
  readonly type: StreamType;
  readonly capabilities = new Set<never>();
  readonly localAddress: SocketAddress;
  readonly remoteAddress: SocketAddress;
  /** @internal */
  _fd: number;
  readonly #host: SocketHost;
  readonly #sync: boolean;

  /** @internal */
  constructor(
    mode: M,
    fd: number,
    local: SocketAddress,
    remote: SocketAddress,
    host: SocketHost,
    type: StreamType = 'stream',
  ) {
    this.mode = mode;
    this.type = type;
    this._fd = fd;
    this.localAddress = local;
    this.remoteAddress = remote;
    this.#host = host;
    this.#sync = mode === 'sync';
  }

  /** The descriptor, or −1 once closed. */
  get fd(): number {
    return this._fd;
  }

  get closed(): boolean {
    return this._fd < 0;
  }

  /** One RECV into `out`'s free space; 0 when the peer has shut down its side. */
  readInto(out: OutputBuffer, options?: ReadOptions): Ret<M, number> {
    noOffset(options, 'readInto');
    const { max, retries, signal } = ioOptions(options, READ_OPTION_KEYS, 'recv');
    if (this._fd < 0) throw closedError('recv');
    const bytes = lendTarget(out, max);
    if (bytes.byteLength === 0) {
      settleTarget(out, 0);
      return (this.#sync ? 0 : Promise.resolve(0)) as Ret<M, number>;
    }
    const core = this.#host.core;
    // The engine gives `out` back once the operation is done (or refused).
    const p = core.runLent(
      Kind.READ_OUT,
      Op.RECV,
      this._fd,
      false,
      addressOf(bytes),
      bytes.byteLength,
      0,
      out,
      retries,
      signal,
      0,
      -1,
      this.remoteAddress.toString(),
    );
    if (p !== undefined) return p as Ret<M, number>;
    return core.later(() => this.readInto(out, options) as Promise<number>) as Ret<M, number>;
  }

  /** Reads until `out` is full or the peer shuts down. */
  readFilling(out: OutputBuffer, options?: ReadOptions): Ret<M, number> {
    noOffset(options, 'readFilling');
    ioOptions(options, READ_OPTION_KEYS, 'recv');
    if (this._fd < 0) throw closedError('recv');
    return readFillingVia(this.mode, out, options, (b, o) => this.readInto(b, o));
  }

  /** One SEND (MSG_NOSIGNAL: a closed peer is EPIPE, not a signal); returns the bytes sent. */
  write(data: ByteSource, options?: WriteOptions): Ret<M, number> {
    noOffset(options, 'write');
    const { max, retries, signal } = ioOptions(options, WRITE_OPTION_KEYS, 'send');
    if (this._fd < 0) throw closedError('send');
    const all = lendSource(data);
    const bytes = max < all.byteLength ? all.subarray(0, max) : all;
    if (bytes.byteLength === 0) {
      settleSource(data, 0);
      return (this.#sync ? 0 : Promise.resolve(0)) as Ret<M, number>;
    }
    const core = this.#host.core;
    // The engine gives `data` back once the operation is done (or refused).
    const p = core.runLent(
      Kind.WRITE_SRC,
      Op.SEND,
      this._fd,
      false,
      addressOf(bytes),
      bytes.byteLength,
      0,
      data,
      retries,
      signal,
      MSG.MSG_NOSIGNAL,
      -1,
      this.remoteAddress.toString(),
    );
    if (p !== undefined) return p as Ret<M, number>;
    return core.later(() => this.write(data, options) as Promise<number>) as Ret<M, number>;
  }

  /** Sends everything, looping over partial sends. */
  writeAll(data: ByteSource, options?: WriteOptions): Ret<M, void> {
    noOffset(options, 'writeAll');
    ioOptions(options, WRITE_OPTION_KEYS, 'send');
    if (this._fd < 0) throw closedError('send');
    return writeAllVia(this.mode, data, options, (src: InputBuffer, o) => this.write(src, o));
  }

  /**
   * One SEND_ZC: the kernel sends from `data`'s memory without copying it.
   * Returns the bytes sent; `data` (an engine buffer) stays in flight until
   * the kernel's notification says it let go of the pages ({@link zeroCopyIdle}).
   * ERR_UNSUPPORTED when the kernel lacks SEND_ZC.
   */
  sendZeroCopy(data: ByteSource, options?: ZeroCopyOptions): Ret<M, number> {
    if (this._fd < 0) throw closedError('send_zc');
    const where = this.remoteAddress.toString();
    const fixed = this.#host.registeredIndex(data);
    return sendZeroCopy(this.#host.core, this, this._fd, data, options, where, fixed) as Ret<
      M,
      number
    >;
  }

  /** Waits until every zero-copy send's buffer on this stream is back (settled). */
  zeroCopyIdle(): Ret<M, void> {
    return zeroCopyIdle(this.#host.core, this) as Ret<M, void>;
  }

  /**
   * Received data as it comes, from one multishot RECV taking buffers from
   * `ring`: each chunk is a view of a ring buffer (no copy), back in the
   * ring once `ring.recycle(chunk)`. An async iterable in async mode; in
   * sync mode a sync iterable whose `next()` waits inside the ring. Ends at
   * EOF, on `break`, on the signal, or when the stream closes.
   */
  receiveChunks(ring: UringBufferRing, options?: ReceiveChunksOptions): ChunkIterator<M> {
    if (this._fd < 0) throw closedError('recv');
    const where = this.remoteAddress.toString();
    return receiveChunks(
      this.#host.core,
      this,
      this._fd,
      ring,
      options,
      where,
      () => this._fd < 0,
    ) as ChunkIterator<M>;
  }

  /** Half-closes (SHUTDOWN): `'write'` sends FIN, `'read'`, or `'both'`. */
  shutdown(how: 'read' | 'write' | 'both' = 'both'): Ret<M, void> {
    const h = SHUT_HOW[how as keyof typeof SHUT_HOW];
    if (h === undefined)
      throw invalidArg(
        'ERR_INVALID_ARG_VALUE',
        `how must be 'read', 'write' or 'both', got ${String(how)}`,
      );
    if (this._fd < 0) throw closedError('shutdown');
    const r = this.#host.core.simple(
      Op.SHUTDOWN,
      this._fd,
      0,
      h,
      0,
      0,
      undefined,
      this.remoteAddress.toString(),
    );
    return (this.#sync ? undefined : (r as Promise<number>).then(() => undefined)) as Ret<M, void>;
  }

  /** Closes the socket (CLOSE); twice is a no-op. */
  close(): Ret<M, void> {
    const fd = this._fd;
    if (fd < 0) return (this.#sync ? undefined : Promise.resolve()) as Ret<M, void>;
    this._fd = -1;
    this.#host.forget(this);
    // Cancels a RECV or SEND still waiting: closing the descriptor alone would not end it.
    return this.#host.core.closeFd(fd, true) as Ret<M, void>;
  }
}

/** A listening TCP socket; in async mode also an async iterable of connections (multishot ACCEPT). */
export class UringTcpListener<M extends Mode>
  implements TcpListener<M>, AsyncIterable<TcpStream<'async'>>
{
  readonly mode: M;
  /** The type of the streams it accepts. */
  readonly type: StreamType;
  readonly capabilities = new Set<never>();
  readonly localAddress: SocketAddress;
  /** @internal */
  _fd: number;
  readonly #host: SocketHost;
  /** Connections a multishot accept took that nobody asked for yet. */
  readonly #ready: number[] = [];

  /** @internal */
  constructor(
    mode: M,
    fd: number,
    local: SocketAddress,
    host: SocketHost,
    type: StreamType = 'stream',
  ) {
    this.mode = mode;
    this.type = type;
    this._fd = fd;
    this.localAddress = local;
    this.#host = host;
  }

  get closed(): boolean {
    return this._fd < 0;
  }

  /** Waits for and returns the next connection (ACCEPT). */
  accept(options?: { signal?: AbortSignal }): Ret<M, TcpStream<M>> {
    const o = checkOptions(options, ['signal'], 'accept');
    const signal = checkSignal(o.signal, 'accept');
    if (this._fd < 0) throw closedError('accept');
    const queued = this.#ready.shift();
    if (queued !== undefined) {
      const s = this._wrap(queued);
      return (this.mode === 'sync' ? s : Promise.resolve(s)) as unknown as Ret<M, TcpStream<M>>;
    }
    const core = this.#host.core;
    const r = core.run(
      Kind.VALUE,
      Op.ACCEPT,
      this._fd,
      false,
      0,
      0,
      0,
      undefined,
      Number.POSITIVE_INFINITY,
      signal,
      SOCK.SOCK_CLOEXEC,
      -1,
      this.localAddress.toString(),
    );
    if (this.mode === 'sync') return this._wrap(r as number) as unknown as Ret<M, TcpStream<M>>;
    if (r === undefined)
      return core.later(() => this.accept(options) as Promise<TcpStream<M>>) as Ret<
        M,
        TcpStream<M>
      >;
    return (r as Promise<number>).then(
      (fd) => this._wrap(fd),
      (e: unknown) => {
        // Cancelled because the listener was closed meanwhile.
        throw this._fd < 0 && e instanceof IoError && e.code === 'ECANCELED'
          ? closedError('accept')
          : e;
      },
    ) as unknown as Ret<M, TcpStream<M>>;
  }

  /** @internal Turns an accepted descriptor into a stream (closing it if that fails). */
  _wrap(fd: number): UringTcpStream<M> {
    try {
      const s = new UringTcpStream(
        this.mode,
        fd,
        localName(fd)!,
        peerName(fd)!,
        this.#host,
        this.type,
      );
      this.#host.adopt(s);
      return s;
    } catch (e) {
      discardFd(fd);
      throw e;
    }
  }

  /**
   * Connections as they come, from one multishot ACCEPT (one SQE for any
   * number of connections). Breaking out of the loop cancels it; closing
   * the listener ends the iteration.
   */
  [Symbol.asyncIterator](): AsyncIterator<TcpStream<'async'>> {
    if (this.mode !== 'async') {
      throw new IoError({
        code: 'ERR_INVALID_STATE',
        engine: 'uring',
        message: 'Iterating connections needs an async engine; call accept() in sync mode',
      });
    }
    if (this._fd < 0) throw closedError('accept');
    return new AcceptIterator(
      this.#host.core,
      this._fd,
      ACCEPT_MULTISHOT,
      (fd) => this._wrap(fd) as unknown as TcpStream<'async'>,
      this.localAddress.toString(),
      this.#ready,
      (fd) => {
        if (this._fd < 0) discardFd(fd);
        else this.#ready.push(fd);
      },
      () => this._fd < 0,
    );
  }

  /** Closes the listener (and connections accepted but never taken); twice is a no-op. */
  close(): Ret<M, void> {
    const fd = this._fd;
    if (fd < 0) return (this.mode === 'sync' ? undefined : Promise.resolve()) as Ret<M, void>;
    this._fd = -1;
    this.#host.forget(this);
    for (const queued of this.#ready.splice(0)) discardFd(queued);
    // Cancels the accepts (single and multishot) still armed on it: closing the
    // descriptor alone would leave them waiting for good.
    return this.#host.core.closeFd(fd, true) as Ret<M, void>;
  }
}

function checkBool(v: unknown, name: string): boolean | undefined {
  if (v !== undefined && typeof v !== 'boolean')
    throw invalidArg('ERR_INVALID_ARG_TYPE', `${name} must be a boolean`);
  return v as boolean | undefined;
}

function inet(address: AddressLike): SocketAddress {
  const a = toAddress(address);
  if (a.family !== 'ipv4' && a.family !== 'ipv6') {
    throw invalidArg(
      'ERR_INVALID_ADDRESS',
      `TCP needs an IPv4 or IPv6 address, got ${a.toString()}`,
    );
  }
  return a;
}

/** The socket type number of a stream type. */
function sockType(type: StreamType): number {
  return type === 'seqpacket' ? SOCK.SOCK_SEQPACKET : SOCK.SOCK_STREAM;
}

/** CONNECT on a new socket; TCP_NODELAY on unless `noDelay: false`. */
export function connectTcp<M extends Mode>(
  host: SocketHost,
  mode: M,
  address: AddressLike,
  options?: TcpConnectOptions,
): Ret<M, TcpStream<M>> {
  const o = checkOptions(options, ['noDelay', 'signal'], 'connectTcp');
  const noDelay = checkBool(o.noDelay, 'noDelay') ?? true;
  const signal = checkSignal(o.signal, 'connect');
  const to = inet(address);
  return connectStream(host, mode, to, 'stream', signal, (fd) => {
    if (noDelay) setIntOption(fd, IPPROTO.IPPROTO_TCP, TCP.TCP_NODELAY, 1, 'TCP_NODELAY');
  }) as unknown as Ret<M, TcpStream<M>>;
}

/**
 * CONNECT on a new socket of `to`'s family (TCP or Unix) and `type`;
 * `setup` runs on the descriptor first. Any failure closes it.
 */
export function connectStream<M extends Mode>(
  host: SocketHost,
  mode: M,
  to: SocketAddress,
  type: StreamType,
  signal: AbortSignal | undefined,
  setup: (fd: number) => void,
): Ret<M, UringTcpStream<M>> {
  const core = host.core;
  core.assertOpen('connect');
  core.require(Op.CONNECT);
  // A blocking socket: io_uring never blocks the thread on it (it arms a
  // poll), and sync mode waits inside io_uring_enter.
  const fd = openSocket(familyNumber(to), sockType(type), 0, false);
  let sa: Scratch;
  let len: number;
  try {
    setup(fd);
    sa = new Scratch(SOCKADDR_MAX);
    len = encodeSockaddr(to, sa.bytes, 0);
  } catch (e) {
    discardFd(fd);
    throw e;
  }
  const finish = () => {
    const s = new UringTcpStream(mode, fd, localName(fd)!, to, host, type);
    host.adopt(s);
    return s;
  };
  const where = to.toString();
  // CONNECT takes the address length in `off`.
  const issue = (): number | Promise<number> | undefined =>
    core.run(
      Kind.VALUE,
      Op.CONNECT,
      fd,
      false,
      sa.address,
      0,
      len,
      sa,
      Number.POSITIVE_INFINITY,
      signal,
      0,
      -1,
      where,
    );
  if (mode === 'sync') {
    try {
      issue();
      return finish() as Ret<M, UringTcpStream<M>>;
    } catch (e) {
      discardFd(fd);
      throw e;
    }
  }
  let p: Promise<number> | undefined;
  try {
    p = issue() as Promise<number> | undefined;
  } catch (e) {
    discardFd(fd);
    throw e;
  }
  const pending = p ?? core.later(() => issue() as Promise<number>);
  return pending.then(finish, (e) => {
    discardFd(fd);
    throw e;
  }) as Ret<M, UringTcpStream<M>>;
}

/** Checks a listen backlog: an integer in [0, 65535], default 511. */
export function backlogOf(value: unknown): number {
  const backlog = value ?? 511;
  if (typeof backlog !== 'number' || !Number.isInteger(backlog) || backlog < 0 || backlog > 65535) {
    throw invalidArg(
      'ERR_OUT_OF_RANGE',
      `backlog must be an integer in [0, 65535], got ${String(backlog)}`,
    );
  }
  return backlog;
}

/** socket, SO_REUSEADDR (default on), bind, listen. */
export function listenTcp<M extends Mode>(
  host: SocketHost,
  mode: M,
  address: AddressLike,
  options?: TcpListenOptions,
): Ret<M, M extends 'async' ? AsyncTcpListener : TcpListener<M>> {
  const o = checkOptions(options, ['backlog', 'reuseAddress', 'reusePort'], 'listenTcp');
  const backlog = backlogOf(o.backlog);
  const reuseAddress = checkBool(o.reuseAddress, 'reuseAddress') ?? true;
  const reusePort = checkBool(o.reusePort, 'reusePort') ?? false;
  const at = inet(address);
  const l = listenStream(host, mode, at, 'stream', backlog, (fd) => {
    if (reuseAddress) setIntOption(fd, SOL_SOCKET, SO.SO_REUSEADDR, 1, 'SO_REUSEADDR');
    if (reusePort) setIntOption(fd, SOL_SOCKET, SO.SO_REUSEPORT, 1, 'SO_REUSEPORT');
  });
  type L = M extends 'async' ? AsyncTcpListener : TcpListener<M>;
  return (mode === 'sync' ? l : Promise.resolve(l)) as unknown as Ret<M, L>;
}

/**
 * socket of `at`'s family (TCP or Unix) and `type`, `setup`, bind, listen;
 * any failure closes the descriptor.
 */
export function listenStream<M extends Mode>(
  host: SocketHost,
  mode: M,
  at: SocketAddress,
  type: StreamType,
  backlog: number,
  setup: (fd: number) => void,
): UringTcpListener<M> {
  host.core.assertOpen('listen');
  host.core.require(Op.ACCEPT);
  const fd = openSocket(familyNumber(at), sockType(type), 0, false);
  let l: UringTcpListener<M>;
  try {
    setup(fd);
    bindFd(fd, at);
    listenFd(fd, backlog);
    l = new UringTcpListener(mode, fd, localName(fd)!, host, type);
  } catch (e) {
    discardFd(fd);
    throw e;
  }
  host.adopt(l);
  return l;
}
