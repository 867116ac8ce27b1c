import { type SocketAddress, UnixSocketAddress } from '@binio/core';
import { E } from '@binio/engine-posix/linux';
import {
  NativeBlock,
  SOCKADDR_MAX,
  type SocketKind,
  SocketState,
  bindFd,
  encodeSockaddr,
  lastErrno,
  localName,
  openSocket,
  pendingError,
} from '@binio/engine-posix/socket';
import { sysError } from '../errors.js';
import type { Host } from '../host.js';
import type { Parsed } from '../options.js';
import { AGAIN, type Attempt, Op } from '../reactor/op.js';
import { Source, WRITE } from '../reactor/source.js';
import { calls } from '../sys/shared-calls.js';
import { STREAM_INTEREST } from './interest.js';
import { EpollStream } from './stream.js';

const { connect: connectCall, getpeername } = calls;

// Name scratch, filled and used synchronously on the main thread.
const scratch = new NativeBlock(SOCKADDR_MAX + 8);
const LEN_AT = SOCKADDR_MAX;

/** How to open the socket of a connection. */
export interface StreamSpec {
  domain: number;
  type: number;
  kind: SocketKind;
  remote: SocketAddress;
  local?: SocketAddress | undefined;
  /** Options to set before connecting (runs on the new state; may throw). */
  setup?: ((state: SocketState) => void) | undefined;
}

/**
 * Waits for a non-blocking connect to end: epoll reports the socket
 * writable (connected) or in error; `SO_ERROR` says which.
 */
class ConnectOp extends Op<void> {
  constructor(
    readonly fd: number,
    readonly address: string,
  ) {
    super();
  }

  get syscall(): string {
    return 'connect';
  }

  attempt(): Attempt {
    const err = pendingError(this.fd);
    if (err !== 0) return this.fail(sysError(err, 'connect', this.address));
    scratch.u32[LEN_AT >>> 2] = SOCKADDR_MAX;
    // getpeername succeeds once the handshake is complete; before, a wake-up was early.
    if (getpeername(this.fd, scratch.address, scratch.address + LEN_AT) === 0)
      return this.done(undefined);
    return AGAIN;
  }

  abandon(): void {}
}

/**
 * Opens a non-blocking socket, connects it to `spec.remote` (through
 * `EINPROGRESS`: the handshake is awaited on epoll, never on a thread) and
 * returns the stream. A failure, an abort or a timeout closes the socket:
 * nothing is left behind.
 */
export function connectStream(host: Host, spec: StreamSpec, wait: Parsed): Promise<EpollStream> {
  const family = spec.remote.family;
  const fd = openSocket(spec.domain, spec.type, 0, true);
  const state = new SocketState(fd, 'async', spec.kind, family, true);
  const source = new Source(host.reactor, fd, STREAM_INTEREST, state.what);
  const address = String(spec.remote);
  const finish = (): EpollStream => {
    try {
      const local = localName(fd) ?? UnixSocketAddress.unnamed();
      return new EpollStream(host, state, source, local, spec.remote);
    } catch (e) {
      throw discard(source, state, e);
    }
  };
  try {
    spec.setup?.(state);
    if (spec.local !== undefined) bindFd(fd, spec.local);
    const len = encodeSockaddr(spec.remote, scratch.bytes, 0);
    if (connectCall(fd, scratch.address, len) === 0) return Promise.resolve(finish());
    const errno = lastErrno();
    // EINTR: Linux goes on connecting in the background, as for EINPROGRESS.
    // EAGAIN (a Unix listener's backlog is full) cannot be waited for: it fails.
    if (errno !== E.EINPROGRESS && errno !== E.EINTR) throw sysError(errno, 'connect', address);
  } catch (e) {
    return Promise.reject(discard(source, state, e));
  }
  return source.park(new ConnectOp(fd, address), WRITE, wait).then(finish, (e: unknown) => {
    throw discard(source, state, e);
  });
}

// A connect that failed, was aborted or timed out: out of the epoll set, closed.
function discard(source: Source, state: SocketState, e: unknown): unknown {
  source.closeAll(() => sysError(E.EBADF, 'connect'));
  state.close();
  return e;
}
