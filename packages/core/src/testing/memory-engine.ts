import { IPv4Address, IPv6Address, InetSocketAddress, type SocketAddress } from '../address/index.js';
import { checkInt } from '../buffers/check.js';
import type { OutputBuffer } from '../buffers/output-buffer.js';
import { BufferPool, PooledBuffer } from '../buffers/pool.js';
import { type ByteSource, lendSource, lendTarget, settleSource, settleTarget } from '../buffers/source.js';
import { ALL_CAPABILITIES, type Capability } from '../capabilities.js';
import { IoError, invalidArg } from '../errors.js';
import type { Mode, Ret } from '../mode.js';
import type { IoEngine } from '../traits/engine.js';
import {
  CREATE_OPTION_KEYS,
  type CreateOptions,
  type File,
  type FileHandler,
  OPEN_OPTION_KEYS,
  type OpenOptions,
  type ReadableFile,
  type WritableFile,
} from '../traits/file.js';
import { type OpOptions, checkOptions } from '../traits/options.js';
import type { AsyncTcpListener, TcpConnectOptions, TcpListen, TcpListenOptions, TcpListener, TcpStream } from '../traits/tcp.js';
import type { AddressLike, Outgoing, Received, ReceivedBatch, UdpBasic, UdpBatch, UdpRecv, UdpSend, UdpSocket, UdpSocketOptions } from '../traits/udp.js';
import { FaultPlan, type FaultRule } from './faults.js';
import { type MemoryAccess, MemoryFile, MemoryInode, MEMORY_FILE_CAPABILITIES } from './memory-file.js';
import { MemoryTcpListener, MemoryTcpStream } from './memory-tcp.js';
import { MemoryNetwork, MemoryUdpSocket, udpDestination } from './memory-udp.js';
import { OpRunner, WOULD_BLOCK } from './runner.js';

/** Options of {@link createMemoryEngine}. */
export interface MemoryEngineOptions<M extends Mode> {
  /** `'sync'` or `'async'`. */
  mode: M;
  /** Faults to inject, in order (more can be added with `engine.faults.add`). */
  faults?: readonly FaultRule[];
  /** Share a network with other memory engines (default: a new one). */
  network?: MemoryNetwork;
  /** Buffers in the engine's pool (default 64). */
  bufferCount?: number;
  /** Bytes per pool buffer (default 4096). */
  bufferSize?: number;
}

const ENGINE = 'memory';

/**
 * An engine over memory that implements the file, UDP and TCP traits for
 * real — files are byte arrays, the network is queues — in either mode, with
 * deterministic fault injection. It is the specification made executable and
 * a tool for testing code written against binio's traits.
 */
export class MemoryEngine<M extends Mode>
  implements IoEngine<M>, FileHandler<M>, UdpBasic<M>, UdpSend<M>, UdpRecv<M>, UdpBatch<M>
{
  readonly name = ENGINE;
  readonly capabilities: ReadonlySet<Capability> = new Set(ALL_CAPABILITIES);
  /** The fault schedule; add rules at any time. */
  readonly faults = new FaultPlan();
  /** The network this engine's sockets live on. */
  readonly network: MemoryNetwork;
  /** The engine-owned buffers (`getBuffer`/`recycleBuffer`). */
  readonly pool: BufferPool;
  /** The file system: path → bytes. */
  readonly files = new Map<string, MemoryInode>();
  readonly #runner: OpRunner<M>;
  readonly #fileCaps: ReadonlySet<Capability> = new Set(MEMORY_FILE_CAPABILITIES);
  #closed = false;

  constructor(options: MemoryEngineOptions<M>) {
    checkOptions(options, ['mode', 'faults', 'network', 'bufferCount', 'bufferSize'], 'memory engine');
    if (options.mode !== 'sync' && options.mode !== 'async') {
      throw invalidArg('ERR_INVALID_ARG_VALUE', `mode must be 'sync' or 'async', got ${String(options.mode)}`);
    }
    this.mode = options.mode;
    this.network = options.network ?? new MemoryNetwork();
    this.pool = new BufferPool({
      engine: ENGINE,
      count: options.bufferCount ?? 64,
      size: options.bufferSize ?? 4096,
    });
    for (const f of options.faults ?? []) this.faults.add(f);
    this.#runner = new OpRunner(options.mode, ENGINE, this.faults);
  }

  readonly mode: M;

  // ---- files ----

  openReadOnly(path: string, options?: OpenOptions): Ret<M, ReadableFile<M>> {
    return this.#open(path, options, { readable: true, writable: false, append: false }, false);
  }

  openWriteOnly(path: string, options?: OpenOptions): Ret<M, WritableFile<M>> {
    return this.#open(path, options, { readable: false, writable: true, append: false }, false);
  }

  openReadWrite(path: string, options?: OpenOptions): Ret<M, File<M>> {
    return this.#open(path, options, { readable: true, writable: true, append: false }, false);
  }

  openAppend(path: string, options?: OpenOptions): Ret<M, WritableFile<M>> {
    return this.#open(path, options, { readable: false, writable: true, append: true }, false);
  }

  create(path: string, options?: CreateOptions): Ret<M, File<M>> {
    return this.#open(path, options, { readable: true, writable: true, append: false }, true);
  }

  closeFile(handle: ReadableFile<M> | WritableFile<M>): Ret<M, void> {
    if (!(handle instanceof MemoryFile)) {
      throw invalidArg('ERR_INVALID_ARG_VALUE', 'closeFile takes a file handle of this engine');
    }
    return handle.close();
  }

  #open(path: string, options: CreateOptions | undefined, access: MemoryAccess, create: boolean): Ret<M, File<M>> {
    this.#assertOpen();
    if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
      throw invalidArg('ERR_INVALID_ARG_VALUE', `path must be a non-empty string without NUL bytes, got ${JSON.stringify(path)}`);
    }
    const opts = checkOptions(options, create ? CREATE_OPTION_KEYS : OPEN_OPTION_KEYS, 'open');
    if (opts.direct) {
      throw new IoError({ code: 'ERR_UNSUPPORTED', engine: ENGINE, path, message: 'The memory engine has no page cache to bypass: direct IO is not supported' });
    }
    if (opts.sync !== undefined && opts.sync !== 'data' && opts.sync !== 'full') {
      throw invalidArg('ERR_INVALID_ARG_VALUE', `sync must be 'data' or 'full', got ${String(opts.sync)}`);
    }
    if (opts.mode !== undefined) checkInt('mode', opts.mode, 0, 0o7777);
    const exclusive = create && opts.exclusive !== false;
    const truncate = create ? opts.truncate !== false : opts.truncate === true;
    if (truncate && !access.writable) {
      throw invalidArg('ERR_INVALID_ARG_VALUE', 'truncate needs a file opened for writing');
    }
    return this.#runner.run({
      op: 'open',
      path,
      signal: opts.signal,
      attempt: () => {
        let inode = this.files.get(path);
        if (inode && exclusive) {
          throw new IoError({ code: 'EEXIST', errno: 17, syscall: 'open', engine: ENGINE, path, message: `EEXIST: file already exists, open '${path}'` });
        }
        if (!inode) {
          if (!create) {
            throw new IoError({ code: 'ENOENT', errno: 2, syscall: 'open', engine: ENGINE, path, message: `ENOENT: no such file, open '${path}'` });
          }
          inode = new MemoryInode();
          this.files.set(path, inode);
        }
        if (truncate) inode.size = 0;
        return new MemoryFile(path, inode, access, this.#runner, this.pool, this.#fileCaps);
      },
    });
  }

  // ---- buffers ----

  getBuffer(): PooledBuffer {
    return this.pool.getBuffer();
  }

  getBuffers(n: number): PooledBuffer[] {
    return this.pool.getBuffers(n);
  }

  recycleBuffer(buffer: PooledBuffer): void {
    this.pool.recycleBuffer(buffer);
  }

  recycleBuffers(buffers: readonly PooledBuffer[]): void {
    this.pool.recycleBuffers(buffers);
  }

  // ---- UDP ----

  createUdpSocket(options?: UdpSocketOptions): Ret<M, UdpSocket<M>> {
    this.#assertOpen();
    const opts = checkOptions(options, ['family', 'reuseAddress', 'reusePort', 'receiveBufferSize', 'sendBufferSize'], 'UDP socket');
    const family = opts.family ?? 'ipv4';
    if (family !== 'ipv4' && family !== 'ipv6') {
      throw invalidArg('ERR_INVALID_ARG_VALUE', `family must be 'ipv4' or 'ipv6', got ${String(family)}`);
    }
    return this.#runner.run({ op: 'open', attempt: () => new MemoryUdpSocket(this.mode, family, this.network, new Set()) });
  }

  bindUdp(socket: UdpSocket<M>, address: AddressLike): Ret<M, SocketAddress> {
    const s = this.#udp(socket, 'bind');
    const to = udpDestination(address);
    return this.#runner.run({ op: 'open', attempt: () => s.bind(to) });
  }

  send(socket: UdpSocket<M>, data: ByteSource, to: AddressLike, options?: OpOptions): Ret<M, number> {
    const opts = checkOptions(options, ['retryOnInterrupt', 'signal'], 'send');
    const s = this.#udp(socket, 'send');
    const dest = udpDestination(to);
    const view = lendSource(data);
    let n = 0;
    return this.#runner.run({
      op: 'send',
      retry: opts.retryOnInterrupt,
      signal: opts.signal,
      attempt: () => {
        n = this.#deliver(s, view, dest);
        return n;
      },
      settle: () => this.#consume(data),
    });
  }

  /** Gives a sent source back: the engine's own buffers return to its pool. */
  #consume(data: ByteSource): void {
    settleSource(data, 0);
    if (data instanceof PooledBuffer && data.pool === this.pool) this.pool.recycleBuffer(data);
  }

  recv(socket: UdpSocket<M>, out: OutputBuffer, options?: OpOptions): Ret<M, Received> {
    const opts = checkOptions(options, ['retryOnInterrupt', 'signal'], 'recv');
    const s = this.#udp(socket, 'recv');
    const view = lendTarget(out);
    let n = 0;
    return this.#runner.run<Received>({
      op: 'recv',
      retry: opts.retryOnInterrupt,
      signal: opts.signal,
      readiness: s.readiness,
      attempt: () => {
        if (s.closed) throw this.#closedError('recv');
        const d = s.queue.shift();
        if (!d) return WOULD_BLOCK;
        n = Math.min(view.byteLength, d.data.byteLength);
        view.set(d.data.subarray(0, n));
        return { bytes: n, from: d.from, truncated: n < d.data.byteLength };
      },
      settle: (ok) => settleTarget(out, ok ? n : 0),
    });
  }

  sendMany(socket: UdpSocket<M>, datagrams: readonly Outgoing[], options?: OpOptions): Ret<M, number> {
    const opts = checkOptions(options, ['retryOnInterrupt', 'signal'], 'sendMany');
    const s = this.#udp(socket, 'sendmmsg');
    if (!Array.isArray(datagrams)) throw invalidArg('ERR_INVALID_ARG_TYPE', 'datagrams must be an array of { data, to }');
    const dests = datagrams.map((d) => udpDestination(d.to));
    const views: Uint8Array[] = [];
    try {
      for (const d of datagrams) views.push(lendSource(d.data));
    } catch (e) {
      // Give back what was lent before the bad element: nothing stays held.
      for (let i = 0; i < views.length; i++) settleSource(datagrams[i]!.data, 0);
      throw e;
    }
    return this.#runner.run({
      op: 'send',
      retry: opts.retryOnInterrupt,
      signal: opts.signal,
      attempt: () => {
        for (let i = 0; i < views.length; i++) this.#deliver(s, views[i]!, dests[i]!);
        return views.length;
      },
      settle: () => {
        for (const d of datagrams) this.#consume(d.data);
      },
    });
  }

  recvMany(socket: UdpSocket<M>, buffers: readonly OutputBuffer[], options?: OpOptions): Ret<M, ReceivedBatch> {
    const opts = checkOptions(options, ['retryOnInterrupt', 'signal'], 'recvMany');
    const s = this.#udp(socket, 'recvmmsg');
    if (!Array.isArray(buffers) || buffers.length === 0) {
      throw invalidArg('ERR_INVALID_ARG_VALUE', 'recvMany needs a non-empty array of OutputBuffers');
    }
    const views: Uint8Array[] = [];
    try {
      for (const b of buffers) views.push(lendTarget(b));
    } catch (e) {
      for (let i = 0; i < views.length; i++) settleTarget(buffers[i]!, 0);
      throw e;
    }
    const counts = new Array<number>(buffers.length).fill(0);
    return this.#runner.run<ReceivedBatch>({
      op: 'recv',
      retry: opts.retryOnInterrupt,
      signal: opts.signal,
      readiness: s.readiness,
      attempt: () => {
        if (s.closed) throw this.#closedError('recvmmsg');
        if (s.queue.length === 0) return WOULD_BLOCK;
        const from: SocketAddress[] = [];
        let i = 0;
        for (; i < views.length && s.queue.length > 0; i++) {
          const d = s.queue.shift()!;
          const n = Math.min(views[i]!.byteLength, d.data.byteLength);
          views[i]!.set(d.data.subarray(0, n));
          counts[i] = n;
          from.push(d.from);
        }
        return { count: i, from };
      },
      settle: (ok) => {
        for (let i = 0; i < buffers.length; i++) settleTarget(buffers[i]!, ok ? counts[i]! : 0);
      },
    });
  }

  closeUdp(socket: UdpSocket<M>): Ret<M, void> {
    if (!(socket instanceof MemoryUdpSocket)) throw invalidArg('ERR_INVALID_ARG_VALUE', 'closeUdp takes a UDP socket of this engine');
    return socket.close() as Ret<M, void>;
  }

  #deliver(s: MemoryUdpSocket<M>, view: Uint8Array, dest: InetSocketAddress): number {
    if (s.closed) throw this.#closedError('send');
    if (dest.family !== s.family) {
      throw new IoError({ code: 'EAFNOSUPPORT', errno: 97, syscall: 'sendto', address: dest.toString(), engine: ENGINE, message: `EAFNOSUPPORT: an ${s.family} socket cannot send to ${dest.toString()}` });
    }
    if (view.byteLength > 65507) {
      throw new IoError({ code: 'EMSGSIZE', errno: 90, syscall: 'sendto', engine: ENGINE, message: `EMSGSIZE: a ${view.byteLength}-byte datagram is larger than UDP allows` });
    }
    const from = s.source();
    const target = this.network.findUdp(dest);
    if (target && !target.closed) {
      target.queue.push({ data: view.slice(), from });
      target.readiness.notify();
    }
    return view.byteLength;
  }

  #udp(socket: UdpSocket<M>, syscall: string): MemoryUdpSocket<M> {
    this.#assertOpen();
    if (!(socket instanceof MemoryUdpSocket)) {
      throw invalidArg('ERR_INVALID_ARG_VALUE', `${syscall} takes a UDP socket of this engine`);
    }
    if (socket.closed) throw this.#closedError(syscall);
    return socket as MemoryUdpSocket<M>;
  }

  #closedError(syscall: string): IoError {
    return new IoError({ code: 'EBADF', errno: 9, syscall, engine: ENGINE, message: `EBADF: ${syscall} on a closed socket` });
  }

  // ---- TCP ----

  listenTcp(address: AddressLike, options?: TcpListenOptions): Ret<M, M extends 'async' ? AsyncTcpListener : TcpListener<M>> {
    this.#assertOpen();
    const opts = checkOptions(options, ['backlog', 'reuseAddress', 'reusePort'], 'listen');
    if (opts.backlog !== undefined) checkInt('backlog', opts.backlog, 0, 65535);
    let at = udpDestination(address);
    return this.#runner.run({
      op: 'open',
      attempt: () => {
        if (at.port === 0) at = new InetSocketAddress(at.ip, this.network.ephemeralPort((p) => this.network.tcp.has(new InetSocketAddress(at.ip, p).toString())));
        const key = at.toString();
        if (this.network.tcp.has(key)) {
          throw new IoError({ code: 'EADDRINUSE', errno: 98, syscall: 'listen', address: key, engine: ENGINE, message: `EADDRINUSE: ${key} is in use` });
        }
        const l = new MemoryTcpListener(this.#runner, this.network, at);
        this.network.tcp.set(key, { accept: (s) => l.accept_(s as MemoryTcpStream<M>) });
        return l;
      },
    }) as unknown as Ret<M, M extends 'async' ? AsyncTcpListener : TcpListener<M>>;
  }

  connectTcp(address: AddressLike, options?: TcpConnectOptions): Ret<M, TcpStream<M>> {
    this.#assertOpen();
    const opts = checkOptions(options, ['noDelay', 'signal'], 'connect');
    const to = udpDestination(address);
    return this.#runner.run<TcpStream<M>>({
      op: 'connect',
      signal: opts.signal,
      attempt: () => {
        const l = this.network.tcp.get(to.toString()) ??
          this.network.tcp.get(new InetSocketAddress(to.family === 'ipv4' ? IPv4Address.ANY : IPv6Address.ANY, to.port).toString());
        if (!l) {
          throw new IoError({ code: 'ECONNREFUSED', errno: 111, syscall: 'connect', address: to.toString(), engine: ENGINE, message: `ECONNREFUSED: nothing listens on ${to.toString()}` });
        }
        const local = new InetSocketAddress(to.ip, this.network.ephemeralPort(() => false));
        const client = new MemoryTcpStream(this.#runner, local, to);
        const server = new MemoryTcpStream(this.#runner, to, local);
        client.peer = server;
        server.peer = client;
        l.accept(server);
        return client;
      },
    });
  }

  // ---- lifecycle ----

  close(): Ret<M, void> {
    if (!this.#closed) {
      this.#closed = true;
      this.pool.close();
    }
    return (this.mode === 'sync' ? undefined : Promise.resolve()) as Ret<M, void>;
  }

  #assertOpen(): void {
    if (this.#closed) throw new IoError({ code: 'ERR_CLOSED', engine: ENGINE, message: 'The memory engine is closed' });
  }
}

/** Creates a {@link MemoryEngine}: `createMemoryEngine({ mode: 'sync' })`. */
export function createMemoryEngine<M extends Mode>(options: MemoryEngineOptions<M>): MemoryEngine<M> {
  return new MemoryEngine(options);
}

// TcpListen's conditional return type is checked here rather than on the class.
const _check: <M extends Mode>(e: MemoryEngine<M>) => TcpListen<M> = (e) => e;
void _check;
