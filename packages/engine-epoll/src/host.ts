import type { ByteSource } from '@binio/core';
import type { Reactor } from './reactor/reactor.js';

/** Something the engine closes when it closes. */
export interface Owned {
  /** Closes it (a no-op when already closed). */
  close(): Promise<void>;
}

/** What handles need from their engine. */
export interface Host {
  /** The engine's epoll instance. */
  readonly reactor: Reactor;
  /** Remembers an open handle, so the engine's close() closes it. */
  track(handle: Owned): void;
  /** Forgets a closed handle. */
  forget(handle: Owned): void;
  /** A sent source is done with: an engine buffer goes back to the engine's pool (sending consumes it). */
  consume(data: ByteSource): void;
}
