import {
  type AddressLike,
  type AsyncTcpListener,
  type BufferList,
  type BufferPool,
  type ByteSource,
  type Capability,
  type CreateOptions,
  type FileHandler,
  type IoEngine,
  IoError,
  invalidArg,
  type Mode,
  type MultiBufferProvider,
  type MultiBufferSink,
  type OpenOptions,
  type OpOptions,
  type Outgoing,
  type OutputBuffer,
  PooledBuffer,
  type ReadableFile,
  type Received,
  type ReceivedBatch,
  type Ret,
  type SocketAddress,
  type TcpConnectOptions,
  type TcpListener,
  type TcpListenOptions,
  type TcpStream,
  type UdpBasic,
  type UdpBatch,
  type UdpRecv,
  type UdpSend,
  type UdpSocket,
  type WritableFile,
} from '@binio/core';
import { FILE_CAPABILITIES } from '@binio/engine-posix/file';
import { AT, decodeStatx, errnoError } from '@binio/engine-posix/linux';
import {
  type MessageIn,
  type MessageOut,
  type RecvMsgOptions,
  SOCKET_CAPABILITIES,
} from '@binio/engine-posix/socket';
import {
  bindDatagram,
  type DatagramHost,
  datagramOf,
  openUdp,
  openUnixDatagram,
  type UringUdpSocket,
  type UringUdpSocketOptions,
  type UringUnixDatagramSocket,
} from '../socket/datagram.js';
import { recvBatch, sendBatch } from '../socket/datagram-batch.js';
import { recvOne, sendOne } from '../socket/datagram-io.js';
import { receiveMessage, sendMessage } from '../socket/message.js';
import { MsgBlocks } from '../socket/msg-blocks.js';
import { zeroCopyIdle } from '../socket/send-zc.js';
import { sendMessageZeroCopy } from '../socket/sendmsg-zc.js';
import {
  connectTcp,
  listenTcp,
  type OpenSocket,
  type UringTcpListener,
  type UringTcpStream,
} from '../socket/tcp.js';
import {
  connectUnix,
  listenUnix,
  type UringUnixConnectOptions,
  type UringUnixListenOptions,
} from '../socket/unix.js';

/** Everything the engine implements. */
const ENGINE_CAPABILITIES: readonly Capability[] = [
  ...FILE_CAPABILITIES,
  // TCP and UDP: the same set as engine-posix's sockets.
  ...SOCKET_CAPABILITIES,
];

import { type DirectAlignment, type FileHost, UringFile } from '../file/file.js';
import { type OpenKind, type OpenRequest, openRequest } from '../file/requests.js';
import { statxOp } from '../file/statx.js';
import { openPipe, type UringPipe } from '../pipe/pipe.js';
import { type SpliceEnd, type SpliceOptions, splice, tee } from '../pipe/splice.js';
import { type BufferRingOptions, UringBufferRing } from '../socket/buffer-ring.js';
import { errno, openatRaw } from '../sys/libc.js';
import { Scratch } from '../sys/memory.js';
import { Op } from '../uring/abi.js';
import { registerSparseFiles, updateFile } from '../uring/register.js';
import type { Ring } from '../uring/ring.js';
import { UringBatch } from './batch.js';
import { type BatchHandler, UringCore } from './core.js';
import { createRegisteredPool } from './pool.js';
import { allowedOps, checkAsked, restrictAndEnable } from './restrict.js';
import {
  createRing,
  type ResolvedOptions,
  resolveOptions,
  type UringEngineOptions,
} from './setup.js';
import { Kind } from './slots.js';
import { Timers } from './timers.js';

const encoder = new TextEncoder();

/** A NUL-terminated copy of `s` in memory the kernel can read. */
function cString(s: string): Scratch {
  const bytes = encoder.encode(s);
  const c = new Scratch(bytes.byteLength + 1);
  c.bytes.set(bytes);
  return c;
}

/**
 * binio's io_uring engine. JavaScript fills SQEs and reaps CQEs in the
 * rings' shared memory; one `io_uring_enter` carries each batch. In async
 * mode every SQE prepared in one tick goes out in one enter, completions
 * found right after it settle at once, and later ones wake the Node loop
 * through an eventfd registered with the ring. In sync mode each operation
 * submits and waits inside `io_uring_enter`.
 *
 * Implements the file handler and every file-handle trait, and the buffer
 * provider and sinks over registered buffers (READ_FIXED/WRITE_FIXED).
 * Also: a batch API that allocates nothing per operation ({@link batch}),
 * standalone timeouts, cancellation by AbortSignal, registered files,
 * restrictions built from the capabilities asked for.
 */
export class UringEngine<M extends Mode>
  implements
    IoEngine<M>,
    FileHandler<M>,
    UdpBasic<M>,
    UdpSend<M>,
    UdpRecv<M>,
    UdpBatch<M>,
    MultiBufferProvider<PooledBuffer>,
    MultiBufferSink<PooledBuffer>
{
  /** `'uring'`. */
  readonly name = 'uring';
  /** `'sync'` or `'async'`. */
  readonly mode: M;
  /** What this engine and its handles implement (narrowed by the `capabilities` option). */
  readonly capabilities: ReadonlySet<Capability>;
  /** @internal */
  readonly _core: UringCore;
  readonly #pool: BufferPool;
  readonly #files = new Set<UringFile<Mode>>();
  readonly #sockets = new Set<OpenSocket>();
  readonly #socketHost: DatagramHost;
  readonly #pipes = new Set<UringPipe<Mode>>();
  readonly #bufferRings = new Map<number, UringBufferRing>();
  readonly #fixedFree: number[] = [];
  readonly #host: FileHost;
  readonly #timers: Timers<M>;
  #closed = false;

  /** Use {@link createUringEngine}. */
  constructor(options: UringEngineOptions<M>) {
    const o: ResolvedOptions = resolveOptions(options);
    this.mode = o.mode as M;
    let allowed: Uint8Array | undefined;
    if (o.capabilities !== undefined) {
      checkAsked(o.capabilities, new Set(ENGINE_CAPABILITIES));
      allowed = allowedOps(o.capabilities);
    }
    const ring = createRing(o, allowed !== undefined);
    let core: UringCore | undefined;
    let pool: BufferPool | undefined;
    try {
      core = new UringCore(ring, o.mode, o.cqEntries, allowed);
      pool = createRegisteredPool(ring, o.buffers);
      if (o.registeredFiles > 0) {
        registerSparseFiles(ring, o.registeredFiles);
        for (let i = o.registeredFiles - 1; i >= 0; i--) this.#fixedFree.push(i);
      }
      if (allowed) restrictAndEnable(ring, allowed);
    } catch (e) {
      pool?.close();
      if (core) core.close(0);
      else ring.close();
      throw e;
    }
    this._core = core;
    this.#pool = pool;
    this.capabilities = new Set(o.capabilities ?? ENGINE_CAPABILITIES);
    this.#socketHost = {
      core,
      adopt: (h) => {
        if (this.#closed) {
          h.close();
          throw new IoError({
            code: 'ERR_CLOSED',
            engine: 'uring',
            message: 'Cannot open a socket: the uring engine is closed',
          });
        }
        this.#sockets.add(h);
      },
      forget: (h) => {
        this.#sockets.delete(h);
      },
      registeredIndex: (b) =>
        b instanceof PooledBuffer && b.pool === this.#pool ? b.registrationIndex : -1,
      blocks: new MsgBlocks(),
      // Sending an engine buffer hands it back to the pool once the send completed.
      consume: (data) => {
        if (data instanceof PooledBuffer && data.pool === this.#pool && data.ownership === 'caller')
          this.#pool.recycleBuffer(data);
      },
    };
    this.#timers = new Timers<M>(core);
    this.#host = {
      core,
      pool: () => this.#pool,
      isRegistered: (b): b is PooledBuffer => b instanceof PooledBuffer && b.pool === this.#pool,
      forget: (f) => this.#forget(f),
    };
  }

  /** The ring (SQ/CQ sizes, features, flags). */
  get ring(): Ring {
    return this._core.ring;
  }

  /** The registered buffer pool behind `getBuffer()`. */
  get pool(): BufferPool {
    return this.#pool;
  }

  /** True when the running kernel supports io_uring opcode `op` (probed at creation). */
  supportsOp(op: number): boolean {
    return this._core.supported[op] === 1;
  }

  // ----------------------------------------------------------------- files

  #open<F>(
    kind: OpenKind,
    path: string,
    options: OpenOptions | CreateOptions | undefined,
  ): Ret<M, F> {
    this._core.assertOpen('open a file');
    const req = openRequest(kind, path, options);
    const core = this._core;
    core.require(Op.OPENAT);
    const cPath = cString(req.path);
    if (this.mode === 'sync') {
      const fd = this.#openat(req, cPath) as number;
      return this.#adopt(fd, req) as Ret<M, F>;
    }
    return (this.#openat(req, cPath) as Promise<number>).then((fd) => this.#adopt(fd, req)) as Ret<
      M,
      F
    >;
  }

  #openat(req: OpenRequest, cPath: Scratch): number | Promise<number> {
    const core = this._core;
    if (core.iopoll) {
      // An IOPOLL ring refuses OPENAT (EINVAL): open with a plain openat(2).
      return core.plain(() => {
        const fd = openatRaw(AT.AT_FDCWD, cPath.address, req.flags, req.mode);
        if (fd < 0)
          throw errnoError(errno(), { syscall: 'openat', engine: 'uring', path: req.path });
        return fd;
      });
    }
    const sync = this.mode === 'sync';
    const s = core.begin(
      sync ? Kind.SYNC : Kind.VALUE,
      Op.OPENAT,
      AT.AT_FDCWD,
      cPath.address,
      req.mode,
      0,
      cPath,
    );
    if (s < 0) return core.later(() => this.#openat(req, cPath) as Promise<number>);
    core.ring.setOpFlags(core.w, req.flags);
    if (sync) return core.finishSync(s, Number.POSITIVE_INFINITY, req.path);
    return core.finishAsync<number>(s, Number.POSITIVE_INFINITY, req.signal, req.path);
  }

  // Wraps a fresh descriptor: O_DIRECT rules, a fixed-file slot, tracking.
  // Anything failing here closes the descriptor: no leak.
  #adopt(fd: number, req: OpenRequest): UringFile<M> | Promise<UringFile<M>> {
    const fail = (e: unknown): never => {
      this._core.closeFd(fd);
      throw e;
    };
    if (this.#closed)
      fail(
        new IoError({
          code: 'ERR_CLOSED',
          engine: 'uring',
          message: 'Cannot open a file: the uring engine closed while it was opening',
        }),
      );
    const finish = (align: DirectAlignment | undefined): UringFile<M> => {
      let fixed = -1;
      try {
        if (this.#fixedFree.length > 0) {
          fixed = this.#fixedFree.pop()!;
          updateFile(this._core.ring, fixed, fd);
        }
      } catch (e) {
        if (fixed >= 0) this.#fixedFree.push(fixed);
        fail(e);
      }
      const f = new UringFile<M>(this.mode, fd, fixed, req, align, this.#host);
      this.#files.add(f as UringFile<Mode>);
      return f;
    };
    if (!req.direct) return finish(undefined);
    // O_DIRECT: learn the alignment the kernel wants (statx STATX_DIOALIGN).
    const toAlign = (b: Scratch): DirectAlignment => {
      const info = decodeStatx(b.bytes);
      const offset = info.dioOffsetAlign || 4096;
      return { memory: info.dioMemAlign || offset, offset };
    };
    try {
      const r = statxOp(this._core, fd, req.path);
      if (r instanceof Scratch) return finish(toAlign(r));
      return r.then((b) => finish(toAlign(b)), fail);
    } catch (e) {
      return fail(e);
    }
  }

  #forget(f: UringFile<Mode>): void {
    this.#files.delete(f);
    if (f._fixed >= 0) {
      try {
        updateFile(this._core.ring, f._fixed, -1);
        this.#fixedFree.push(f._fixed);
      } catch {
        // The slot stays taken; the descriptor itself is still closed below.
      }
      f._fixed = -1;
    }
  }

  /** Opens an existing file for reading. */
  openReadOnly(path: string, options?: OpenOptions): Ret<M, UringFile<M>> {
    return this.#open('read', path, options);
  }

  /** Opens an existing file for writing. */
  openWriteOnly(path: string, options?: OpenOptions): Ret<M, UringFile<M>> {
    return this.#open('write', path, options);
  }

  /** Opens an existing file for reading and writing. */
  openReadWrite(path: string, options?: OpenOptions): Ret<M, UringFile<M>> {
    return this.#open('readWrite', path, options);
  }

  /** Opens an existing file for appending (`O_APPEND`); offset writes are refused. */
  openAppend(path: string, options?: OpenOptions): Ret<M, UringFile<M>> {
    return this.#open('append', path, options);
  }

  /** Creates a file (`O_EXCL` unless `exclusive: false`) open for reading and writing. */
  create(path: string, options?: CreateOptions): Ret<M, UringFile<M>> {
    return this.#open('create', path, options);
  }

  /** Closes a file of this engine (same as `handle.close()`). */
  closeFile(handle: ReadableFile<M> | WritableFile<M>): Ret<M, void> {
    if (
      !(handle instanceof UringFile) ||
      (!this.#files.has(handle as UringFile<Mode>) && !handle.closed)
    ) {
      throw invalidArg(
        'ERR_INVALID_ARG_VALUE',
        'closeFile takes a file opened by this uring engine',
      );
    }
    return handle.close() as Ret<M, void>;
  }

  // --------------------------------------------------------------- sockets

  /** Connects to `address` (CONNECT through the ring); `TCP_NODELAY` unless `noDelay: false`. */
  connectTcp(address: AddressLike, options?: TcpConnectOptions): Ret<M, TcpStream<M>> {
    return connectTcp(this.#socketHost, this.mode, address, options);
  }

  /**
   * Binds and listens on `address` (port 0 picks one). In async mode the
   * listener is also an async iterable of connections (multishot ACCEPT).
   */
  listenTcp(
    address: AddressLike,
    options?: TcpListenOptions,
  ): Ret<M, M extends 'async' ? AsyncTcpListener : TcpListener<M>> {
    return listenTcp(this.#socketHost, this.mode, address, options);
  }

  // ----------------------------------------------------- pipes and splice

  /** A kernel pipe (pipe2, O_CLOEXEC) for {@link splice} and {@link tee}; closed with the engine. */
  pipe(): UringPipe<M> {
    return openPipe<M>(
      this._core,
      (p) => this.#pipes.add(p),
      (p) => this.#pipes.delete(p),
    );
  }

  /**
   * Moves up to `length` bytes from `from` to `to` inside the kernel
   * (IORING_OP_SPLICE; one side must be a pipe); returns the bytes moved, 0
   * at the end of the input. Offsets apply to file sides; `undefined` for a pipe.
   */
  splice(
    from: SpliceEnd,
    fromOffset: number | undefined,
    to: SpliceEnd,
    toOffset: number | undefined,
    length: number,
    options?: SpliceOptions,
  ): Ret<M, number> {
    return splice<M>(this._core, from, fromOffset, to, toOffset, length, options);
  }

  /** Duplicates up to `length` bytes of pipe `from` into pipe `to` without consuming them (IORING_OP_TEE). */
  tee(from: SpliceEnd, to: SpliceEnd, length: number, options?: SpliceOptions): Ret<M, number> {
    return tee<M>(this._core, from, to, length, options);
  }

  /**
   * A provided-buffer ring (IORING_REGISTER_PBUF_RING) for
   * `receiveChunks(ring)` on streams and datagram sockets: `count` buffers
   * of `size` bytes the kernel picks from as data arrives. Closed with the engine.
   */
  createBufferRing(options?: BufferRingOptions): UringBufferRing {
    this._core.assertOpen('create a buffer ring');
    let bgid = 0;
    while (this.#bufferRings.has(bgid)) bgid++;
    if (bgid > 0xffff) {
      throw new IoError({
        code: 'EBUSY',
        engine: 'uring',
        message: 'EBUSY: every buffer group id is taken',
      });
    }
    const r = new UringBufferRing(this._core, bgid, options, (x) =>
      this.#bufferRings.delete(x.bgid),
    );
    this.#bufferRings.set(bgid, r);
    return r;
  }

  // ------------------------------------------------------------------- UDP

  /** Creates an unbound UDP socket (socket(2); sends and receives go through the ring). */
  createUdpSocket(options?: UringUdpSocketOptions): Ret<M, UringUdpSocket<M>> {
    const s = openUdp(this.#socketHost, this.mode, options);
    return (this.mode === 'sync' ? s : Promise.resolve(s)) as Ret<M, UringUdpSocket<M>>;
  }

  /** Binds `socket` to `address` (port 0 picks a free port); returns the bound address. */
  bindUdp(socket: UdpSocket<M>, address: AddressLike): Ret<M, SocketAddress> {
    const a = bindDatagram(this.#socketHost, socket, address);
    return (this.mode === 'sync' ? a : Promise.resolve(a)) as Ret<M, SocketAddress>;
  }

  /**
   * Sends one datagram (SENDMSG, the destination in the msghdr); returns
   * the bytes sent. An engine buffer is consumed: back in the pool once sent.
   */
  send(
    socket: UdpSocket<M>,
    data: ByteSource,
    to: AddressLike,
    options?: OpOptions,
  ): Ret<M, number> {
    return sendOne(this.#socketHost, socket, data, to, options) as Ret<M, number>;
  }

  /** Receives one datagram (RECVMSG) into `out`'s free space; `truncated` when it was cut. */
  recv(socket: UdpSocket<M>, out: OutputBuffer, options?: OpOptions): Ret<M, Received> {
    return recvOne(this.#socketHost, socket, out, options) as Ret<M, Received>;
  }

  /** Sends datagrams in order as linked SENDMSGs in one submission; returns how many were sent (a prefix). */
  sendMany(
    socket: UdpSocket<M>,
    datagrams: readonly Outgoing[],
    options?: OpOptions,
  ): Ret<M, number> {
    return sendBatch(this.#socketHost, socket, datagrams, options) as Ret<M, number>;
  }

  /**
   * Receives at least one datagram (waits for it), then whatever is already
   * queued, up to `buffers.length` (linked RECVMSGs, MSG_DONTWAIT after the first).
   */
  recvMany(
    socket: UdpSocket<M>,
    buffers: readonly OutputBuffer[],
    options?: OpOptions,
  ): Ret<M, ReceivedBatch & { truncated: boolean[] }> {
    return recvBatch(this.#socketHost, socket, buffers, options) as Ret<
      M,
      ReceivedBatch & { truncated: boolean[] }
    >;
  }

  /** Closes a datagram socket (same as `socket.close()`); a waiting receive fails with EBADF. */
  closeUdp(socket: UdpSocket<M> | UringUnixDatagramSocket<M>): Ret<M, void> {
    return datagramOf(this.#socketHost, socket, 'closeUdp').close() as Ret<M, void>;
  }

  // -------------------------------------------------- messages, Unix sockets

  /**
   * One SENDMSG on any socket of this engine: gather data, a destination
   * (datagram sockets), control messages (SCM_RIGHTS descriptors …).
   */
  sendMsg(
    socket: TcpStream<M> | UdpSocket<M> | UringUnixDatagramSocket<M>,
    message: MessageOut,
    options?: OpOptions,
  ): Ret<M, number> {
    return sendMessage(this.#socketHost, socket, message, options) as Ret<M, number>;
  }

  /**
   * One SENDMSG_ZC on any socket of this engine: sendMsg without copying
   * the data, which must be an engine buffer or a BufferList. Returns the
   * bytes sent; the data stays in flight (`ERR_BUFFER_IN_FLIGHT` if touched)
   * until the kernel's notification — {@link zeroCopyIdle} waits for it —
   * and is then the caller's again (not consumed). ERR_UNSUPPORTED when the
   * kernel lacks SENDMSG_ZC.
   */
  sendMsgZeroCopy(
    socket: TcpStream<M> | UdpSocket<M> | UringUnixDatagramSocket<M>,
    message: MessageOut,
  ): Ret<M, number> {
    return sendMessageZeroCopy(this.#socketHost, socket, message) as Ret<M, number>;
  }

  /**
   * Waits until the kernel gave back the data of every zero-copy send on
   * `socket` (its notifications arrived). In sync mode this waits inside the
   * ring, so whatever lets the kernel release the pages (a peer's
   * acknowledgement, a packet leaving a queue) must not need this thread.
   */
  zeroCopyIdle(socket: TcpStream<M> | UdpSocket<M> | UringUnixDatagramSocket<M>): Ret<M, void> {
    return zeroCopyIdle(this._core, socket) as Ret<M, void>;
  }

  /** One RECVMSG on any socket of this engine; received descriptors are close-on-exec. */
  recvMsg(
    socket: TcpStream<M> | UdpSocket<M> | UringUnixDatagramSocket<M>,
    into: OutputBuffer | BufferList,
    options?: RecvMsgOptions,
  ): Ret<M, MessageIn> {
    return receiveMessage(this.#socketHost, socket, into, options) as Ret<M, MessageIn>;
  }

  /** Connects to a Unix stream or seqpacket listener (`'/path'` or `'@abstract'`) through the ring. */
  connectUnix(address: AddressLike, options?: UringUnixConnectOptions): Ret<M, UringTcpStream<M>> {
    return connectUnix(this.#socketHost, this.mode, address, options);
  }

  /** Listens on a Unix path or abstract name; in async mode also an async iterable of connections. */
  listenUnix(address: AddressLike, options?: UringUnixListenOptions): Ret<M, UringTcpListener<M>> {
    return listenUnix(this.#socketHost, this.mode, address, options);
  }

  /** A Unix datagram socket, bound to `bind` when given; send and receive with `send`/`recv`/`sendMsg`/`recvMsg`. */
  createUnixDatagram(options?: { bind?: AddressLike }): Ret<M, UringUnixDatagramSocket<M>> {
    const s = openUnixDatagram(this.#socketHost, this.mode, options);
    return (this.mode === 'sync' ? s : Promise.resolve(s)) as Ret<M, UringUnixDatagramSocket<M>>;
  }

  // --------------------------------------------------------------- buffers

  /** A registered buffer, owned by the caller until recycled; `ENOBUFS` when none is free. */
  getBuffer(): PooledBuffer {
    return this.#pool.getBuffer();
  }

  /** `n` registered buffers, all or none. */
  getBuffers(n: number): PooledBuffer[] {
    return this.#pool.getBuffers(n);
  }

  /** Gives a buffer back; recycling twice or a foreign buffer is an error. */
  recycleBuffer(buffer: PooledBuffer): void {
    this.#pool.recycleBuffer(buffer);
  }

  /** Gives several buffers back (all or none). */
  recycleBuffers(buffers: readonly PooledBuffer[]): void {
    this.#pool.recycleBuffers(buffers);
  }

  // ------------------------------------------------- timers, nop, batches

  /** A NOP through the ring: resolves when it completes (a round trip through the kernel). */
  nop(): Ret<M, void> {
    this._core.assertOpen('submit a nop');
    const r = this._core.simple(Op.NOP, -1, 0, 0, 0, 0, undefined);
    return (this.mode === 'sync' ? undefined : (r as Promise<number>).then(() => undefined)) as Ret<
      M,
      void
    >;
  }

  /** Standalone timeout (IORING_OP_TIMEOUT): settles after `ms`; an AbortSignal cancels it (async). */
  sleep(ms: number, options?: { signal?: AbortSignal }): Ret<M, void> {
    this._core.assertOpen('start a timeout');
    return this.#timers.sleep(ms, options);
  }

  /**
   * The batch API for hot loops: operations tagged with a number, one
   * handler for every completion, nothing allocated per operation.
   */
  batch(handler: BatchHandler): UringBatch {
    this._core.assertOpen('start a batch');
    return new UringBatch(this._core, this.#host, handler);
  }

  // ------------------------------------------------------------------ close

  /**
   * Closes every file, cancels what is in flight (those operations fail with
   * ERR_CLOSED once the kernel gives them up), then frees the ring and the
   * registered buffers. Closing twice is a no-op.
   */
  close(): Ret<M, void> {
    if (this.#closed) return (this.mode === 'sync' ? undefined : Promise.resolve()) as Ret<M, void>;
    this.#closed = true;
    const closes: unknown[] = [];
    for (const f of [...this.#files]) closes.push(f.close());
    for (const h of [...this.#sockets]) closes.push(h.close());
    for (const p of [...this.#pipes]) closes.push(p.close());
    const done = this._core.close();
    for (const r of [...this.#bufferRings.values()]) r._dispose();
    const release = () => {
      this.#pool.close();
    };
    if (this.mode === 'sync') {
      release();
      return undefined as Ret<M, void>;
    }
    return Promise.allSettled(closes)
      .then(() => done)
      .then(release) as Ret<M, void>;
  }
}

/**
 * Creates an io_uring engine: `createUringEngine({ mode: 'async' })`.
 * Fails with a clear error naming the fallback engines when io_uring is
 * unavailable here (disabled by sysctl, refused by a seccomp filter).
 */
export function createUringEngine<M extends Mode>(options: UringEngineOptions<M>): UringEngine<M> {
  return new UringEngine(options);
}
