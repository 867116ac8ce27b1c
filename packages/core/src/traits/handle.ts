import type { Mode, Ret } from '../mode.js';
import type { Capability } from '../capabilities.js';

/** Something that can be closed. Closing twice is a no-op. */
export interface Closeable<M extends Mode> {
  /** Releases the resource; operations after it fail with `EBADF`. */
  close(): Ret<M, void>;
  /** True once closed. */
  readonly closed: boolean;
}

/** Common shape of the handles engines return (files, sockets, listeners). */
export interface Handle<M extends Mode> extends Closeable<M> {
  /** The engine's mode. */
  readonly mode: M;
  /** What this handle implements beyond its base interface. */
  readonly capabilities: ReadonlySet<Capability>;
}
