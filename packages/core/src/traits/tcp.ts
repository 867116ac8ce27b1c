import type { SocketAddress } from '../address/index.js';
import type { Mode, Ret } from '../mode.js';
import type { Handle } from './handle.js';
import type { SpanReader, SpanWriter } from './io.js';
import type { AddressLike } from './udp.js';

/** A connected TCP (or Unix stream) socket: span reads and writes, shutdown. */
export interface TcpStream<M extends Mode> extends Handle<M>, SpanReader<M>, SpanWriter<M> {
  /** Our end. */
  readonly localAddress: SocketAddress;
  /** The peer. */
  readonly remoteAddress: SocketAddress;
  /** Half-closes: `'write'` sends FIN, `'read'` stops receiving, `'both'`. */
  shutdown(how?: 'read' | 'write' | 'both'): Ret<M, void>;
}

/** A listening socket; `accept` takes one connection. Async engines also iterate (multi-shot accept). */
export interface TcpListener<M extends Mode> extends Handle<M> {
  /** The bound address (with the chosen port). */
  readonly localAddress: SocketAddress;
  /** Waits for and returns the next connection. */
  accept(options?: { signal?: AbortSignal }): Ret<M, TcpStream<M>>;
}

/** An async listener: connections as an async iterable (multi-shot accept). */
export interface AsyncTcpListener extends TcpListener<'async'>, AsyncIterable<TcpStream<'async'>> {}

/** Options of `connectTcp`. */
export interface TcpConnectOptions {
  /** `TCP_NODELAY` (default true). */
  noDelay?: boolean;
  /** Abort the connect. */
  signal?: AbortSignal;
}

/** Options of `listenTcp`. */
export interface TcpListenOptions {
  /** Backlog (default 511, as Node). */
  backlog?: number;
  /** `SO_REUSEADDR` (default true). */
  reuseAddress?: boolean;
  /** `SO_REUSEPORT`. */
  reusePort?: boolean;
}

/** Opening TCP connections. */
export interface TcpConnect<M extends Mode> {
  /** Connects to `address`. */
  connectTcp(address: AddressLike, options?: TcpConnectOptions): Ret<M, TcpStream<M>>;
}

/** Listening for TCP connections. */
export interface TcpListen<M extends Mode> {
  /** Binds and listens on `address` (port 0 picks one). */
  listenTcp(
    address: AddressLike,
    options?: TcpListenOptions,
  ): Ret<M, M extends 'async' ? AsyncTcpListener : TcpListener<M>>;
}
