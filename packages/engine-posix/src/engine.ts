import {
  type BufferPool,
  type Capability,
  type CreateOptions,
  checkInt,
  checkOptions,
  type FileHandler,
  type IoEngine,
  IoError,
  invalidArg,
  type Mode,
  type MultiBufferProvider,
  type MultiBufferSink,
  type OpenOptions,
  type PoolCloseReport,
  PooledBuffer,
  type ReadableFile,
  type Ret,
  type TcpConnect,
  type TcpListen,
  type UdpBatch,
  type UdpBind,
  type UdpClose,
  type UdpRecv,
  type UdpSend,
  type UdpSocketCreate,
  type WritableFile,
} from '@binio/core';
import { AlignedBufferPool } from './buffers/aligned-pool.js';
import type { AsyncFile } from './file/async-file.js';
import { FileBase, type FileHost } from './file/base.js';
import { FILE_CAPABILITIES } from './file/capabilities.js';
import { engineClosedError } from './file/errors.js';
import { openAsync, openSync } from './file/open.js';
import { type OpenKind, openRequest } from './file/open-flags.js';
import type { SyncFile } from './file/sync-file.js';
import type { PosixFile, PosixReadableFile, PosixWritableFile } from './file/types.js';
import { MappedFile } from './mapped/mapped-file.js';
import {
  type MapOptions,
  mapRequest,
  openMappedAsync,
  openMappedSync,
} from './mapped/open-mapped.js';
import { SOCKET_CAPABILITIES, SocketOps } from './socket/index.js';

/** Options of the engine's buffer pool (native memory, aligned for `O_DIRECT`). */
export interface PosixBufferOptions {
  /** Number of buffers (default 32). */
  count?: number;
  /** Bytes per buffer (default 65536); keep it a multiple of `alignment`. */
  size?: number;
  /** Alignment of every buffer (default 4096, enough for any logical block size up to a page). */
  alignment?: number;
  /** Called when `close()` finds buffers that were never recycled. */
  onLeak?: (report: PoolCloseReport) => void;
}

/** Options of {@link createPosixEngine}. */
export interface PosixEngineOptions<M extends Mode> {
  /** `'sync'`: direct syscalls on the JS thread; `'async'`: the same syscalls on the libuv thread pool. */
  mode: M;
  /** The buffer pool behind `getBuffer()` and owned reads; made on first use. */
  buffers?: PosixBufferOptions;
}

const ENGINE_OPTION_KEYS = ['mode', 'buffers'] as const;
const BUFFER_OPTION_KEYS = ['count', 'size', 'alignment', 'onLeak'] as const;

/** Anything the engine opened and closes on `close()`. */
type Owned = SyncFile | AsyncFile | MappedFile<Mode>;

/**
 * binio over plain Linux system calls, in one of two modes. Sync: each
 * operation is a direct syscall through koffi and returns its result.
 * Async: the same syscalls run on the libuv thread pool (koffi's async
 * calls, the pool Node's `fs` uses) and return Promises.
 *
 * It implements the file handler (open read-only, write-only, read-write,
 * append, create, close), every file-handle trait (span reads and writes
 * with offsets and `retryOnInterrupt`, owned and offset reads, offset
 * writes, vectored IO, preferred block size, read and write hints, flush,
 * fsync), and the buffer provider and sinks over native memory aligned for
 * `O_DIRECT`. It also maps files (`openMapped`).
 *
 * The socket methods (UDP with batches, TCP, Unix sockets, messages) are
 * the sockets half's {@link SocketOps}, delegated as they are; sending one
 * of this engine's buffers as a datagram hands it back to the pool, as
 * core's contract says. `close()` closes the files, mapped files and
 * sockets the engine opened.
 */
export class PosixEngine<M extends Mode>
  implements
    IoEngine<M>,
    FileHandler<M>,
    MultiBufferProvider<PooledBuffer>,
    MultiBufferSink<PooledBuffer>,
    UdpSocketCreate<M>,
    UdpBind<M>,
    UdpSend<M>,
    UdpRecv<M>,
    UdpClose<M>,
    UdpBatch<M>,
    TcpConnect<M>,
    TcpListen<M>
{
  /** `'posix'`. */
  readonly name = 'posix';
  /** `'sync'` or `'async'`. */
  readonly mode: M;
  /** Exactly what this engine and its handles implement. */
  readonly capabilities: ReadonlySet<Capability>;
  readonly #buffers: Required<Omit<PosixBufferOptions, 'onLeak'>> &
    Pick<PosixBufferOptions, 'onLeak'>;
  #pool: AlignedBufferPool | undefined;
  readonly #owned = new Set<Owned>();
  #closed = false;
  readonly #host: FileHost;
  readonly #sockets: SocketOps<M>;

  /** Creates an unbound UDP (or UDP-Lite) socket. See {@link SocketOps}. */
  readonly createUdpSocket: SocketOps<M>['createUdpSocket'];
  /** Binds a datagram socket. */
  readonly bindUdp: SocketOps<M>['bindUdp'];
  /** Connects a datagram socket to one peer. */
  readonly connectUdp: SocketOps<M>['connectUdp'];
  /** Sends one datagram. */
  readonly send: SocketOps<M>['send'];
  /** Receives one datagram. */
  readonly recv: SocketOps<M>['recv'];
  /** Sends a batch of datagrams (`sendmmsg`). */
  readonly sendMany: SocketOps<M>['sendMany'];
  /** Receives a batch of datagrams (`recvmmsg`). */
  readonly recvMany: SocketOps<M>['recvMany'];
  /** Closes a datagram socket. */
  readonly closeUdp: SocketOps<M>['closeUdp'];
  /** `sendmsg` with control messages. */
  readonly sendMsg: SocketOps<M>['sendMsg'];
  /** `recvmsg` with control messages. */
  readonly recvMsg: SocketOps<M>['recvMsg'];
  /** Connects a TCP stream. */
  readonly connectTcp: SocketOps<M>['connectTcp'];
  /** Listens for TCP connections. */
  readonly listenTcp: SocketOps<M>['listenTcp'];
  /** Connects a Unix stream or seqpacket socket. */
  readonly connectUnix: SocketOps<M>['connectUnix'];
  /** Listens on a Unix stream or seqpacket socket. */
  readonly listenUnix: SocketOps<M>['listenUnix'];
  /** Creates a Unix datagram socket. */
  readonly createUnixDatagram: SocketOps<M>['createUnixDatagram'];
  /** A connected pair of Unix sockets. */
  readonly socketPair: SocketOps<M>['socketPair'];

  /** Use {@link createPosixEngine}. */
  constructor(options: PosixEngineOptions<M>) {
    const o = checkOptions(options, ENGINE_OPTION_KEYS, 'createPosixEngine');
    if (o.mode !== 'sync' && o.mode !== 'async') {
      throw invalidArg(
        'ERR_INVALID_ARG_VALUE',
        `mode must be 'sync' or 'async', got ${String(o.mode)}`,
      );
    }
    this.mode = o.mode;
    const b = checkOptions(o.buffers, BUFFER_OPTION_KEYS, 'buffers');
    this.#buffers = {
      count: b.count === undefined ? 32 : checkInt('buffers.count', b.count, 1, 1 << 20),
      size: b.size === undefined ? 65536 : checkInt('buffers.size', b.size, 1, 2 ** 31),
      alignment:
        b.alignment === undefined ? 4096 : checkInt('buffers.alignment', b.alignment, 8, 2 ** 30),
      onLeak: b.onLeak,
    };
    if (b.onLeak !== undefined && typeof b.onLeak !== 'function') {
      throw invalidArg('ERR_INVALID_ARG_TYPE', 'buffers.onLeak must be a function');
    }
    this.capabilities = new Set<Capability>([...FILE_CAPABILITIES, ...SOCKET_CAPABILITIES]);
    this.#host = {
      pool: () => this.#getPool(),
      forget: (h) => {
        this.#owned.delete(h as Owned);
      },
    };
    // Core's rule: a datagram sent from one of this engine's buffers goes back to the pool.
    const sockets = new SocketOps<M>({
      mode: this.mode,
      consume: (data) => {
        if (
          data instanceof PooledBuffer &&
          data.pool === this.#pool &&
          data.ownership === 'caller'
        ) {
          this.#pool.recycleBuffer(data);
        }
      },
    });
    this.#sockets = sockets;
    this.createUdpSocket = sockets.createUdpSocket.bind(sockets);
    this.bindUdp = sockets.bindUdp.bind(sockets);
    this.connectUdp = sockets.connectUdp.bind(sockets);
    this.send = sockets.send.bind(sockets);
    this.recv = sockets.recv.bind(sockets);
    this.sendMany = sockets.sendMany.bind(sockets);
    this.recvMany = sockets.recvMany.bind(sockets);
    this.closeUdp = sockets.closeUdp.bind(sockets);
    this.sendMsg = sockets.sendMsg.bind(sockets);
    this.recvMsg = sockets.recvMsg.bind(sockets);
    this.connectTcp = sockets.connectTcp.bind(sockets);
    this.listenTcp = sockets.listenTcp.bind(sockets);
    this.connectUnix = sockets.connectUnix.bind(sockets);
    this.listenUnix = sockets.listenUnix.bind(sockets);
    this.createUnixDatagram = sockets.createUnixDatagram.bind(sockets);
    this.socketPair = sockets.socketPair.bind(sockets) as SocketOps<M>['socketPair'];
  }

  /** The sockets half this engine delegates to. */
  get sockets(): SocketOps<M> {
    return this.#sockets;
  }

  /** The buffer pool (created on first use). */
  get pool(): BufferPool {
    return this.#getPool();
  }

  #getPool(): AlignedBufferPool {
    if (this.#pool === undefined) {
      if (this.#closed) throw engineClosedError('get a buffer');
      this.#pool = new AlignedBufferPool({ ...this.#buffers, engine: 'posix' });
    }
    return this.#pool;
  }

  #open<F>(
    kind: OpenKind,
    path: string,
    options: OpenOptions | CreateOptions | undefined,
  ): Ret<M, F> {
    if (this.#closed) throw engineClosedError('open a file');
    const req = openRequest(kind, path, options);
    if (req.signal?.aborted)
      throw new IoError({
        code: 'ERR_ABORTED',
        message: 'openat was aborted',
        cause: req.signal.reason,
      });
    if (this.mode === 'sync') {
      const f = openSync(req, this.#host);
      this.#owned.add(f);
      return f as Ret<M, F>;
    }
    return openAsync(req, this.#host).then((f) => this.#adopt(f)) as Ret<M, F>;
  }

  // An async open may finish after close(): then the new handle is closed too.
  async #adopt<H extends Owned>(h: H): Promise<H> {
    if (this.#closed) {
      await h.close();
      throw engineClosedError('open a file');
    }
    this.#owned.add(h);
    return h;
  }

  /** Opens an existing file for reading. */
  openReadOnly(path: string, options?: OpenOptions): Ret<M, PosixReadableFile<M>> {
    return this.#open('read', path, options);
  }

  /** Opens an existing file for writing. */
  openWriteOnly(path: string, options?: OpenOptions): Ret<M, PosixWritableFile<M>> {
    return this.#open('write', path, options);
  }

  /** Opens an existing file for reading and writing. */
  openReadWrite(path: string, options?: OpenOptions): Ret<M, PosixFile<M>> {
    return this.#open('readWrite', path, options);
  }

  /** Opens an existing file for appending (`O_APPEND`): offset writes are refused. */
  openAppend(path: string, options?: OpenOptions): Ret<M, PosixWritableFile<M>> {
    return this.#open('append', path, options);
  }

  /** Creates a file (`O_EXCL` unless `exclusive: false`) and opens it for reading and writing. */
  create(path: string, options?: CreateOptions): Ret<M, PosixFile<M>> {
    return this.#open('create', path, options);
  }

  /**
   * Maps a whole file for reading (`mmap`); see {@link MappedFile} for what
   * that means for safety.
   */
  openMapped(path: string, options?: MapOptions): Ret<M, MappedFile<M>> {
    if (this.#closed) throw engineClosedError('map a file');
    const req = mapRequest(path, options);
    if (this.mode === 'sync') {
      const m = openMappedSync(req, this.#host);
      this.#owned.add(m as Owned);
      return m as unknown as Ret<M, MappedFile<M>>;
    }
    return openMappedAsync(req, this.#host).then((m) => this.#adopt(m as Owned)) as Ret<
      M,
      MappedFile<M>
    >;
  }

  /** Closes a file of this engine (same as `handle.close()`). */
  closeFile(handle: ReadableFile<M> | WritableFile<M>): Ret<M, void> {
    const h = handle as unknown;
    if (
      !(h instanceof FileBase || h instanceof MappedFile) ||
      (h instanceof FileBase && h._host !== this.#host)
    ) {
      throw invalidArg(
        'ERR_INVALID_ARG_VALUE',
        'closeFile takes a file opened by this posix engine',
      );
    }
    return (h as Owned).close() as Ret<M, void>;
  }

  getBuffer(): PooledBuffer {
    return this.#getPool().getBuffer();
  }

  getBuffers(n: number): PooledBuffer[] {
    return this.#getPool().getBuffers(n);
  }

  recycleBuffer(buffer: PooledBuffer): void {
    this.#getPool().recycleBuffer(buffer);
  }

  recycleBuffers(buffers: readonly PooledBuffer[]): void {
    this.#getPool().recycleBuffers(buffers);
  }

  /**
   * Closes every file, mapping and socket (listeners and accepted streams
   * included) still open, then the buffer pool (its memory is freed when
   * every buffer came back). In async mode, operations waiting on a socket
   * settle first with `EBADF`, as on the socket's own close(). New files and
   * sockets are refused with `ERR_CLOSED`. Closing twice is a no-op.
   */
  close(): Ret<M, void> {
    if (this.#closed) return (this.mode === 'sync' ? undefined : Promise.resolve()) as Ret<M, void>;
    this.#closed = true;
    const handles = [...this.#owned];
    this.#owned.clear();
    if (this.mode === 'sync') {
      let first: unknown;
      for (const close of [...handles.map((h) => () => h.close()), () => this.#sockets.close()]) {
        try {
          close();
        } catch (e) {
          first ??= e;
        }
      }
      this.#pool?.close();
      if (first !== undefined) throw first;
      return undefined as Ret<M, void>;
    }
    // Sockets too: operations parked on them settle with EBADF first, as on a socket's own close().
    const closing = [...handles.map((h) => h.close()), this.#sockets.close()] as Promise<void>[];
    return Promise.allSettled(closing).then((results) => {
      this.#pool?.close();
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }) as Ret<M, void>;
  }
}

/**
 * Creates a posix engine: `createPosixEngine({ mode: 'sync' })` for direct
 * syscalls, `{ mode: 'async' }` for the same syscalls on the thread pool.
 */
export function createPosixEngine<M extends Mode>(options: PosixEngineOptions<M>): PosixEngine<M> {
  return new PosixEngine(options);
}
