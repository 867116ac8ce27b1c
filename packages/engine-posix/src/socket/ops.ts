import {
  type AddressLike,
  abortError,
  type BufferList,
  type ByteSource,
  type Capability,
  checkOptions,
  invalidArg,
  type Mode,
  type OpOptions,
  type Outgoing,
  type OutputBuffer,
  type Received,
  type Ret,
  type SocketAddress,
  type TcpConnect,
  type TcpConnectOptions,
  type TcpListen,
  type TcpListenOptions,
  type UdpBatch,
  type UdpBind,
  type UdpClose,
  type UdpRecv,
  type UdpSend,
  type UdpSocket,
  type UdpSocketCreate,
  UnixSocketAddress,
} from '@binio/core';
import { engineClosedError } from '../file/errors.js';
import { AF, SOCK } from '../linux/socket-constants.js';
import { checkBacklog, connectSocket } from './connect.js';
import { bindFd, listenFd, localName, openSocketPair } from './create.js';
import {
  DatagramHandle,
  type DatagramSocket,
  PosixUdpSocket,
  PosixUnixDatagramSocket,
} from './datagram.js';
import { type ReceivedDatagrams, recvBatch, recvOne, sendBatch, sendOne } from './datagram-io.js';
import { foreignHandle } from './errors.js';
import { SocketHandle } from './handle.js';
import { PosixListener } from './listener.js';
import {
  type MessageIn,
  type MessageOut,
  type RecvMsgOptions,
  receiveMessage,
  sendMessage,
} from './message-io.js';
import { setOption } from './options.js';
import { inMode } from './ret.js';
import { toAddress } from './sockaddr.js';
import { openSocketState, type SocketKind, SocketState } from './state.js';
import { PosixStream } from './stream.js';
import { SocketTracker } from './tracker.js';
import { applyUdpOptions, checkUdpOptions, type UdpOpenOptions } from './udp-options.js';

/** The capabilities the socket half implements (the engine adds them to its list). */
export const SOCKET_CAPABILITIES: readonly Capability[] = [
  'udp.socket',
  'udp.bind',
  'udp.send',
  'udp.recv',
  'udp.close',
  'udp.batch',
  'tcp.connect',
  'tcp.listen',
];

/** Options of `createUdpSocket`: the shared ones, plus the posix extras. */
export interface PosixUdpSocketOptions extends UdpOpenOptions {
  /** Fail with `EAGAIN` instead of waiting when an operation would block. */
  nonBlocking?: boolean;
}

/** Options of `connectTcp`: core's plus the posix extras. */
export interface PosixConnectOptions extends TcpConnectOptions {
  /** Bind to this address before connecting (choose the source address or port). */
  localAddress?: AddressLike;
  /** The stream's operations fail with `EAGAIN` instead of waiting (the connect itself still completes). */
  nonBlocking?: boolean;
}

/** Options of `listenTcp`: core's plus the posix extras. */
export interface PosixListenOptions extends TcpListenOptions {
  /** `IPV6_V6ONLY` on an IPv6 listener. */
  v6Only?: boolean;
  /** `accept` and the accepted streams fail with `EAGAIN` instead of waiting. */
  nonBlocking?: boolean;
}

/** The Unix socket types with connections. */
export type UnixStreamType = 'stream' | 'seqpacket';

/** Options of `connectUnix`. */
export interface UnixConnectOptions {
  /** `'stream'` (default) or `'seqpacket'` (reliable records). */
  type?: UnixStreamType;
  /** Abort the connect (async mode). */
  signal?: AbortSignal;
  /** The stream's operations fail with `EAGAIN` instead of waiting. */
  nonBlocking?: boolean;
}

/** Options of `listenUnix`. */
export interface UnixListenOptions {
  /** `'stream'` (default) or `'seqpacket'`. */
  type?: UnixStreamType;
  /** Backlog (default 511). */
  backlog?: number;
  /** `accept` and the accepted streams fail with `EAGAIN` instead of waiting. */
  nonBlocking?: boolean;
}

/** Options of `createUnixDatagram`. */
export interface UnixDatagramOptions {
  /** Bind to this path or abstract name (`'@name'`); without it the socket is unnamed. */
  bind?: AddressLike;
  /** Fail with `EAGAIN` instead of waiting. */
  nonBlocking?: boolean;
}

const CONNECT_KEYS = ['noDelay', 'signal', 'localAddress', 'nonBlocking'] as const;
const LISTEN_KEYS = ['backlog', 'reuseAddress', 'reusePort', 'v6Only', 'nonBlocking'] as const;

function checkBool(value: unknown, name: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') {
    throw invalidArg('ERR_INVALID_ARG_TYPE', `${name} must be a boolean, got ${typeof value}`);
  }
  return value as boolean | undefined;
}

function unixType(type: unknown): number {
  if (type === undefined || type === 'stream') return SOCK.SOCK_STREAM;
  if (type === 'seqpacket') return SOCK.SOCK_SEQPACKET;
  if (type === 'dgram') return SOCK.SOCK_DGRAM;
  throw invalidArg(
    'ERR_INVALID_ARG_VALUE',
    `type must be 'stream' or 'seqpacket', got ${String(type)}`,
  );
}

/**
 * The sockets half of the posix engine: UDP (and UDP-Lite) with batch IO,
 * TCP, and Unix stream, datagram and seqpacket sockets, in one mode. In
 * `'sync'` mode every call is a blocking system call (a `recv` waits in the
 * kernel). In `'async'` mode sockets are non-blocking: each operation is
 * tried at once on the main thread and, when it would block, waits in
 * `poll(2)` on the libuv thread pool (one pool thread per waiting operation;
 * the pool has 4 by default, shared with fs and dns, so many idle waiting
 * sockets starve it: use the epoll engine for those). Abort signals and
 * close() wake a waiting operation.
 *
 * Bad input (a closed socket, a handle of another engine, a malformed
 * address, an absurd length, an unknown option) fails with an IoError
 * before any system call and leaves no descriptor or lent buffer behind.
 */
export class SocketOps<M extends Mode>
  implements
    UdpSocketCreate<M>,
    UdpBind<M>,
    UdpSend<M>,
    UdpRecv<M>,
    UdpClose<M>,
    UdpBatch<M>,
    TcpConnect<M>,
    TcpListen<M>
{
  /** The mode of every operation. */
  readonly mode: M;
  readonly #consume: ((data: ByteSource) => void) | undefined;
  readonly #tracker = new SocketTracker();
  #closed = false;

  /**
   * `consume`, when given, is called with every source a datagram send took
   * once the send settled in the kernel (sent or failed): the engine
   * recycles its own pool's buffers there.
   */
  constructor(options: { mode: M; consume?: (data: ByteSource) => void }) {
    if (typeof options !== 'object' || options === null) {
      throw invalidArg('ERR_INVALID_ARG_TYPE', "SocketOps takes { mode: 'sync' | 'async' }");
    }
    checkOptions(options, ['mode', 'consume'], 'SocketOps');
    if (options.mode !== 'sync' && options.mode !== 'async') {
      throw invalidArg(
        'ERR_INVALID_ARG_VALUE',
        `mode must be 'sync' or 'async', got ${String(options.mode)}`,
      );
    }
    if (options.consume !== undefined && typeof options.consume !== 'function') {
      throw invalidArg('ERR_INVALID_ARG_TYPE', 'consume must be a function');
    }
    this.mode = options.mode;
    this.#consume = options.consume;
  }

  /** Sockets this instance opened (accepted ones included) that are still open. */
  get openSockets(): number {
    return this.#tracker.size;
  }

  /**
   * Closes every socket this instance opened and that is still open (the
   * engine calls it from its own close()); async waiters are woken first.
   */
  closeAll(): Ret<M, void> {
    return inMode(this.mode, () => this.#tracker.closeAll());
  }

  /**
   * {@link closeAll}, and from then on every new socket is refused with
   * `ERR_CLOSED` (the engine's close()). Closing twice is a no-op.
   */
  close(): Ret<M, void> {
    this.#closed = true;
    return this.closeAll();
  }

  /** `ERR_CLOSED` before any socket call once {@link close} ran. */
  #checkOpen(): void {
    if (this.#closed) throw engineClosedError('open a socket');
  }

  // ---- UDP ----------------------------------------------------------------

  /** Creates an unbound UDP (or UDP-Lite) socket. */
  createUdpSocket(options?: PosixUdpSocketOptions): Ret<M, PosixUdpSocket<M>> {
    return inMode(this.mode, () => {
      // Checked whole before the socket exists: a refusal leaves nothing to close.
      const plan = checkUdpOptions(options, ['nonBlocking']);
      checkBool(plan.options.nonBlocking, 'nonBlocking');
      return this.#open(
        plan.domain,
        SOCK.SOCK_DGRAM,
        plan.protocol,
        plan.kind,
        plan.family,
        plan.options.nonBlocking === true,
        (state) => {
          // Checked by setOption before its setsockopt; a failure closes the socket.
          applyUdpOptions(state, plan.options);
          return new PosixUdpSocket<M>(state);
        },
      );
    });
  }

  /** Binds `socket` to `address` (port 0 picks a free port); returns the bound address. */
  bindUdp(
    socket: UdpSocket<M> | PosixUnixDatagramSocket<M>,
    address: AddressLike,
  ): Ret<M, SocketAddress> {
    return inMode(this.mode, () => {
      const handle = this.#datagram(socket, 'bindUdp');
      const fd = handle._state.check('bind');
      const a = this.#sameFamily(handle, toAddress(address), 'bind');
      bindFd(fd, a);
      handle._bound = true;
      return handle.localAddress!;
    });
  }

  /**
   * Connects a datagram socket: it then sends to `address` when no
   * destination is given and receives only from it.
   */
  connectUdp(
    socket: UdpSocket<M> | PosixUnixDatagramSocket<M>,
    address: AddressLike,
  ): Ret<M, void> {
    return inMode(this.mode, () => {
      const handle = this.#datagram(socket, 'connectUdp');
      handle._state.check('connect');
      const a = this.#sameFamily(handle, toAddress(address), 'connect');
      const r = connectSocket(handle._state, a, undefined);
      const done = () => {
        handle._peer = a;
        handle._bound = true;
      };
      return r instanceof Promise ? r.then(done) : done();
    });
  }

  /** Sends one datagram to `to` (or, with `to` undefined, to a connected socket's peer); returns the bytes sent. */
  send(
    socket: UdpSocket<M> | PosixUnixDatagramSocket<M>,
    data: ByteSource,
    to: AddressLike | undefined,
    options?: OpOptions,
  ): Ret<M, number> {
    return inMode(this.mode, () => sendOne(this.#datagram(socket, 'send'), data, to, options));
  }

  /** Receives one datagram into `out`'s free space (waits for one); a longer one is cut (`truncated`). */
  recv(
    socket: UdpSocket<M> | PosixUnixDatagramSocket<M>,
    out: OutputBuffer,
    options?: OpOptions,
  ): Ret<M, Received> {
    return inMode(this.mode, () => recvOne(this.#datagram(socket, 'recv'), out, options));
  }

  /**
   * Sends the datagrams in order with `sendmmsg` (at most 1024 per call);
   * returns how many were sent (a prefix). Destinations repeated from one
   * datagram to the next are encoded once.
   */
  sendMany(
    socket: UdpSocket<M> | PosixUnixDatagramSocket<M>,
    datagrams: readonly Outgoing[],
    options?: OpOptions,
  ): Ret<M, number> {
    if (this.mode === 'sync')
      return sendBatch(this.#datagram(socket, 'sendMany'), datagrams, options) as Ret<M, number>;
    return inMode(this.mode, () =>
      sendBatch(this.#datagram(socket, 'sendMany'), datagrams, options),
    );
  }

  /**
   * Receives up to `buffers.length` datagrams (at most 1024) with
   * `recvmmsg`, at least one (waits for the first); `truncated[i]` says
   * whether datagram `i` was cut.
   */
  recvMany(
    socket: UdpSocket<M> | PosixUnixDatagramSocket<M>,
    buffers: readonly OutputBuffer[],
    options?: OpOptions,
  ): Ret<M, ReceivedDatagrams> {
    if (this.mode === 'sync')
      return recvBatch(this.#datagram(socket, 'recvMany'), buffers, options) as Ret<
        M,
        ReceivedDatagrams
      >;
    return inMode(this.mode, () => recvBatch(this.#datagram(socket, 'recvMany'), buffers, options));
  }

  /** Closes `socket` (same as `socket.close()`). */
  closeUdp(socket: UdpSocket<M> | PosixUnixDatagramSocket<M>): Ret<M, void> {
    return inMode(this.mode, () => this.#datagram(socket, 'closeUdp').close());
  }

  // ---- any socket: sendmsg / recvmsg ---------------------------------------

  /** `sendmsg` on any socket: gathered data, a destination (datagrams), control messages (`SCM_RIGHTS`, …). */
  sendMsg(socket: SocketHandle<M>, message: MessageOut, options?: OpOptions): Ret<M, number> {
    return inMode(this.mode, () => sendMessage(this.#socket(socket, 'sendMsg'), message, options));
  }

  /** `recvmsg` on any socket: data, sender, truncation and control messages (received descriptors are the caller's to close). */
  recvMsg(
    socket: SocketHandle<M>,
    into: OutputBuffer | BufferList,
    options?: RecvMsgOptions,
  ): Ret<M, MessageIn> {
    return inMode(this.mode, () => receiveMessage(this.#socket(socket, 'recvMsg'), into, options));
  }

  // ---- TCP ------------------------------------------------------------------

  /** Connects to `address` (`TCP_NODELAY` on unless `noDelay: false`). */
  connectTcp(address: AddressLike, options?: PosixConnectOptions): Ret<M, PosixStream<M>> {
    return inMode(this.mode, () => {
      const o = checkOptions(options, CONNECT_KEYS, 'connectTcp');
      checkBool(o.noDelay, 'noDelay');
      checkBool(o.nonBlocking, 'nonBlocking');
      if (o.signal?.aborted) throw abortError(o.signal, 'connect');
      const remote = toAddress(address);
      if (remote.family === 'unix') {
        throw invalidArg(
          'ERR_INVALID_ARG_VALUE',
          `connectTcp takes an IP address, got Unix address '${remote}'; use connectUnix`,
        );
      }
      const local = o.localAddress === undefined ? undefined : toAddress(o.localAddress);
      if (local !== undefined && local.family !== remote.family) {
        throw invalidArg(
          'ERR_INVALID_ARG_VALUE',
          `localAddress '${local}' is not of the same family as '${remote}'`,
        );
      }
      return this.#connectStream(
        remote.family === 'ipv4' ? AF.AF_INET : AF.AF_INET6,
        SOCK.SOCK_STREAM,
        'tcp',
        remote,
        local,
        o.nonBlocking === true,
        o.signal,
        (state) => {
          if (o.noDelay !== false) setOption(state, 'noDelay', true);
        },
      );
    });
  }

  /** Binds and listens on `address` (port 0 picks one); `SO_REUSEADDR` on unless `reuseAddress: false`. */
  listenTcp(
    address: AddressLike,
    options?: PosixListenOptions,
  ): Ret<
    M,
    M extends 'async'
      ? PosixListener<'async'> & AsyncIterable<PosixStream<'async'>>
      : PosixListener<M>
  > {
    return inMode(this.mode, () => {
      const o = checkOptions(options, LISTEN_KEYS, 'listenTcp');
      for (const k of ['reuseAddress', 'reusePort', 'v6Only', 'nonBlocking'] as const)
        checkBool(o[k], k);
      const backlog = checkBacklog(o.backlog);
      const local = toAddress(address);
      if (local.family === 'unix') {
        throw invalidArg(
          'ERR_INVALID_ARG_VALUE',
          `listenTcp takes an IP address, got Unix address '${local}'; use listenUnix`,
        );
      }
      if (o.v6Only !== undefined && local.family !== 'ipv6') {
        throw invalidArg('ERR_INVALID_ARG_VALUE', 'v6Only applies to IPv6 listeners only');
      }
      return this.#listen(
        local.family === 'ipv4' ? AF.AF_INET : AF.AF_INET6,
        SOCK.SOCK_STREAM,
        'tcp-listener',
        local,
        backlog,
        o.nonBlocking === true,
        (state) => {
          if (o.reuseAddress !== false) setOption(state, 'reuseAddress', true);
          if (o.reusePort !== undefined) setOption(state, 'reusePort', o.reusePort);
          if (o.v6Only !== undefined) setOption(state, 'v6Only', o.v6Only);
        },
      );
    }) as never;
  }

  // ---- Unix -------------------------------------------------------------------

  /** Connects to a Unix stream or seqpacket listener at `address` (`'/path'` or `'@abstract'`). */
  connectUnix(address: AddressLike, options?: UnixConnectOptions): Ret<M, PosixStream<M>> {
    return inMode(this.mode, () => {
      const o = checkOptions(options, ['type', 'signal', 'nonBlocking'], 'connectUnix');
      const type = unixType(o.type);
      if (type === SOCK.SOCK_DGRAM)
        throw invalidArg(
          'ERR_INVALID_ARG_VALUE',
          "connectUnix: use createUnixDatagram for 'dgram'",
        );
      checkBool(o.nonBlocking, 'nonBlocking');
      if (o.signal?.aborted) throw abortError(o.signal, 'connect');
      const remote = this.#unixAddress(address, 'connectUnix');
      return this.#connectStream(
        AF.AF_UNIX,
        type,
        type === SOCK.SOCK_STREAM ? 'unix-stream' : 'unix-seqpacket',
        remote,
        undefined,
        o.nonBlocking === true,
        o.signal,
        () => {},
      );
    });
  }

  /** Binds and listens on a Unix path or abstract name; async listeners are also async iterables. */
  listenUnix(
    address: AddressLike,
    options?: UnixListenOptions,
  ): Ret<
    M,
    M extends 'async'
      ? PosixListener<'async'> & AsyncIterable<PosixStream<'async'>>
      : PosixListener<M>
  > {
    return inMode(this.mode, () => {
      const o = checkOptions(options, ['type', 'backlog', 'nonBlocking'], 'listenUnix');
      const type = unixType(o.type);
      if (type === SOCK.SOCK_DGRAM)
        throw invalidArg('ERR_INVALID_ARG_VALUE', "listenUnix: use createUnixDatagram for 'dgram'");
      checkBool(o.nonBlocking, 'nonBlocking');
      const backlog = checkBacklog(o.backlog);
      const local = this.#unixAddress(address, 'listenUnix');
      const kind = type === SOCK.SOCK_STREAM ? 'unix-stream-listener' : 'unix-seqpacket-listener';
      return this.#listen(AF.AF_UNIX, type, kind, local, backlog, o.nonBlocking === true, () => {});
    }) as never;
  }

  /** A Unix datagram socket, bound to `bind` when given. */
  createUnixDatagram(options?: UnixDatagramOptions): Ret<M, PosixUnixDatagramSocket<M>> {
    return inMode(this.mode, () => {
      const o = checkOptions(options, ['bind', 'nonBlocking'], 'createUnixDatagram');
      checkBool(o.nonBlocking, 'nonBlocking');
      const local =
        o.bind === undefined ? undefined : this.#unixAddress(o.bind, 'createUnixDatagram');
      return this.#open(
        AF.AF_UNIX,
        SOCK.SOCK_DGRAM,
        0,
        'unix-dgram',
        'unix',
        o.nonBlocking === true,
        (state) => {
          const socket = new PosixUnixDatagramSocket<M>(state);
          if (local !== undefined) {
            bindFd(state.fd, local);
            socket._bound = true;
          }
          return socket;
        },
      );
    });
  }

  /**
   * `socketpair(AF_UNIX)`: two connected sockets. `'stream'` and
   * `'seqpacket'` give streams; `'dgram'` gives connected datagram sockets.
   */
  socketPair(
    type: 'stream' | 'seqpacket',
    options?: { nonBlocking?: boolean },
  ): Ret<M, [PosixStream<M>, PosixStream<M>]>;
  socketPair(
    type: 'dgram',
    options?: { nonBlocking?: boolean },
  ): Ret<M, [PosixUnixDatagramSocket<M>, PosixUnixDatagramSocket<M>]>;
  socketPair(
    type: 'stream' | 'seqpacket' | 'dgram',
    options?: { nonBlocking?: boolean },
  ): Ret<M, [SocketHandle<M>, SocketHandle<M>]> {
    return inMode(this.mode, () => {
      const o = checkOptions(options, ['nonBlocking'], 'socketPair');
      checkBool(o.nonBlocking, 'nonBlocking');
      const sockType = unixType(type);
      const nonBlocking = o.nonBlocking === true;
      this.#checkOpen();
      const [a, b] = openSocketPair(sockType, nonBlocking || this.mode === 'async');
      const kind: SocketKind =
        sockType === SOCK.SOCK_STREAM
          ? 'unix-stream'
          : sockType === SOCK.SOCK_SEQPACKET
            ? 'unix-seqpacket'
            : 'unix-dgram';
      const unnamed = UnixSocketAddress.unnamed();
      const make = (fd: number): SocketHandle<M> => {
        const state = new SocketState(fd, this.mode, kind, 'unix', nonBlocking);
        state.consume = this.#consume;
        this.#tracker.add(state);
        if (kind !== 'unix-dgram') return new PosixStream<M>(state, unnamed, unnamed);
        const d = new PosixUnixDatagramSocket<M>(state);
        d._peer = unnamed;
        return d;
      };
      return [make(a), make(b)] as [SocketHandle<M>, SocketHandle<M>];
    });
  }

  // ---- helpers ------------------------------------------------------------------

  #open<T>(
    domain: number,
    type: number,
    protocol: number,
    kind: SocketKind,
    family: 'ipv4' | 'ipv6' | 'unix',
    nonBlocking: boolean,
    setup: (state: SocketState) => T,
  ): T {
    this.#checkOpen();
    const spec = {
      domain,
      type,
      protocol,
      mode: this.mode,
      kind,
      family,
      // Async mode waits in poll(2) itself: its sockets never block.
      nonBlocking: nonBlocking || this.mode === 'async',
      surfaceWouldBlock: nonBlocking,
    };
    return openSocketState(spec, (state) => {
      state.consume = this.#consume;
      this.#tracker.add(state);
      return setup(state);
    });
  }

  #connectStream(
    domain: number,
    type: number,
    kind: SocketKind,
    remote: SocketAddress,
    local: SocketAddress | undefined,
    nonBlocking: boolean,
    signal: AbortSignal | undefined,
    setup: (state: SocketState) => void,
  ): PosixStream<M> | Promise<PosixStream<M>> {
    const family = remote.family;
    return this.#open(domain, type, 0, kind, family, nonBlocking, (state) => {
      setup(state);
      if (local !== undefined) bindFd(state.fd, local);
      const finish = () =>
        new PosixStream<M>(state, localName(state.fd) ?? UnixSocketAddress.unnamed(), remote);
      const r = connectSocket(state, remote, signal);
      if (!(r instanceof Promise)) return finish();
      return r.then(finish, async (e: unknown) => {
        await state.close();
        throw e;
      });
    });
  }

  #listen(
    domain: number,
    type: number,
    kind: SocketKind,
    local: SocketAddress,
    backlog: number,
    nonBlocking: boolean,
    setup: (state: SocketState) => void,
  ): PosixListener<M> {
    return this.#open(domain, type, 0, kind, local.family, nonBlocking, (state) => {
      setup(state);
      bindFd(state.fd, local);
      listenFd(state.fd, backlog);
      return new PosixListener<M>(state, localName(state.fd) ?? local, nonBlocking);
    });
  }

  #unixAddress(address: AddressLike, what: string): SocketAddress {
    const a = toAddress(address);
    if (a.family !== 'unix') {
      throw invalidArg(
        'ERR_INVALID_ARG_VALUE',
        `${what} takes a Unix address ('/path' or '@name'), got '${a}'`,
      );
    }
    return a;
  }

  #sameFamily(
    handle: DatagramHandle<'sync' | 'async'>,
    address: SocketAddress,
    what: string,
  ): SocketAddress {
    const family = handle._state.family;
    if (address.family !== family) {
      throw invalidArg(
        'ERR_INVALID_ARG_VALUE',
        `${what}: a ${family} ${handle._state.what} cannot use ${address.family} address '${address}'`,
      );
    }
    return address;
  }

  #datagram(socket: unknown, what: string): DatagramHandle<'sync' | 'async'> {
    if (!(socket instanceof DatagramHandle))
      throw foreignHandle('UDP or Unix datagram socket', socket);
    if (socket.mode !== this.mode) {
      throw invalidArg(
        'ERR_INVALID_ARG_VALUE',
        `${what}: the socket was made by a ${socket.mode} engine, this one is ${this.mode}`,
      );
    }
    return socket as DatagramHandle<'sync' | 'async'>;
  }

  #socket(socket: unknown, what: string): SocketHandle<'sync' | 'async'> {
    if (!(socket instanceof SocketHandle)) throw foreignHandle('socket', socket);
    if (socket.mode !== this.mode) {
      throw invalidArg(
        'ERR_INVALID_ARG_VALUE',
        `${what}: the socket was made by a ${socket.mode} engine, this one is ${this.mode}`,
      );
    }
    return socket as SocketHandle<'sync' | 'async'>;
  }
}

/** Any socket handle of the posix engine. */
export type PosixSocket<M extends Mode> = DatagramSocket<M> | PosixStream<M> | PosixListener<M>;
