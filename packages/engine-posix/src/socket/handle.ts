import type { Capability, Handle, Mode, Ret } from '@binio/core';
import {
  getOption,
  getRawOption,
  type SettableSocketOption,
  type SocketOptionName,
  type SocketOptionValues,
  setOption,
  setRawOption,
} from './options.js';
import type { SocketState } from './state.js';

const NONE: ReadonlySet<Capability> = new Set();

/**
 * What every socket handle of this engine has: its mode, its descriptor,
 * close, and typed options. Options never block, so `setOption` and
 * `getOption` are synchronous in both modes.
 */
export abstract class SocketHandle<M extends Mode> implements Handle<M> {
  /** @internal The shared socket state (descriptor, waiters, batch arrays). */
  readonly _state: SocketState;
  /** The engine's mode. */
  readonly mode: M;

  /** @internal engines create handles */
  constructor(state: SocketState) {
    this._state = state;
    this.mode = state.mode as M;
  }

  /** What this handle implements beyond its base interface (none by default). */
  get capabilities(): ReadonlySet<Capability> {
    return NONE;
  }

  /** True once closed. */
  get closed(): boolean {
    return this._state.closed;
  }

  /**
   * The descriptor (-1 once closed), for passing it on (`SCM_RIGHTS`) or
   * registering it elsewhere. Closing it behind binio's back is undefined.
   */
  get fd(): number {
    return this._state.fd;
  }

  /**
   * Closes the socket; later operations fail with `EBADF`. In async mode,
   * operations waiting on it are woken and fail with `EBADF`, and the
   * descriptor is closed once they have left the thread pool. Closing twice
   * is a no-op.
   */
  close(): Ret<M, void> {
    return this._state.close() as Ret<M, void>;
  }

  /** Sets a typed socket option (synchronous in both modes). */
  setOption<K extends SettableSocketOption>(name: K, value: SocketOptionValues[K]): void {
    setOption(this._state, name, value);
  }

  /** Reads a typed socket option (synchronous in both modes). */
  getOption<K extends SocketOptionName>(name: K): SocketOptionValues[K] {
    return getOption(this._state, name);
  }

  /** `setsockopt` with raw bytes or a 32-bit integer, for options without a typed name. */
  setRawOption(level: number, name: number, value: Uint8Array | number): void {
    setRawOption(this._state, level, name, value);
  }

  /** `getsockopt` returning the raw bytes (at most `maxLength`). */
  getRawOption(level: number, name: number, maxLength?: number): Uint8Array {
    return getRawOption(this._state, level, name, maxLength);
  }
}
