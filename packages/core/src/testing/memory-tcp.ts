import type { InetSocketAddress } from '../address/index.js';
import { checkInt } from '../buffers/check.js';
import type { OutputBuffer } from '../buffers/output-buffer.js';
import { type ByteSource, lendSource, lendTarget, settleSource, settleTarget } from '../buffers/source.js';
import type { Capability } from '../capabilities.js';
import { IoError, invalidArg } from '../errors.js';
import type { Mode, Ret } from '../mode.js';
import { readFillingVia, writeAllVia } from '../span.js';
import type { ReadOptions, WriteOptions } from '../traits/options.js';
import { READ_OPTION_KEYS, WRITE_OPTION_KEYS, checkOptions } from '../traits/options.js';
import type { TcpListener, TcpStream } from '../traits/tcp.js';
import type { MemoryNetwork } from './memory-udp.js';
import { type OpRunner, Readiness, WOULD_BLOCK } from './runner.js';

/** One end of a memory TCP connection: bytes flow into the peer's inbound queue. */
export class MemoryTcpStream<M extends Mode> implements TcpStream<M> {
  readonly capabilities: ReadonlySet<Capability> = new Set();
  readonly readiness = new Readiness();
  /** @internal */ inbound: Uint8Array[] = [];
  /** @internal */ peer: MemoryTcpStream<M> | undefined;
  /** @internal */ eof = false;
  #writeShut = false;
  #readShut = false;
  #closed = false;

  constructor(
    readonly runner: OpRunner<M>,
    readonly localAddress: InetSocketAddress,
    readonly remoteAddress: InetSocketAddress,
  ) {}

  get mode(): M {
    return this.runner.mode;
  }

  get closed(): boolean {
    return this.#closed;
  }

  readInto(out: OutputBuffer, options?: ReadOptions): Ret<M, number> {
    const opts = checkOptions(options, READ_OPTION_KEYS, 'recv');
    if (opts.offset !== undefined) throw invalidArg('ERR_INVALID_ARG_VALUE', 'A stream socket has no offsets (ESPIPE); omit offset');
    const max = opts.maxBytes === undefined ? undefined : checkInt('maxBytes', opts.maxBytes, 0, 2 ** 31);
    this.#check('recv');
    const view = lendTarget(out, max);
    let n = 0;
    return this.runner.run({
      op: 'recv',
      retry: opts.retryOnInterrupt,
      signal: opts.signal,
      readiness: this.readiness,
      attempt: (cap) => {
        this.#check('recv');
        if (view.byteLength === 0 || this.#readShut) return 0;
        if (this.inbound.length === 0) return this.eof ? 0 : WOULD_BLOCK;
        n = 0;
        let budget = Math.min(cap, view.byteLength);
        while (budget > 0 && this.inbound.length > 0) {
          const chunk = this.inbound[0]!;
          const take = Math.min(budget, chunk.byteLength);
          view.set(chunk.subarray(0, take), n);
          n += take;
          budget -= take;
          if (take === chunk.byteLength) this.inbound.shift();
          else this.inbound[0] = chunk.subarray(take);
        }
        return n;
      },
      settle: (ok) => settleTarget(out, ok ? n : 0),
    });
  }

  readFilling(out: OutputBuffer, options?: ReadOptions): Ret<M, number> {
    return readFillingVia(this.mode, out, options, (o, opts) => this.readInto(o, opts));
  }

  write(data: ByteSource, options?: WriteOptions): Ret<M, number> {
    const opts = checkOptions(options, WRITE_OPTION_KEYS, 'send');
    if (opts.offset !== undefined) throw invalidArg('ERR_INVALID_ARG_VALUE', 'A stream socket has no offsets (ESPIPE); omit offset');
    const max = opts.maxBytes === undefined ? undefined : checkInt('maxBytes', opts.maxBytes, 0, 2 ** 31);
    this.#check('send');
    const all = lendSource(data);
    const view = max === undefined ? all : all.subarray(0, max);
    let n = 0;
    return this.runner.run({
      op: 'send',
      retry: opts.retryOnInterrupt,
      signal: opts.signal,
      attempt: (cap) => {
        this.#check('send');
        const peer = this.peer;
        if (this.#writeShut || !peer || peer.closed) {
          throw new IoError({ code: 'EPIPE', errno: 32, syscall: 'send', engine: this.runner.engine, message: 'EPIPE: the connection is shut down for writing or the peer closed it' });
        }
        n = Math.min(cap, view.byteLength);
        if (n > 0) {
          peer.inbound.push(view.slice(0, n));
          peer.readiness.notify();
        }
        return n;
      },
      settle: (ok) => settleSource(data, ok ? n : 0),
    });
  }

  writeAll(data: ByteSource, options?: WriteOptions): Ret<M, void> {
    return writeAllVia(this.mode, data, options, (src, opts) => this.write(src, opts));
  }

  shutdown(how: 'read' | 'write' | 'both' = 'write'): Ret<M, void> {
    if (how !== 'read' && how !== 'write' && how !== 'both') {
      throw invalidArg('ERR_INVALID_ARG_VALUE', `shutdown 'how' must be 'read', 'write' or 'both', got ${String(how)}`);
    }
    this.#check('shutdown');
    return this.runner.run({
      op: 'send',
      attempt: () => {
        if (how !== 'read') {
          this.#writeShut = true;
          if (this.peer) {
            this.peer.eof = true;
            this.peer.readiness.notify();
          }
        }
        if (how !== 'write') this.#readShut = true;
      },
    });
  }

  close(): Ret<M, void> {
    if (!this.#closed) {
      this.#closed = true;
      if (this.peer) {
        this.peer.eof = true;
        this.peer.readiness.notify();
      }
      this.readiness.notify();
    }
    return (this.mode === 'sync' ? undefined : Promise.resolve()) as Ret<M, void>;
  }

  #check(syscall: string): void {
    if (this.#closed) {
      throw new IoError({ code: 'EBADF', errno: 9, syscall, engine: this.runner.engine, message: `EBADF: ${syscall} on a closed socket` });
    }
  }
}

/** A memory TCP listener: connections queue until accepted. */
export class MemoryTcpListener<M extends Mode> implements TcpListener<M> {
  readonly capabilities: ReadonlySet<Capability> = new Set();
  readonly readiness = new Readiness();
  /** @internal */ pending: MemoryTcpStream<M>[] = [];
  #closed = false;

  constructor(
    readonly runner: OpRunner<M>,
    readonly network: MemoryNetwork,
    readonly localAddress: InetSocketAddress,
  ) {}

  get mode(): M {
    return this.runner.mode;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** @internal called by connect */
  accept_(stream: MemoryTcpStream<M>): void {
    this.pending.push(stream);
    this.readiness.notify();
  }

  accept(options?: { signal?: AbortSignal }): Ret<M, TcpStream<M>> {
    const opts = checkOptions(options, ['signal'], 'accept');
    this.#check();
    return this.runner.run<TcpStream<M>>({
      op: 'accept',
      signal: opts.signal,
      readiness: this.readiness,
      attempt: () => {
        this.#check();
        return this.pending.shift() ?? WOULD_BLOCK;
      },
    });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TcpStream<'async'>> {
    while (!this.#closed) {
      try {
        yield (await this.accept()) as unknown as TcpStream<'async'>;
      } catch (e) {
        if (this.#closed) return;
        throw e;
      }
    }
  }

  close(): Ret<M, void> {
    if (!this.#closed) {
      this.#closed = true;
      this.network.tcp.delete(this.localAddress.toString());
      for (const s of this.pending) s.close();
      this.pending = [];
      this.readiness.notify();
    }
    return (this.mode === 'sync' ? undefined : Promise.resolve()) as Ret<M, void>;
  }

  #check(): void {
    if (this.#closed) {
      throw new IoError({ code: 'EBADF', errno: 9, syscall: 'accept', engine: this.runner.engine, message: 'EBADF: accept on a closed listener' });
    }
  }
}
