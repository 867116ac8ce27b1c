import type { ByteSource, Mode } from '@binio/core';
import { close as closeFd } from '../libc/file-calls.js';
import { eventfd_write } from '../libc/socket-calls.js';
import { openSocket } from './create.js';
import { closedError } from './errors.js';
import type { MmsgBatch } from './mmsghdr.js';
import { SockaddrCache } from './sockaddr.js';
import type { SocketTracker } from './tracker.js';

/** What kind of socket a descriptor is, for messages and option checks. */
export type SocketKind =
  | 'udp'
  | 'udplite'
  | 'tcp'
  | 'tcp-listener'
  | 'unix-stream'
  | 'unix-stream-listener'
  | 'unix-dgram'
  | 'unix-seqpacket'
  | 'unix-seqpacket-listener';

const DESCRIPTION: Record<SocketKind, string> = {
  udp: 'UDP socket',
  udplite: 'UDP-Lite socket',
  tcp: 'TCP stream',
  'tcp-listener': 'TCP listener',
  'unix-stream': 'Unix stream socket',
  'unix-stream-listener': 'Unix stream listener',
  'unix-dgram': 'Unix datagram socket',
  'unix-seqpacket': 'Unix seqpacket socket',
  'unix-seqpacket-listener': 'Unix seqpacket listener',
};

// Descriptors of sockets dropped without close(): closed by the GC, with a
// warning, so a forgotten socket does not hold its port forever.
const leaks = new FinalizationRegistry<{ fd: number; what: string }>((held) => {
  if (held.fd >= 0) closeFd(held.fd);
  process.emitWarning(
    `A binio ${held.what} (fd ${held.fd}) was garbage-collected without close(); closed it`,
    {
      code: 'BINIO_SOCKET_LEAK',
    },
  );
});

/**
 * The state every socket handle shares: its descriptor, whether it waits or
 * surfaces `EAGAIN`, and, in async mode, the operations parked in `poll` on
 * the thread pool, each with the eventfd that wakes it for an abort or a close.
 * A descriptor is closed only once no pool thread polls it any more, so its
 * number is never reused under a waiting call.
 */
export class SocketState {
  /** The descriptor (-1 once closed). */
  fd: number;
  /** `'sync'` or `'async'`. */
  readonly mode: Mode;
  /** The kind of socket. */
  readonly kind: SocketKind;
  /** Human-readable kind (`'UDP socket'`) for messages. */
  readonly what: string;
  /** `'ipv4'`, `'ipv6'` or `'unix'`. */
  readonly family: 'ipv4' | 'ipv6' | 'unix';
  /**
   * True when an operation that would block fails with `EAGAIN` instead of
   * waiting (the `nonBlocking` option: the epoll engine parks on it itself).
   */
  readonly surfaceWouldBlock: boolean;
  /** True once close() was called: every new operation is refused. */
  closed = false;
  /** Async operations waiting in `poll` right now. */
  waiters = 0;
  /** The wake eventfd of each waiting operation. */
  readonly waits = new Set<number>();
  /** Per-socket `sendmmsg`/`recvmmsg` arrays, created by the first batch. */
  batch: MmsgBatch | undefined;
  /**
   * Called with every source a datagram send took once the send settled
   * (sent or failed in the kernel): the engine recycles its own pool's
   * buffers there (core's rule: sending an engine buffer consumes it).
   */
  consume: ((data: ByteSource) => void) | undefined;
  /** The tracker of the `SocketOps` that opened it (engine close closes it). */
  tracker: SocketTracker | undefined;
  /** Its entry in {@link tracker}. */
  trackedAs: WeakRef<SocketState> | undefined;
  /** Decoder of received names for single-datagram receives. */
  readonly names = new SockaddrCache();
  readonly #held: { fd: number; what: string };
  #closing: Promise<void> | undefined;
  #closed: (() => void) | undefined;

  constructor(
    fd: number,
    mode: Mode,
    kind: SocketKind,
    family: 'ipv4' | 'ipv6' | 'unix',
    surfaceWouldBlock: boolean,
  ) {
    this.fd = fd;
    this.mode = mode;
    this.kind = kind;
    this.what = DESCRIPTION[kind];
    this.family = family;
    this.surfaceWouldBlock = surfaceWouldBlock;
    this.#held = { fd, what: this.what };
    leaks.register(this, this.#held, this);
  }

  /** The descriptor, or `EBADF` (no call made) once closed. */
  check(syscall: string): number {
    if (this.closed) throw closedError(this.what, syscall);
    return this.fd;
  }

  /** Wakes every waiter (they re-check abort and close). */
  wakeAll(): void {
    for (const fd of this.waits) eventfd_write(fd, 1);
  }

  /** A waiter left `poll`; the last one out finishes a pending close. */
  waiterDone(): void {
    this.waiters--;
    if (this.waiters === 0 && this.#closed !== undefined) {
      this.#release();
      const done = this.#closed;
      this.#closed = undefined;
      done();
    }
  }

  /**
   * Closes the socket. With waiters in `poll` (async mode), wakes them and
   * closes the descriptor once the last has left; the Promise settles then.
   * Closing twice is a no-op.
   */
  close(): void | Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    if (this.closed) return;
    this.closed = true;
    if (this.trackedAs !== undefined) this.tracker?.remove(this.trackedAs);
    if (this.waiters === 0) {
      this.#release();
      if (this.mode === 'async') this.#closing = Promise.resolve();
      return this.#closing;
    }
    this.#closing = new Promise<void>((resolve) => {
      this.#closed = resolve;
    });
    this.wakeAll();
    return this.#closing;
  }

  #release(): void {
    leaks.unregister(this);
    // close() on a socket fails only with EBADF (a bug) or EINTR, after
    // which Linux has released the descriptor anyway: nothing to retry.
    if (this.fd >= 0) closeFd(this.fd);
    this.fd = -1;
    this.#held.fd = -1;
    this.batch = undefined;
  }
}

/**
 * Opens a socket (close-on-exec; non-blocking when `nonBlocking`) with its
 * state, then runs `setup`; any failure in `setup` closes it. Engines that
 * wait elsewhere (io_uring in the kernel, epoll on its own) open theirs here.
 */
export function openSocketState<T>(
  spec: {
    domain: number;
    type: number;
    protocol: number;
    mode: Mode;
    kind: SocketKind;
    family: 'ipv4' | 'ipv6' | 'unix';
    nonBlocking: boolean;
    surfaceWouldBlock: boolean;
  },
  setup: (state: SocketState) => T,
): T {
  const fd = openSocket(spec.domain, spec.type, spec.protocol, spec.nonBlocking);
  const state = new SocketState(fd, spec.mode, spec.kind, spec.family, spec.surfaceWouldBlock);
  try {
    return setup(state);
  } catch (e) {
    state.close();
    throw e;
  }
}
