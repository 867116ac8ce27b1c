import { IoError } from '@binio/core';
import { errnoError } from '@binio/engine-posix/linux';
import { NativeBlock, lastErrno } from '@binio/engine-posix/socket';
import { type FdWatch, WatchEvents, watch } from '@binio/native-loop';
import { EPOLL, EPOLL_CLOEXEC, EPOLL_CTL, EPOLL_EVENT_LAYOUT } from '../sys/constants.js';
import { epoll_create1, epoll_ctl, epoll_wait } from '../sys/calls.js';
import type { Source } from './source.js';
import { close as closeFd } from '../sys/shared-calls.js';

const EINTR = 4;
/** Events one `epoll_wait` takes at most; a full array means "call again". */
const MAX_EVENTS = 256;
const EVENT_WORDS = EPOLL_EVENT_LAYOUT.size >>> 2;
const DATA_WORD = EPOLL_EVENT_LAYOUT.offsets.data >>> 2;

// Readers wake for input, end of stream and errors; writers for room and errors.
const READ_MASK = EPOLL.IN | EPOLL.RDHUP | EPOLL.HUP | EPOLL.ERR;
const WRITE_MASK = EPOLL.OUT | EPOLL.HUP | EPOLL.ERR;

/**
 * The engine's one epoll instance, joined to Node's event loop: libuv polls
 * the epoll descriptor (through `@binio/native-loop`'s `uv_poll`), and when
 * it is readable one `epoll_wait` with timeout 0 fills a preallocated event
 * array and each event runs the operations parked on its descriptor.
 *
 * Descriptors are registered edge-triggered (`EPOLLET`) for everything
 * they may wait for, once, when their first operation parks. Why not
 * one-shot: `EPOLLONESHOT` disarms after every event, so each parked
 * operation would cost one more `epoll_ctl(MOD)` system call (a koffi call,
 * roughly the price of the IO itself for a 64-byte message) to re-arm it;
 * with edge triggering the set changes only when a descriptor starts or
 * stops being watched. The price of edges is the rule that a woken queue
 * is drained until an attempt says EAGAIN, which the queues do.
 *
 * The loop (and so the process) is kept alive while a descriptor is in the
 * set, as an open Node socket keeps it: from a socket's first wait until it
 * is closed (or its last wait is cancelled). `setHold(false)` never holds it.
 */
export class Reactor {
  /** The epoll descriptor. */
  readonly fd: number;
  /** Milliseconds a new operation spins on EAGAIN before parking (0: never; see `busyPollUs`). */
  readonly busyPollMs: number;
  readonly #watch: FdWatch;
  readonly #events = new NativeBlock(MAX_EVENTS * EPOLL_EVENT_LAYOUT.size);
  readonly #ctl = new NativeBlock(16);
  // Sources by descriptor. A stale event (a descriptor closed and its
  // number reused within one batch) is told apart by the generation.
  readonly #sources: (Source | undefined)[] = [];
  #gen = 0;
  #parked = 0;
  #registered = 0;
  #wakeups = 0;
  #hold = true;
  #holding = false;
  #closed = false;

  constructor(busyPollUs = 0) {
    this.busyPollMs = busyPollUs / 1000;
    const fd = epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0) throw errnoError(lastErrno(), { syscall: 'epoll_create1', engine: 'epoll' });
    try {
      this.#watch = watch(fd, WatchEvents.readable, (_events, error) => {
        if (error !== undefined) {
          process.emitWarning(
            `binio epoll: the loop reported ${error.message} for the epoll descriptor`,
            {
              code: 'BINIO_EPOLL_WATCH',
            },
          );
          return;
        }
        this.poll();
      });
    } catch (e) {
      closeFd(fd);
      throw e;
    }
    this.#watch.unref();
    this.fd = fd;
  }

  /** Descriptors in the epoll set now. */
  get registered(): number {
    return this.#registered;
  }

  /** Operations parked now. */
  get parked(): number {
    return this.#parked;
  }

  /** Times the loop woke the engine (the epoll descriptor was readable) so far. */
  get wakeups(): number {
    return this.#wakeups;
  }

  /** Adds `source` to the epoll set; returns the error instead of throwing. */
  register(source: Source): IoError | undefined {
    if (this.#closed) {
      return new IoError({
        code: 'ERR_CLOSED',
        engine: 'epoll',
        message: 'The epoll engine is closed',
      });
    }
    this.#gen = (this.#gen + 1) >>> 0;
    const gen = this.#gen;
    const u32 = this.#ctl.u32;
    u32[0] = (source.interest | EPOLL.ET) >>> 0;
    u32[1] = source.fd;
    u32[2] = gen;
    if (epoll_ctl(this.fd, EPOLL_CTL.ADD, source.fd, this.#ctl.address) < 0) {
      return errnoError(lastErrno(), { syscall: 'epoll_ctl', engine: 'epoll' });
    }
    source.gen = gen;
    source.registered = true;
    this.#sources[source.fd] = source;
    if (this.#registered++ === 0) this.#updateHold();
    return undefined;
  }

  /** Takes `source` out of the epoll set (before its descriptor closes). */
  deregister(source: Source): void {
    if (!source.registered) return;
    source.registered = false;
    // Out of the set no event will correct a stale answer: forget it.
    source.ready[0] = true;
    source.ready[1] = true;
    if (--this.#registered === 0) this.#updateHold();
    if (this.#sources[source.fd] === source) this.#sources[source.fd] = undefined;
    // Fails only if the descriptor is already gone, which removed it anyway.
    if (!this.#closed) epoll_ctl(this.fd, EPOLL_CTL.DEL, source.fd, 0);
  }

  /** Counts parked operations (for stats). */
  parkedChange(delta: 1 | -1): void {
    this.#parked += delta;
  }

  /** True when the engine keeps the event loop (and so the process) alive now. */
  get holding(): boolean {
    return this.#watch.hasRef();
  }

  /** Whether the engine may keep the process alive at all (`engine.ref()`/`unref()`). */
  setHold(hold: boolean): void {
    this.#hold = hold;
    this.#updateHold();
  }

  // Held while a descriptor is in the set, as an open Node socket holds the
  // process: the hold changes once per socket, never per operation (a ref
  // or unref is a native call, about a microsecond each on a message's path).
  #updateHold(): void {
    if (this.#closed) return;
    const want = this.#hold && this.#registered > 0;
    if (want === this.#holding) return;
    this.#holding = want;
    if (want) this.#watch.ref();
    else this.#watch.unref();
  }

  /** Collects ready events (without waiting) and runs what they wake. */
  poll(): void {
    this.#wakeups++;
    const events = this.#events;
    const u32 = events.u32;
    const sources = this.#sources;
    for (;;) {
      const n = epoll_wait(this.fd, events.address, MAX_EVENTS, 0);
      if (n < 0) {
        const errno = lastErrno();
        if (errno === EINTR) continue;
        process.emitWarning(`binio epoll: epoll_wait failed with errno ${errno}`, {
          code: 'BINIO_EPOLL_WAIT',
        });
        return;
      }
      for (let i = 0, w = 0; i < n; i++, w += EVENT_WORDS) {
        const source = sources[u32[w + DATA_WORD]!];
        if (source !== undefined && source.gen === u32[w + DATA_WORD + 1]) {
          source.onEvents(u32[w]!, READ_MASK, WRITE_MASK);
        }
      }
      if (n < MAX_EVENTS) return;
    }
  }

  /** Stops watching and closes the epoll descriptor (every handle was closed first). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#watch.close();
    closeFd(this.fd);
  }
}
