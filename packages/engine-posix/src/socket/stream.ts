import {
  type BufferList,
  type ByteSource,
  type Capability,
  checkInt,
  checkOptions,
  invalidArg,
  lendSource,
  lendTarget,
  type Mode,
  type OpOptions,
  OutputBuffer,
  type ReadOptions,
  type Ret,
  type SocketAddress,
  settleSource,
  settleTarget,
  type TcpStream,
  type WriteOptions,
} from '@binio/core';
import { lastErrno } from '../libc/lib.js';
import { recvfrom, sendto, shutdown as shutdownCall } from '../libc/socket-calls.js';
import { errnoError } from '../linux/error.js';
import { MSG, POLL, SHUT } from '../linux/socket-constants.js';
import { opOptions } from './datagram-io.js';
import { SocketHandle } from './handle.js';
import { receiveMessage, sendMessage } from './message-io.js';
import { andThen, inMode } from './ret.js';
import { run } from './run.js';
import { sendFileTo } from './sendfile.js';
import type { SocketState } from './state.js';

const READ_KEYS = ['maxBytes', 'retryOnInterrupt', 'signal'] as const;
const CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>([
  'handle.writer',
  'handle.vectored',
]);

/** A record read from a seqpacket socket. */
export interface RecordRead {
  /** Bytes stored in the buffer. */
  bytes: number;
  /** True when the record was longer than the free space and its tail was discarded. */
  truncated: boolean;
}

/** Options of `sendFile`. */
export interface SendFileOptions extends OpOptions {
  /** Read from this file offset (the file's cursor does not move); default: the cursor (which moves). */
  offset?: number;
  /** Bytes to send (default: to the end of the file). */
  length?: number;
}

function readOptions(options: ReadOptions | undefined, what: string, what2: string) {
  if (options !== undefined) {
    checkOptions(options, [...READ_KEYS, 'offset'], what);
    if (options.offset !== undefined) {
      throw invalidArg(
        'ERR_INVALID_ARG_VALUE',
        `${what}: a ${what2} has no file offset; remove 'offset'`,
      );
    }
  }
  const max =
    options?.maxBytes === undefined
      ? Number.POSITIVE_INFINITY
      : checkInt('maxBytes', options.maxBytes, 0, 2 ** 31 - 1);
  return {
    max,
    ...opOptions(
      options === undefined
        ? undefined
        : { retryOnInterrupt: options.retryOnInterrupt, signal: options.signal },
      what,
    ),
  };
}

/**
 * A connected stream socket of the posix engine: TCP, Unix stream, or Unix
 * seqpacket (records; read them whole with {@link readRecord}). Span reads
 * and writes track partial transfers in the buffers; `writeAll` and
 * `readFilling` loop over them.
 */
export class PosixStream<M extends Mode> extends SocketHandle<M> implements TcpStream<M> {
  /** Our end. */
  readonly localAddress: SocketAddress;
  /** The peer. */
  readonly remoteAddress: SocketAddress;

  /** @internal created by connect and accept */
  constructor(state: SocketState, local: SocketAddress, remote: SocketAddress) {
    super(state);
    this.localAddress = local;
    this.remoteAddress = remote;
  }

  /** `handle.writer` (`writeBuffer`) and `handle.vectored` (`readv`/`writev`). */
  override get capabilities(): ReadonlySet<Capability> {
    return CAPABILITIES;
  }

  /** One receive into `out`'s free space (at most `maxBytes`); 0 at end of stream. */
  readInto(out: OutputBuffer, options?: ReadOptions): Ret<M, number> {
    return inMode(this.mode, () => this.#readInto(out, options, 'readInto'));
  }

  #readInto(
    out: OutputBuffer,
    options: ReadOptions | undefined,
    what: string,
  ): number | Promise<number> {
    const state = this._state;
    const fd = state.check('recv');
    const o = readOptions(options, what, state.what);
    const target = lendTarget(out, o.max);
    if (target.byteLength === 0) {
      settleTarget(out, 0);
      return 0;
    }
    const attempt = () => recvfrom(fd, target, target.byteLength, 0, null, null) as number;
    return andThen(
      () => run(state, 'recv', POLL.POLLIN, attempt, o),
      (n) => {
        settleTarget(out, n);
        return n;
      },
      () => settleTarget(out, 0),
    );
  }

  /** Receives until `out` is full (or `maxBytes` arrived) or the stream ends; returns the bytes read. */
  readFilling(out: OutputBuffer, options?: ReadOptions): Ret<M, number> {
    return inMode(this.mode, () => {
      if (!(out instanceof OutputBuffer))
        throw invalidArg('ERR_INVALID_ARG_TYPE', 'readFilling: out must be an OutputBuffer');
      const o = readOptions(options, 'readFilling', this._state.what);
      const goal = Math.min(out.freeCapacity, o.max);
      const step = (done: number): number | Promise<number> => {
        while (done < goal) {
          const n = this.#readInto(
            out,
            {
              maxBytes: goal - done,
              retryOnInterrupt: options?.retryOnInterrupt,
              signal: o.signal,
            },
            'readFilling',
          );
          if (typeof n !== 'number') return n.then((k) => (k === 0 ? done : step(done + k)));
          if (n === 0) break;
          done += n;
        }
        return done;
      };
      return step(0);
    });
  }

  /** One send (may be partial); returns the bytes written. An InputBuffer is consumed by them. */
  write(data: ByteSource, options?: WriteOptions): Ret<M, number> {
    return inMode(this.mode, () => this.#write(data, options, 'write'));
  }

  #write(
    data: ByteSource,
    options: WriteOptions | undefined,
    what: string,
  ): number | Promise<number> {
    const state = this._state;
    const fd = state.check('send');
    const o = readOptions(options, what, state.what);
    const bytes = lendSource(data);
    const length = Math.min(bytes.byteLength, o.max);
    const attempt = () => sendto(fd, bytes, length, MSG.MSG_NOSIGNAL, null, 0) as number;
    return andThen(
      () => run(state, 'send', POLL.POLLOUT, attempt, o),
      (n) => {
        settleSource(data, n);
        return n;
      },
      () => settleSource(data, 0),
    );
  }

  /** Writes everything (or `maxBytes`), looping over partial sends. */
  writeAll(data: ByteSource, options?: WriteOptions): Ret<M, void> {
    return inMode(this.mode, () => this.#writeAll(data, options, 'writeAll'));
  }

  /** `Writer.writeBuffer`: the whole buffer or an error (same as {@link writeAll}). */
  writeBuffer(data: ByteSource, options?: OpOptions): Ret<M, void> {
    return inMode(this.mode, () => this.#writeAll(data, options, 'writeBuffer'));
  }

  #writeAll(
    data: ByteSource,
    options: WriteOptions | undefined,
    what: string,
  ): void | Promise<void> {
    const state = this._state;
    const fd = state.check('send');
    const o = readOptions(options, what, state.what);
    const bytes = lendSource(data);
    const length = Math.min(bytes.byteLength, o.max);
    let done = 0;
    const attempt = () =>
      sendto(fd, bytes.subarray(done), length - done, MSG.MSG_NOSIGNAL, null, 0) as number;
    const step = (): void | Promise<void> => {
      while (done < length) {
        const r = run(state, 'send', POLL.POLLOUT, attempt, o);
        if (typeof r !== 'number') {
          return r.then(
            (n) => {
              done += n;
              return step();
            },
            (e: unknown) => {
              settleSource(data, done);
              throw e;
            },
          );
        }
        done += r;
      }
      settleSource(data, done);
    };
    try {
      return step();
    } catch (e) {
      settleSource(data, done);
      throw e;
    }
  }

  /** Reads one seqpacket record (or stream bytes) into `out`, saying whether the record was cut. */
  readRecord(out: OutputBuffer, options?: OpOptions): Ret<M, RecordRead> {
    return inMode(this.mode, () => this.#readRecord(out, options));
  }

  #readRecord(out: OutputBuffer, options: OpOptions | undefined): RecordRead | Promise<RecordRead> {
    const r = receiveMessage(this as SocketHandle<'sync' | 'async'>, out, {
      ...(options ?? {}),
      controlLength: 0,
    });
    const map = (m: { bytes: number; truncated: boolean }) => ({
      bytes: m.bytes,
      truncated: m.truncated,
    });
    return r instanceof Promise ? r.then(map) : map(r);
  }

  /** One vectored receive into `list` after its cursor (recvmsg); returns bytes read, 0 at end of stream. */
  readv(list: BufferList, options?: ReadOptions): Ret<M, number> {
    return inMode(this.mode, () => {
      readOptions(options, 'readv', this._state.what);
      const r = receiveMessage(this as SocketHandle<'sync' | 'async'>, list, {
        retryOnInterrupt: options?.retryOnInterrupt,
        signal: options?.signal,
        controlLength: 0,
      });
      return r instanceof Promise ? r.then((m) => m.bytes) : r.bytes;
    });
  }

  /** One vectored send of `list` after its cursor (sendmsg); returns bytes written. */
  writev(list: BufferList, options?: WriteOptions): Ret<M, number> {
    return inMode(this.mode, () => {
      readOptions(options, 'writev', this._state.what);
      return sendMessage(
        this as SocketHandle<'sync' | 'async'>,
        { data: list },
        {
          retryOnInterrupt: options?.retryOnInterrupt,
          signal: options?.signal,
        },
      );
    });
  }

  /** Half-closes: `'write'` (default) sends FIN, `'read'` stops receiving, `'both'`. */
  shutdown(how: 'read' | 'write' | 'both' = 'write'): Ret<M, void> {
    return inMode(this.mode, () => {
      const mode =
        how === 'read'
          ? SHUT.SHUT_RD
          : how === 'write'
            ? SHUT.SHUT_WR
            : how === 'both'
              ? SHUT.SHUT_RDWR
              : -1;
      if (mode < 0)
        throw invalidArg(
          'ERR_INVALID_ARG_VALUE',
          `shutdown: how must be 'read', 'write' or 'both', got ${String(how)}`,
        );
      const fd = this._state.check('shutdown');
      if ((shutdownCall(fd, mode) as number) < 0)
        throw errnoError(lastErrno(), { syscall: 'shutdown' });
    });
  }

  /**
   * `sendfile(2)`: sends `length` bytes (default: to the end) of the file
   * open on `file` (a descriptor, or any handle with an `fd`) without
   * copying them through JS; returns the bytes sent (short only at end of
   * file). In async mode each `sendfile` call runs on the thread pool.
   */
  sendFile(file: number | { readonly fd: number }, options?: SendFileOptions): Ret<M, number> {
    return inMode(this.mode, () => sendFileTo(this._state, file, options));
  }
}
