import { IoError, invalidArg } from '@binio/core';
import { errnoError } from '@binio/engine-posix/linux';
import { loadAddon, type NativeWatch } from './addon.js';

/** Readiness events, as a bit mask (libuv's `UV_READABLE` …). */
export const WatchEvents = {
  /** The descriptor is readable (an eventfd count is non-zero, a pipe has data). */
  readable: 1,
  /** The descriptor is writable. */
  writable: 2,
  /** The peer hung up (`EPOLLRDHUP`). */
  disconnect: 4,
} as const;

/**
 * Called when the descriptor is ready: `events` is the mask of what is ready;
 * `error` is set (and `events` 0) when the loop reported an error for it.
 */
export type WatchCallback = (events: number, error: IoError | undefined) => void;

/** A descriptor watched on Node's event loop. */
export interface FdWatch {
  /** The watched descriptor. */
  readonly fd: number;
  /** True once closed. */
  readonly closed: boolean;
  /** Changes the events watched for; 0 pauses the watch without closing it. */
  update(events: number): void;
  /** Stops watching and frees the handle. Closing twice is a no-op. Close it before closing the descriptor. */
  close(): void;
  /** Lets this watch keep the process alive (the default). */
  ref(): void;
  /** Stops this watch from keeping the process alive on its own. */
  unref(): void;
  /** True when the watch keeps the process alive. */
  hasRef(): boolean;
}

const ALL_EVENTS = WatchEvents.readable | WatchEvents.writable | WatchEvents.disconnect;

function checkEvents(events: unknown): number {
  if (
    typeof events !== 'number' ||
    !Number.isInteger(events) ||
    (events & ~ALL_EVENTS) !== 0 ||
    events < 0
  ) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `events must be a mask of WatchEvents (0..${ALL_EVENTS}), got ${String(events)}`,
    );
  }
  return events;
}

function closedError(fd: number): IoError {
  return new IoError({
    code: 'EBADF',
    errno: 9,
    syscall: 'uv_poll_start',
    engine: 'native-loop',
    message: `EBADF: the watch on descriptor ${fd} is closed`,
  });
}

// Errors the addon throws carry libuv's name (EBADF) and a positive errno.
function fromNative(e: unknown): unknown {
  const n = e as { code?: unknown; errno?: unknown; syscall?: unknown; message?: unknown };
  if (e instanceof Error && typeof n.code === 'string' && typeof n.errno === 'number') {
    return errnoError(n.errno, { syscall: String(n.syscall), engine: 'native-loop' });
  }
  return e;
}

class Watch implements FdWatch {
  readonly fd: number;
  #native: NativeWatch | undefined;

  constructor(fd: number, events: number, callback: WatchCallback) {
    this.fd = fd;
    const { Watch: NativeWatchCtor } = loadAddon();
    try {
      this.#native = new NativeWatchCtor(fd, events, (errno, ev) => {
        if (errno === 0) callback(ev, undefined);
        else callback(0, errnoError(errno, { syscall: 'uv_poll', engine: 'native-loop' }));
      });
    } catch (e) {
      throw fromNative(e);
    }
  }

  get closed(): boolean {
    return this.#native === undefined;
  }

  update(events: number): void {
    checkEvents(events);
    if (!this.#native) throw closedError(this.fd);
    try {
      this.#native.update(events);
    } catch (e) {
      throw fromNative(e);
    }
  }

  close(): void {
    this.#native?.close();
    this.#native = undefined;
  }

  ref(): void {
    this.#native?.ref();
  }

  unref(): void {
    this.#native?.unref();
  }

  hasRef(): boolean {
    return this.#native?.hasRef() ?? false;
  }
}

/**
 * Watches `fd` on Node's default event loop (a libuv `uv_poll_t`) and calls
 * `callback` whenever it is ready for `events`. Readiness is level-triggered:
 * the callback fires again on the next loop turn while the condition holds,
 * so the callback must consume it (read the eventfd, drain the epoll fd).
 * Close the watch before closing `fd`: libuv aborts the process when the
 * loop touches a descriptor closed under it.
 */
export function watch(fd: number, events: number, callback: WatchCallback): FdWatch {
  if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `fd must be a non-negative integer, got ${String(fd)}`,
    );
  }
  checkEvents(events);
  if (events === 0)
    throw invalidArg('ERR_INVALID_ARG_VALUE', 'events must name at least one event');
  if (typeof callback !== 'function')
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'callback must be a function');
  return new Watch(fd, events, callback);
}
