import {
  type ByteSource,
  type OutputBuffer,
  type Received,
  type SocketAddress,
  UnixSocketAddress,
  settleSource,
  settleTarget,
} from '@binio/core';
import { MSG } from '@binio/engine-posix/linux';
import {
  collectReceived,
  type DatagramHandle,
  fillReceives,
  fillSends,
  type LentSends,
  type MmsgBatch,
  releaseReceives,
  settleSends,
  NativeBlock,
  type ReceivedDatagrams,
  SOCKADDR_MAX,
  encodeSockaddr,
  lastErrno,
} from '@binio/engine-posix/socket';
import { sysError } from '../errors.js';
import type { Host } from '../host.js';
import { AGAIN, type Attempt, Op, RETRY } from '../reactor/op.js';
import { READ, type Source } from '../reactor/source.js';
import { calls } from '../sys/shared-calls.js';

const { recvfrom, sendto, sendmmsg, recvmmsg } = calls;

/** Per-socket state of a datagram socket of this engine. */
export class DatagramIo {
  /** The queues and registration. */
  readonly source: Source;
  /** The encoded destination of the last send, kept while sends go to the same place. */
  readonly name = new NativeBlock(SOCKADDR_MAX);
  /** Which address {@link name} holds. */
  encodedFor: SocketAddress | undefined;
  /** Its `socklen_t`. */
  encodedLength = 0;
  /** The last `to` argument (a string or an address, compared by identity) and what it resolved to. */
  lastTo: unknown;
  /** See {@link lastTo}. */
  lastDest: SocketAddress | undefined;

  constructor(source: Source) {
    this.source = source;
  }

  /** Native address of `dest` as a sockaddr (encoded once per new destination). */
  encode(dest: SocketAddress): number {
    if (this.encodedFor !== dest) {
      this.encodedLength = encodeSockaddr(dest, this.name.bytes, 0);
      this.encodedFor = dest;
    }
    return this.name.address;
  }
}

/** A datagram handle of this engine: the posix socket identity plus the epoll state. */
export type EpollDatagramHandle = DatagramHandle<'async'> & { readonly _dg: DatagramIo };

// Sender-name scratch of single receives: filled and decoded in one attempt.
const names = new NativeBlock(SOCKADDR_MAX + 8);
const NAME_LEN_AT = SOCKADDR_MAX;

/** `sendto`: one datagram (to `dest`, or the connected peer when undefined). */
export class SendToOp extends Op<number> {
  constructor(
    readonly host: Host,
    readonly handle: EpollDatagramHandle,
    readonly data: ByteSource,
    readonly base: number,
    readonly length: number,
    readonly dest: SocketAddress | undefined,
    retries: number,
  ) {
    super(retries);
  }

  get syscall(): string {
    return 'sendto';
  }

  attempt(): Attempt {
    const dg = this.handle._dg;
    const name = this.dest === undefined ? 0 : dg.encode(this.dest);
    const nameLength = this.dest === undefined ? 0 : dg.encodedLength;
    for (;;) {
      const r = sendto(this.handle.fd, this.base, this.length, MSG.MSG_NOSIGNAL, name, nameLength);
      if (r >= 0) {
        this.handle._bound = true;
        this.#finish(r);
        return this.done(r);
      }
      const errno = lastErrno();
      const next = this.outcome(errno);
      if (next === RETRY) continue;
      if (next === AGAIN) return AGAIN;
      this.#finish(0);
      return this.fail(
        sysError(errno, 'sendto', this.dest === undefined ? undefined : String(this.dest)),
      );
    }
  }

  abandon(): void {
    this.#finish(0);
  }

  // Sending consumes an engine buffer, sent or not (core's UdpSend contract).
  #finish(n: number): void {
    settleSource(this.data, n);
    this.host.consume(this.data);
  }
}

/** `recvfrom` with `MSG_TRUNC`: one datagram, a cut one reported. */
export class RecvFromOp extends Op<Received> {
  constructor(
    readonly handle: EpollDatagramHandle,
    readonly out: OutputBuffer,
    readonly base: number,
    readonly length: number,
    retries: number,
  ) {
    super(retries);
  }

  get syscall(): string {
    return 'recvfrom';
  }

  attempt(): Attempt {
    const h = this.handle;
    for (;;) {
      names.u32[NAME_LEN_AT >>> 2] = SOCKADDR_MAX;
      const r = recvfrom(
        h.fd,
        this.base,
        this.length,
        MSG.MSG_TRUNC,
        names.address,
        names.address + NAME_LEN_AT,
      );
      if (r >= 0) {
        const from =
          h._state.names.decode(names.bytes, names.u32, 0, names.u32[NAME_LEN_AT >>> 2]!) ??
          h._peer ??
          UnixSocketAddress.unnamed();
        const bytes = Math.min(r, this.length);
        settleTarget(this.out, bytes);
        return this.done({ bytes, from, truncated: r > this.length });
      }
      const errno = lastErrno();
      const next = this.outcome(errno);
      if (next === RETRY) continue;
      if (next === AGAIN) return AGAIN;
      settleTarget(this.out, 0);
      return this.fail(sysError(errno, 'recvfrom'));
    }
  }

  abandon(): void {
    settleTarget(this.out, 0);
  }
}

/**
 * `sendmmsg`: the datagrams in order, as many as the socket takes now (at
 * least one, or it waits for room); the result is how many went. The
 * arrays are the socket's (`MmsgBatch`), refilled by every attempt since
 * another operation may have used them meanwhile.
 */
export class SendManyOp extends Op<number> {
  constructor(
    readonly host: Host,
    readonly handle: EpollDatagramHandle,
    readonly batch: MmsgBatch,
    readonly sends: LentSends,
    retries: number,
  ) {
    super(retries);
  }

  get syscall(): string {
    return 'sendmmsg';
  }

  attempt(): Attempt {
    const batch = this.batch;
    fillSends(batch, this.sends);
    for (;;) {
      const r = sendmmsg(this.handle.fd, batch.block.address, this.sends.n, MSG.MSG_NOSIGNAL);
      if (r >= 0) {
        this.handle._bound = true;
        settleSends(this.sends, r, this.host.consume);
        return this.done(r);
      }
      const errno = lastErrno();
      const next = this.outcome(errno);
      if (next === RETRY) continue;
      if (next === AGAIN) return AGAIN;
      settleSends(this.sends, 0, this.host.consume);
      return this.fail(sysError(errno, 'sendmmsg'));
    }
  }

  abandon(): void {
    settleSends(this.sends, 0, this.host.consume);
  }
}

/** `recvmmsg`: every datagram waiting, up to one per buffer (at least one, or it waits). */
export class RecvManyOp extends Op<ReceivedDatagrams> {
  constructor(
    readonly handle: EpollDatagramHandle,
    readonly batch: MmsgBatch,
    readonly buffers: readonly OutputBuffer[],
    retries: number,
  ) {
    super(retries);
  }

  get syscall(): string {
    return 'recvmmsg';
  }

  attempt(): Attempt {
    const batch = this.batch;
    const n = this.buffers.length;
    // The arrays are the socket's: point them at this operation's buffers
    // (the batch rewrites only what changed since the last call).
    fillReceives(batch, this.buffers);
    for (;;) {
      const r = recvmmsg(this.handle.fd, batch.block.address, n, MSG.MSG_WAITFORONE, 0);
      if (r >= 0) {
        // Fewer than asked: the queue is empty now (datagrams have no end of
        // stream; a pending error would have been reported as EPOLLERR).
        const io = this.handle._dg.source;
        if (r < n && !io.ended) io.ready[READ] = false;
        return this.done(collectReceived(this.handle, batch, this.buffers, r));
      }
      const errno = lastErrno();
      const next = this.outcome(errno);
      if (next === RETRY) continue;
      if (next === AGAIN) return AGAIN;
      this.abandon();
      return this.fail(sysError(errno, 'recvmmsg'));
    }
  }

  abandon(): void {
    releaseReceives(this.buffers);
  }
}
