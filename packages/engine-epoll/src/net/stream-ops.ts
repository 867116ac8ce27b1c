import { type ByteSource, type OutputBuffer, settleSource, settleTarget } from '@binio/core';
import { MSG } from '@binio/engine-posix/linux';
import { lastErrno } from '@binio/engine-posix/socket';
import { sysError } from '../errors.js';
import { AGAIN, type Attempt, Op, RETRY } from '../reactor/op.js';
import { calls } from '../sys/shared-calls.js';
import { READ, type Source } from '../reactor/source.js';

const { recvfrom, sendto } = calls;

/** The stream an operation works on: its descriptor, its queues, and its peer for messages. */
export interface StreamEnd {
  readonly fd: number;
  readonly _io: Source;
  readonly remoteAddress: { toString(): string };
}

/**
 * `recv` into the free space of an OutputBuffer (at native address `base`,
 * `length` bytes). One read, or (`fill`) reads until the space is full or
 * the stream ends. What arrived is committed even if a later read fails or
 * the wait is cancelled. `byteStream` (TCP, Unix stream; not seqpacket,
 * where a read is one record) lets a short read mark the socket drained.
 */
export class StreamRead extends Op<number> {
  #got = 0;
  constructor(
    readonly stream: StreamEnd,
    readonly out: OutputBuffer,
    readonly base: number,
    readonly length: number,
    readonly fill: boolean,
    readonly byteStream: boolean,
    retries: number,
  ) {
    super(retries);
  }

  get syscall(): string {
    return 'recv';
  }

  attempt(): Attempt {
    const fd = this.stream.fd;
    for (;;) {
      const r = recvfrom(fd, this.base + this.#got, this.length - this.#got, 0, 0, 0);
      if (r > 0) {
        this.#got += r;
        if (this.fill && this.#got < this.length) continue;
        // A byte-stream read that got less than asked emptied the receive
        // queue, unless the peer's end (or an error) waits behind the data:
        // those raise no new edge, so the next read must try.
        if (r < this.length && this.byteStream && !this.stream._io.ended)
          this.stream._io.ready[READ] = false;
        settleTarget(this.out, this.#got);
        return this.done(this.#got);
      }
      if (r === 0) {
        // End of stream: a short count, never an error.
        settleTarget(this.out, this.#got);
        return this.done(this.#got);
      }
      const errno = lastErrno();
      const next = this.outcome(errno);
      if (next === RETRY) continue;
      if (next === AGAIN) return AGAIN;
      settleTarget(this.out, this.#got);
      return this.fail(sysError(errno, 'recv', String(this.stream.remoteAddress)));
    }
  }

  abandon(): void {
    settleTarget(this.out, this.#got);
  }
}

/**
 * `send` of `length` bytes at native address `base` from `data`. One send
 * (`all` false: partial is fine), or sends until everything went (`all`),
 * waiting for room in the socket's buffer in between: backpressure, never a
 * spin. An InputBuffer source is consumed by what was sent. Resolves with
 * the bytes sent, or (`all`) with nothing.
 */
export class StreamWrite extends Op<number | undefined> {
  #sent = 0;
  constructor(
    readonly stream: StreamEnd,
    readonly data: ByteSource,
    readonly base: number,
    readonly length: number,
    readonly all: boolean,
    retries: number,
  ) {
    super(retries);
  }

  get syscall(): string {
    return 'send';
  }

  attempt(): Attempt {
    const fd = this.stream.fd;
    for (;;) {
      const r = sendto(
        fd,
        this.base + this.#sent,
        this.length - this.#sent,
        MSG.MSG_NOSIGNAL,
        0,
        0,
      );
      if (r >= 0) {
        this.#sent += r;
        if (this.all && this.#sent < this.length) continue;
        settleSource(this.data, this.#sent);
        return this.done(this.all ? undefined : this.#sent);
      }
      const errno = lastErrno();
      const next = this.outcome(errno);
      if (next === RETRY) continue;
      if (next === AGAIN) return AGAIN;
      settleSource(this.data, this.#sent);
      return this.fail(sysError(errno, 'send', String(this.stream.remoteAddress)));
    }
  }

  abandon(): void {
    settleSource(this.data, this.#sent);
  }
}

/** What `readRecord` read from a seqpacket socket. */
export interface RecordRead {
  /** Bytes stored in the buffer. */
  bytes: number;
  /** True when the record was longer than the free space and its tail was discarded. */
  truncated: boolean;
}

/**
 * One whole record of a seqpacket socket. `MSG_TRUNC` makes the kernel
 * return the record's real length, so a cut record is reported, not hidden.
 */
export class RecordReadOp extends Op<RecordRead> {
  constructor(
    readonly stream: StreamEnd,
    readonly out: OutputBuffer,
    readonly base: number,
    readonly length: number,
    retries: number,
  ) {
    super(retries);
  }

  get syscall(): string {
    return 'recv';
  }

  attempt(): Attempt {
    for (;;) {
      const r = recvfrom(this.stream.fd, this.base, this.length, MSG.MSG_TRUNC, 0, 0);
      if (r >= 0) {
        const bytes = Math.min(r, this.length);
        settleTarget(this.out, bytes);
        return this.done({ bytes, truncated: r > this.length });
      }
      const errno = lastErrno();
      const next = this.outcome(errno);
      if (next === RETRY) continue;
      if (next === AGAIN) return AGAIN;
      settleTarget(this.out, 0);
      return this.fail(sysError(errno, 'recv', String(this.stream.remoteAddress)));
    }
  }

  abandon(): void {
    settleTarget(this.out, 0);
  }
}
