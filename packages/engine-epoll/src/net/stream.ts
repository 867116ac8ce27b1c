import {
  type ByteSource,
  type Capability,
  type OutputBuffer,
  type SocketAddress,
  type TcpStream,
  invalidArg,
  lendSource,
  lendTarget,
  settleSource,
  settleTarget,
} from '@binio/core';
import { SHUT } from '@binio/engine-posix/linux';
import { SocketHandle, type SocketState, addressOf, lastErrno } from '@binio/engine-posix/socket';
import { closedError, sysError } from '../errors.js';
import type { Host } from '../host.js';
import {
  type EpollReadOptions,
  type EpollWriteOptions,
  STREAM_KEYS,
  parseOptions,
} from '../options.js';
import { READ, type Source, WRITE } from '../reactor/source.js';
import { calls } from '../sys/shared-calls.js';
import { closeSocket } from './close.js';
import { type RecordRead, RecordReadOp, StreamRead, StreamWrite } from './stream-ops.js';

const CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>(['handle.writer']);
const HOW = { read: SHUT.SHUT_RD, write: SHUT.SHUT_WR, both: SHUT.SHUT_RDWR } as const;
const RESOLVED_ZERO = Promise.resolve(0);
const RESOLVED: Promise<undefined> = Promise.resolve(undefined);

/**
 * A connected stream socket of the epoll engine: TCP, Unix stream or Unix
 * seqpacket. Every read and write is one non-blocking system call, tried at
 * once; when the kernel says EAGAIN it waits in this socket's queue until
 * epoll reports it ready (reads and writes each in issue order), until its
 * `signal` aborts, its `timeout` passes, or the stream is closed. Typed
 * socket options (`setOption`/`getOption`) come from the posix engine's
 * socket half.
 */
export class EpollStream extends SocketHandle<'async'> implements TcpStream<'async'> {
  /** Our end. */
  readonly localAddress: SocketAddress;
  /** The peer. */
  readonly remoteAddress: SocketAddress;
  /** @internal The descriptor's queues and registration. */
  readonly _io: Source;
  readonly #host: Host;

  /** @internal made by connect, accept and socketPair */
  constructor(
    host: Host,
    state: SocketState,
    source: Source,
    local: SocketAddress,
    remote: SocketAddress,
  ) {
    super(state);
    this.#host = host;
    this._io = source;
    this.localAddress = local;
    this.remoteAddress = remote;
    host.track(this);
  }

  /** `handle.writer` (`writeBuffer`). */
  override get capabilities(): ReadonlySet<Capability> {
    return CAPABILITIES;
  }

  /** One receive into `out`'s free space (at most `maxBytes`); 0 at end of stream. */
  readInto(out: OutputBuffer, options?: EpollReadOptions): Promise<number> {
    return this.#read(out, options, false, 'readInto');
  }

  /** Receives until `out` is full (or `maxBytes` arrived) or the stream ends; returns the bytes read. */
  readFilling(out: OutputBuffer, options?: EpollReadOptions): Promise<number> {
    return this.#read(out, options, true, 'readFilling');
  }

  #read(
    out: OutputBuffer,
    options: EpollReadOptions | undefined,
    fill: boolean,
    what: string,
  ): Promise<number> {
    try {
      const o = parseOptions(options, STREAM_KEYS, what);
      if (this._state.closed) throw closedError(this._state.what, 'recv');
      const view = lendTarget(out, o.max);
      if (view.byteLength === 0) {
        settleTarget(out, 0);
        return RESOLVED_ZERO;
      }
      const byteStream = this._state.kind !== 'unix-seqpacket';
      const op = new StreamRead(
        this,
        out,
        addressOf(view),
        view.byteLength,
        fill,
        byteStream,
        o.retries,
      );
      return this._io.run(op, READ, o);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * One whole record of a seqpacket socket into `out`'s free space; a record
   * longer than the space is cut and reported (`truncated`).
   */
  readRecord(out: OutputBuffer, options?: EpollReadOptions): Promise<RecordRead> {
    try {
      const o = parseOptions(options, STREAM_KEYS, 'readRecord');
      if (this._state.kind !== 'unix-seqpacket') {
        throw invalidArg(
          'ERR_INVALID_ARG_VALUE',
          `readRecord needs a seqpacket socket; this is a ${this._state.what}`,
        );
      }
      if (this._state.closed) throw closedError(this._state.what, 'recv');
      const view = lendTarget(out, o.max);
      const op = new RecordReadOp(
        this,
        out,
        view.byteLength === 0 ? 0 : addressOf(view),
        view.byteLength,
        o.retries,
      );
      return this._io.run(op, READ, o);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** One send (at most `maxBytes`); may be partial; returns the bytes sent. */
  write(data: ByteSource, options?: EpollWriteOptions): Promise<number> {
    return this.#write(data, options, false, 'write') as Promise<number>;
  }

  /** Sends everything (or `maxBytes`), waiting for room as needed; resolves once all was sent. */
  writeAll(data: ByteSource, options?: EpollWriteOptions): Promise<void> {
    return this.#write(data, options, true, 'writeAll') as Promise<void>;
  }

  /** The proposal's `Writer`: everything or an error (same as {@link writeAll}). */
  writeBuffer(data: ByteSource, options?: EpollWriteOptions): Promise<void> {
    return this.writeAll(data, options);
  }

  #write(
    data: ByteSource,
    options: EpollWriteOptions | undefined,
    all: boolean,
    what: string,
  ): Promise<number | undefined> {
    try {
      const o = parseOptions(options, STREAM_KEYS, what);
      if (this._state.closed) throw closedError(this._state.what, 'send');
      const bytes = lendSource(data);
      const length = Math.min(bytes.byteLength, o.max);
      if (length === 0) {
        settleSource(data, 0);
        return all ? RESOLVED : RESOLVED_ZERO;
      }
      return this._io.run(
        new StreamWrite(this, data, addressOf(bytes), length, all, o.retries),
        WRITE,
        o,
      );
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Half-closes: `'write'` (the default) sends FIN — the peer reads what was
   * sent, then 0 —, `'read'` stops receiving, `'both'` does both. Parked
   * operations in a shut direction are woken and end (EOF for reads, `EPIPE`
   * for writes).
   */
  shutdown(how: 'read' | 'write' | 'both' = 'write'): Promise<void> {
    try {
      if (how !== 'read' && how !== 'write' && how !== 'both') {
        throw invalidArg(
          'ERR_INVALID_ARG_VALUE',
          `shutdown 'how' must be 'read', 'write' or 'both', got ${String(how)}`,
        );
      }
      if (this._state.closed) throw closedError(this._state.what, 'shutdown');
      if (calls.shutdown(this._state.fd, HOW[how]) < 0)
        throw sysError(lastErrno(), 'shutdown', String(this.remoteAddress));
      if (how !== 'write') this._io.kick(READ);
      if (how !== 'read') this._io.kick(WRITE);
      return RESOLVED as Promise<void>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Closes the stream: parked operations fail with `EBADF`; later ones too. Closing twice is a no-op. */
  override close(): Promise<void> {
    return closeSocket(this.#host, this, this._state, this._io);
  }
}
