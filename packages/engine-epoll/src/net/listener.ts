import {
  type AsyncTcpListener,
  type SocketAddress,
  UnixSocketAddress,
  checkInt,
  checkOptions,
  isIoError,
} from '@binio/core';
import { E, SOCK, errnoNumber } from '@binio/engine-posix/linux';
import {
  NativeBlock,
  SOCKADDR_MAX,
  SocketHandle,
  type SocketKind,
  SocketState,
  decodeSockaddr,
  discardFd,
  lastErrno,
  localName,
} from '@binio/engine-posix/socket';
import { closedError, sysError } from '../errors.js';
import type { Host } from '../host.js';
import { type EpollWaitOptions, WAIT_KEYS, parseOptions } from '../options.js';
import { AGAIN, type Attempt, Op } from '../reactor/op.js';
import { READ, Source } from '../reactor/source.js';
import { calls } from '../sys/shared-calls.js';
import { closeSocket } from './close.js';
import { STREAM_INTEREST } from './interest.js';
import { EpollStream } from './stream.js';

const { accept4 } = calls;
const ECONNABORTED = errnoNumber('ECONNABORTED') ?? 103;
const ACCEPT_FLAGS = SOCK.SOCK_CLOEXEC | SOCK.SOCK_NONBLOCK;

// accept4's name scratch: filled and decoded within one attempt.
const names = new NativeBlock(SOCKADDR_MAX + 8);
const LEN_AT = SOCKADDR_MAX;

const CHILD_KIND: Partial<Record<SocketKind, SocketKind>> = {
  'tcp-listener': 'tcp',
  'unix-stream-listener': 'unix-stream',
  'unix-seqpacket-listener': 'unix-seqpacket',
};

/** Options of {@link EpollListener.connections}. */
export interface ConnectionsOptions extends EpollWaitOptions {
  /** Connections taken per readiness event at most (default 64). */
  batch?: number;
}

/**
 * `accept4` until the backlog is empty (EAGAIN) or `max` connections were
 * taken: the first is the result, the others go to `extra` (multi-shot).
 */
class AcceptOp extends Op<EpollStream> {
  constructor(
    readonly listener: EpollListener,
    readonly max: number,
    readonly extra: EpollStream[] | undefined,
  ) {
    super();
  }

  get syscall(): string {
    return 'accept4';
  }

  attempt(): Attempt {
    let first: EpollStream | undefined;
    let taken = 0;
    const fd = this.listener.fd;
    while (taken < this.max) {
      names.u32[LEN_AT >>> 2] = SOCKADDR_MAX;
      const child = accept4(fd, names.address, names.address + LEN_AT, ACCEPT_FLAGS);
      if (child < 0) {
        const errno = lastErrno();
        // The peer gave up while queued, or a signal came: try the next one.
        if (errno === ECONNABORTED || errno === E.EINTR) continue;
        if (errno === E.EAGAIN) break;
        if (first !== undefined) break; // report it on the next call, keep what we have
        return this.fail(sysError(errno, 'accept4', String(this.listener.localAddress)));
      }
      let stream: EpollStream;
      try {
        const remote =
          decodeSockaddr(names.bytes, 0, names.u32[LEN_AT >>> 2]!) ?? UnixSocketAddress.unnamed();
        stream = this.listener._adopt(child, remote);
      } catch (e) {
        discardFd(child);
        if (first !== undefined) break;
        return this.fail(e);
      }
      taken++;
      if (first === undefined) first = stream;
      else this.extra!.push(stream);
    }
    return first === undefined ? AGAIN : this.done(first);
  }

  abandon(): void {}
}

/**
 * A listening socket (TCP, Unix stream or Unix seqpacket). `accept` waits
 * for the next connection. The listener is an async iterable of
 * connections (multi-shot accept: each readiness event takes every queued
 * connection, up to a batch, with one `accept4` each); the iteration ends
 * when the listener is closed, and connections it took but never handed
 * out are closed when the loop ends early.
 */
export class EpollListener extends SocketHandle<'async'> implements AsyncTcpListener {
  /** The bound address (with the chosen port). */
  readonly localAddress: SocketAddress;
  /** @internal */
  readonly _io: Source;
  readonly #host: Host;

  /** @internal made by listenTcp/listenUnix */
  constructor(host: Host, state: SocketState, source: Source, local: SocketAddress) {
    super(state);
    this.#host = host;
    this._io = source;
    this.localAddress = local;
    host.track(this);
  }

  /** Waits for and returns the next connection. */
  accept(options?: EpollWaitOptions): Promise<EpollStream> {
    try {
      const o = parseOptions(options, WAIT_KEYS, 'accept');
      if (this._state.closed) throw closedError(this._state.what, 'accept4');
      return this._io.run(new AcceptOp(this, 1, undefined), READ, o);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Connections as they come (multi-shot accept); see the class description. */
  connections(options?: ConnectionsOptions): AsyncIterableIterator<EpollStream> {
    const o = checkOptions(options, [...WAIT_KEYS, 'batch'], 'connections');
    const batch = o.batch === undefined ? 64 : checkInt('batch', o.batch, 1, 4096);
    const wait = parseOptions({ signal: o.signal, timeout: o.timeout }, WAIT_KEYS, 'connections');
    return new Connections(this, batch, wait);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<EpollStream> {
    return this.connections();
  }

  /** @internal wraps an accepted descriptor */
  _adopt(fd: number, remote: SocketAddress): EpollStream {
    const state = new SocketState(
      fd,
      'async',
      CHILD_KIND[this._state.kind]!,
      this._state.family,
      true,
    );
    const source = new Source(this.#host.reactor, fd, STREAM_INTEREST, state.what);
    const local =
      this._state.family === 'unix' ? this.localAddress : (localName(fd) ?? this.localAddress);
    return new EpollStream(this.#host, state, source, local, remote);
  }

  /** Stops listening: a parked accept fails with `EBADF`, an iteration ends. */
  override close(): Promise<void> {
    return closeSocket(this.#host, this, this._state, this._io);
  }
}

/** The async iterator behind `for await (const c of listener)`. */
class Connections implements AsyncIterableIterator<EpollStream> {
  readonly #listener: EpollListener;
  readonly #batch: number;
  readonly #wait: ReturnType<typeof parseOptions>;
  #ready: EpollStream[] = [];
  #finished = false;
  #pending: AcceptOp | undefined;

  constructor(listener: EpollListener, batch: number, wait: ReturnType<typeof parseOptions>) {
    this.#listener = listener;
    this.#batch = batch;
    this.#wait = wait;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<EpollStream>> {
    const ready = this.#ready.shift();
    if (ready !== undefined) return Promise.resolve({ value: ready, done: false });
    if (this.#finished || this.#listener.closed) return this.#end();
    const op = new AcceptOp(this.#listener, this.#batch, this.#ready);
    this.#pending = op;
    return this.#listener._io.run(op, READ, this.#wait).then(
      (value) => {
        this.#pending = undefined;
        if (this.#finished) {
          // return() came while the accept waited: nobody will take these.
          void value.close();
          return this.#end();
        }
        return { value, done: false as const };
      },
      (e: unknown) => {
        this.#pending = undefined;
        if (this.#finished || (isIoError(e) && e.code === 'EBADF' && this.#listener.closed))
          return this.#end();
        throw e;
      },
    );
  }

  return(): Promise<IteratorResult<EpollStream>> {
    this.#finished = true;
    const op = this.#pending;
    if (op !== undefined && op.source !== undefined)
      op.source.cancel(op, READ, closedError('connection iterator', 'accept4'));
    return this.#end();
  }

  #end(): Promise<IteratorResult<EpollStream>> {
    this.#finished = true;
    const left = this.#ready;
    this.#ready = [];
    return Promise.all(left.map((s) => s.close())).then(() => ({
      value: undefined,
      done: true as const,
    }));
  }
}
