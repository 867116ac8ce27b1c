import {
  type AddressLike,
  type ByteSource,
  type Capability,
  type CreateOptions,
  type FileHandler,
  type IoEngine,
  type MultiBufferProvider,
  type MultiBufferSink,
  type OpenOptions,
  type OutputBuffer,
  type Outgoing,
  PooledBuffer,
  type ReadableFile,
  type Received,
  type SocketAddress,
  type TcpConnect,
  type TcpListen,
  type UdpBasic,
  type UdpBatch,
  type UdpRecv,
  type UdpSend,
  type UdpSocket,
  type WritableFile,
  type IoError,
  checkInt,
  checkOptions,
  invalidArg,
} from '@binio/core';
import {
  FILE_CAPABILITIES,
  type PosixBufferOptions,
  type PosixEngine,
  type PosixFile,
  type PosixReadableFile,
  type PosixWritableFile,
  createPosixEngine,
} from '@binio/engine-posix';
import {
  NativeBlock,
  type ReceivedDatagrams,
  SOCKADDR_MAX,
  SOCKET_CAPABILITIES,
  bindFd,
  encodeSockaddr,
  lastErrno,
  toAddress,
} from '@binio/engine-posix/socket';
import { closedError, engineClosedError, foreignHandle, sysError } from './errors.js';
import type { Host, Owned } from './host.js';
import {
  EpollUdpSocket,
  EpollUnixDatagramSocket,
  type EpollDatagramSocket,
} from './net/datagram.js';
import { recvDatagram, recvDatagrams, sendDatagram, sendDatagrams } from './net/datagram-io.js';
import type { EpollListener } from './net/listener.js';
import {
  type EpollConnectOptions,
  type EpollListenOptions,
  type EpollUdpSocketOptions,
  type EpollUnixConnectOptions,
  type EpollUnixDatagramOptions,
  type EpollUnixListenOptions,
  connectTcp,
  connectUnix,
  listenTcp,
  listenUnix,
  openUdp,
  openUnixDatagram,
  pairOf,
} from './net/open.js';
import type { EpollStream } from './net/stream.js';
import type { EpollOpOptions } from './options.js';
import { Reactor } from './reactor/reactor.js';
import { calls } from './sys/shared-calls.js';
import { EpollEventFd, type EventFdOptions } from './sources/eventfd.js';
import { EpollProcess } from './sources/pidfd.js';
import { EpollTimer, type TimerOptions } from './sources/timerfd.js';

/** The longest busy-poll spin allowed: 10 ms; longer spins are a blocking engine's job. */
const MAX_BUSY_POLL_US = 10_000;

/** Options of {@link createEpollEngine}. */
export interface EpollEngineOptions {
  /** The buffer pool behind `getBuffer()` and files' owned reads (the posix engine's; made on first use). */
  buffers?: PosixBufferOptions;
  /**
   * Busy polling, off by default: microseconds (integer, 0–10000) a new
   * operation that would wait keeps retrying its non-blocking system call
   * before it parks on epoll, yielding the core (`sched_yield`) between
   * tries. Trades CPU for latency: a waiting caller spins on a core instead
   * of sleeping until the event loop's next turn, and
   * operations completed by the spin continue without giving the loop a
   * turn. Worth it only with a core to spare and a peer that answers
   * within the budget (request/response over loopback or a fast link).
   */
  busyPollUs?: number;
}

/** What the engine is doing now (for diagnostics and tests). */
export interface EpollStats {
  /** Descriptors in the epoll set. */
  registered: number;
  /** Operations parked, waiting for readiness. */
  parked: number;
  /** Handles open (sockets, listeners, readiness sources). */
  handles: number;
  /** Times the event loop woke the engine so far (each wake-up is one `epoll_wait`). */
  wakeups: number;
}

/**
 * binio on epoll, on Node's event loop: readiness folded under completion.
 * Every operation is tried at once with one non-blocking system call; when
 * the kernel says EAGAIN it parks on its descriptor until epoll reports it
 * ready, then runs, so callers see plain Promises of completed IO.
 *
 * Sockets: TCP, UDP (batches with `recvmmsg`/`sendmmsg`), Unix stream,
 * datagram and seqpacket. Readiness sources: eventfd, timerfd, pidfd.
 * Files: epoll cannot wait on regular files (they are always "ready"), so
 * the engine offers the file handler through the posix engine's async
 * mode, which runs file system calls on the libuv thread pool.
 */
export class EpollEngine
  implements
    IoEngine<'async'>,
    FileHandler<'async'>,
    UdpBasic<'async'>,
    UdpSend<'async'>,
    UdpRecv<'async'>,
    UdpBatch<'async'>,
    TcpConnect<'async'>,
    TcpListen<'async'>,
    MultiBufferProvider<PooledBuffer>,
    MultiBufferSink<PooledBuffer>
{
  /** `'epoll'`. */
  readonly name = 'epoll';
  /** Always `'async'`. */
  readonly mode = 'async' as const;
  /** Exactly what the engine and its handles implement. */
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>([
    ...FILE_CAPABILITIES,
    ...SOCKET_CAPABILITIES,
  ]);
  readonly #reactor: Reactor;
  readonly #files: PosixEngine<'async'>;
  readonly #owned = new Set<Owned>();
  readonly #host: Host;
  // Address scratch for the calls made here, filled and used synchronously.
  readonly #name = new NativeBlock(SOCKADDR_MAX);
  #closed = false;
  #closing: Promise<void> | undefined;

  /** Use {@link createEpollEngine}. */
  constructor(options?: EpollEngineOptions) {
    const o = checkOptions(options, ['buffers', 'busyPollUs'], 'createEpollEngine');
    const busyPollUs =
      o.busyPollUs === undefined
        ? 0
        : checkInt('createEpollEngine: busyPollUs', o.busyPollUs, 0, MAX_BUSY_POLL_US);
    this.#files = createPosixEngine({
      mode: 'async',
      ...(o.buffers === undefined ? {} : { buffers: o.buffers }),
    });
    this.#reactor = new Reactor(busyPollUs);
    const owned = this.#owned;
    const files = this.#files;
    this.#host = {
      reactor: this.#reactor,
      track: (h) => {
        owned.add(h);
      },
      forget: (h) => {
        owned.delete(h);
      },
      consume: (data) => {
        // Only this engine's own buffers are taken back; anything else stays the caller's.
        if (
          data instanceof PooledBuffer &&
          data.pool.engine === 'posix' &&
          data.pool === files.pool
        ) {
          files.recycleBuffer(data);
        }
      },
    };
  }

  /** The epoll descriptor (for diagnostics: `/proc/self/fdinfo/<fd>` lists what it watches). */
  get epollFd(): number {
    return this.#reactor.fd;
  }

  /**
   * Lets the engine keep the process alive again (the default): it does
   * while any of its sockets or sources is waiting or has waited and is
   * still open, as an open Node socket does.
   */
  ref(): this {
    this.#reactor.setHold(true);
    return this;
  }

  /** Stops the engine from keeping the process alive on its own (as `socket.unref()` in Node). */
  unref(): this {
    this.#reactor.setHold(false);
    return this;
  }

  /** True when the engine is keeping the process alive right now. */
  get holdsProcess(): boolean {
    return this.#reactor.holding;
  }

  /** Descriptors registered, operations parked and handles open, now. */
  stats(): EpollStats {
    const r = this.#reactor;
    return {
      registered: r.registered,
      parked: r.parked,
      handles: this.#owned.size,
      wakeups: r.wakeups,
    };
  }

  #open(action: string): Host {
    if (this.#closed) throw engineClosedError(action);
    return this.#host;
  }

  // ---- TCP and Unix streams ----

  /** Connects to `address` (through EINPROGRESS on epoll); `TCP_NODELAY` unless `noDelay: false`. */
  connectTcp(address: AddressLike, options?: EpollConnectOptions): Promise<EpollStream> {
    try {
      return connectTcp(this.#open('connect'), address, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Binds and listens on `address` (port 0 picks one); the listener is an async iterable of connections. */
  listenTcp(address: AddressLike, options?: EpollListenOptions): Promise<EpollListener> {
    try {
      return Promise.resolve(listenTcp(this.#open('listen'), address, options));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Connects to a Unix stream or seqpacket listener (`'/path'` or `'@abstract'`). */
  connectUnix(address: AddressLike, options?: EpollUnixConnectOptions): Promise<EpollStream> {
    try {
      return connectUnix(this.#open('connect'), address, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Binds and listens on a Unix path or abstract name. */
  listenUnix(address: AddressLike, options?: EpollUnixListenOptions): Promise<EpollListener> {
    try {
      return Promise.resolve(listenUnix(this.#open('listen'), address, options));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** `socketpair(AF_UNIX)`: two connected streams, or two connected datagram sockets. */
  socketPair(type: 'stream' | 'seqpacket'): Promise<[EpollStream, EpollStream]>;
  socketPair(type: 'dgram'): Promise<[EpollUnixDatagramSocket, EpollUnixDatagramSocket]>;
  socketPair(
    type: 'stream' | 'seqpacket' | 'dgram',
  ): Promise<[EpollStream, EpollStream] | [EpollUnixDatagramSocket, EpollUnixDatagramSocket]> {
    try {
      return Promise.resolve(pairOf(this.#open('make a socket pair'), type));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // ---- datagrams ----

  /** Creates an unbound UDP socket. */
  createUdpSocket(options?: EpollUdpSocketOptions): Promise<EpollUdpSocket> {
    try {
      return Promise.resolve(openUdp(this.#open('create a socket'), options));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** A Unix datagram socket, bound when `bind` is given. */
  createUnixDatagram(options?: EpollUnixDatagramOptions): Promise<EpollUnixDatagramSocket> {
    try {
      return Promise.resolve(openUnixDatagram(this.#open('create a socket'), options));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Binds `socket` to `address` (port 0 picks one); returns the bound address. */
  bindUdp(
    socket: UdpSocket<'async'> | EpollUnixDatagramSocket,
    address: AddressLike,
  ): Promise<SocketAddress> {
    try {
      const h = this.#datagram(socket, 'bind');
      if (h._state.closed) throw closedError(h._state.what, 'bind');
      const a = toAddress(address);
      if (a.family !== h._state.family) {
        throw foreignFamily(h, a, 'bind');
      }
      bindFd(h._state.fd, a);
      h._bound = true;
      return Promise.resolve(h.localAddress!);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Connects a datagram socket (no waiting: the kernel only records the
   * peer): it then sends to `address` when no destination is given and
   * receives only from it.
   */
  connectUdp(
    socket: UdpSocket<'async'> | EpollUnixDatagramSocket,
    address: AddressLike,
  ): Promise<void> {
    try {
      const h = this.#datagram(socket, 'connectUdp');
      const fd = h._state.fd;
      if (h._state.closed) throw closedError(h._state.what, 'connect');
      const a = toAddress(address);
      if (a.family !== h._state.family) throw foreignFamily(h, a, 'connect');
      const len = encodeSockaddr(a, this.#name.bytes, 0);
      if (calls.connect(fd, this.#name.address, len) < 0) {
        throw sysError(lastErrno(), 'connect', String(a));
      }
      h._peer = a;
      h._bound = true;
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Sends one datagram to `to` (or, with `to` undefined, to a connected socket's peer). Sending an engine buffer consumes it. */
  send(
    socket: UdpSocket<'async'> | EpollUnixDatagramSocket,
    data: ByteSource,
    to: AddressLike | undefined,
    options?: EpollOpOptions,
  ): Promise<number> {
    try {
      return sendDatagram(this.#host, this.#datagram(socket, 'send'), data, to, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Receives one datagram into `out`'s free space (waits for one); a longer one is cut (`truncated`). */
  recv(
    socket: UdpSocket<'async'> | EpollUnixDatagramSocket,
    out: OutputBuffer,
    options?: EpollOpOptions,
  ): Promise<Received> {
    try {
      return recvDatagram(this.#datagram(socket, 'recv'), out, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** `sendmmsg`: the datagrams in order (at most 1024 per call); resolves with how many went. */
  sendMany(
    socket: UdpSocket<'async'> | EpollUnixDatagramSocket,
    datagrams: readonly Outgoing[],
    options?: EpollOpOptions,
  ): Promise<number> {
    try {
      return sendDatagrams(this.#host, this.#datagram(socket, 'sendMany'), datagrams, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** `recvmmsg`: up to `buffers.length` datagrams (≤ 1024), at least one; `truncated[i]` flags cut ones. */
  recvMany(
    socket: UdpSocket<'async'> | EpollUnixDatagramSocket,
    buffers: readonly OutputBuffer[],
    options?: EpollOpOptions,
  ): Promise<ReceivedDatagrams> {
    try {
      return recvDatagrams(this.#datagram(socket, 'recvMany'), buffers, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Closes `socket` (same as `socket.close()`). */
  closeUdp(socket: UdpSocket<'async'> | EpollUnixDatagramSocket): Promise<void> {
    try {
      return this.#datagram(socket, 'closeUdp').close();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  #datagram(socket: unknown, what: string): EpollDatagramSocket {
    if (!(socket instanceof EpollUdpSocket || socket instanceof EpollUnixDatagramSocket)) {
      throw foreignHandle(`UDP or Unix datagram socket (${what})`, socket);
    }
    return socket;
  }

  // ---- readiness sources ----

  /** An eventfd: a kernel counter others can add to, read here on the event loop. */
  createEventFd(options?: EventFdOptions): EpollEventFd {
    return new EpollEventFd(this.#open('create an eventfd'), options);
  }

  /** A timerfd on a chosen clock (monotonic by default). */
  createTimer(options?: TimerOptions): EpollTimer {
    return new EpollTimer(this.#open('create a timer'), options);
  }

  /** A pidfd on process `pid`: wait for its end, signal it without pid-reuse races. */
  watchProcess(pid: number): EpollProcess {
    return new EpollProcess(this.#open('watch a process'), pid);
  }

  // ---- files: the posix engine's thread-pool path ----

  /** Opens an existing file for reading (on the thread pool: epoll cannot wait on files). */
  openReadOnly(path: string, options?: OpenOptions): Promise<PosixReadableFile<'async'>> {
    return this.#file(() => this.#files.openReadOnly(path, options));
  }

  /** Opens an existing file for writing. */
  openWriteOnly(path: string, options?: OpenOptions): Promise<PosixWritableFile<'async'>> {
    return this.#file(() => this.#files.openWriteOnly(path, options));
  }

  /** Opens an existing file for reading and writing. */
  openReadWrite(path: string, options?: OpenOptions): Promise<PosixFile<'async'>> {
    return this.#file(() => this.#files.openReadWrite(path, options));
  }

  /** Opens an existing file for appending. */
  openAppend(path: string, options?: OpenOptions): Promise<PosixWritableFile<'async'>> {
    return this.#file(() => this.#files.openAppend(path, options));
  }

  /** Creates a file (exclusive unless `exclusive: false`) and opens it for reading and writing. */
  create(path: string, options?: CreateOptions): Promise<PosixFile<'async'>> {
    return this.#file(() => this.#files.create(path, options));
  }

  /** Closes a file of this engine (same as `handle.close()`). */
  closeFile(handle: ReadableFile<'async'> | WritableFile<'async'>): Promise<void> {
    return this.#file(() => this.#files.closeFile(handle));
  }

  #file<T>(open: () => Promise<T>): Promise<T> {
    try {
      this.#open('open a file');
      return open();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // ---- buffers (the posix engine's pool: native memory, aligned) ----

  /** A buffer from the engine's pool; sending it on UDP consumes it, else recycle it. */
  getBuffer(): PooledBuffer {
    this.#open('get a buffer');
    return this.#files.getBuffer();
  }

  /** `n` buffers, all or none. */
  getBuffers(n: number): PooledBuffer[] {
    this.#open('get buffers');
    return this.#files.getBuffers(n);
  }

  /** Gives a buffer back to the pool. */
  recycleBuffer(buffer: PooledBuffer): void {
    this.#files.recycleBuffer(buffer);
  }

  /** Gives several buffers back. */
  recycleBuffers(buffers: readonly PooledBuffer[]): void {
    this.#files.recycleBuffers(buffers);
  }

  /**
   * Closes every handle still open (their parked operations fail with
   * `EBADF`), the files and the pool, then the epoll instance. Closing twice
   * is a no-op.
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    const handles = [...this.#owned];
    this.#closing = Promise.allSettled(handles.map((h) => h.close())).then(async (results) => {
      const files = await Promise.allSettled([this.#files.close()]);
      this.#reactor.close();
      const failed = [...results, ...files].find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    });
    return this.#closing;
  }
}

function foreignFamily(h: EpollDatagramSocket, a: SocketAddress, what: string): IoError {
  return invalidArg(
    'ERR_INVALID_ARG_VALUE',
    `${what}: a ${h._state.family} ${h._state.what} cannot use ${a.family} address '${a}'`,
  );
}

/** Creates an epoll engine: `const engine = createEpollEngine()`. Close it when done. */
export function createEpollEngine(options?: EpollEngineOptions): EpollEngine {
  return new EpollEngine(options);
}
