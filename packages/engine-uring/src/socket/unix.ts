import { type AddressLike, checkOptions, invalidArg, type Mode, type Ret } from '@binio/core';
import { checkSignal } from '@binio/engine-posix/file';
import { unixAddress } from './datagram.js';
import {
  backlogOf,
  connectStream,
  listenStream,
  type SocketHost,
  type StreamType,
  type UringTcpListener,
  type UringTcpStream,
} from './tcp.js';

/*
 * Unix stream and seqpacket sockets over the ring: the same stream and
 * listener classes as TCP (CONNECT, ACCEPT, RECV, SEND, SHUTDOWN are the
 * same operations whatever the family); only the address and the socket
 * type differ. Unix datagram sockets are in datagram.ts.
 */

/** Options of `connectUnix`. */
export interface UringUnixConnectOptions {
  /** `'stream'` (default) or `'seqpacket'` (reliable records). */
  type?: StreamType;
  /** Abort the connect (async mode). */
  signal?: AbortSignal;
}

/** Options of `listenUnix`. */
export interface UringUnixListenOptions {
  /** `'stream'` (default) or `'seqpacket'`. */
  type?: StreamType;
  /** Backlog (default 511). */
  backlog?: number;
}

function streamType(type: unknown): StreamType {
  if (type === undefined || type === 'stream') return 'stream';
  if (type === 'seqpacket') return 'seqpacket';
  throw invalidArg(
    'ERR_INVALID_ARG_VALUE',
    `type must be 'stream' or 'seqpacket', got ${String(type)}`,
  );
}

/** CONNECT to a Unix stream or seqpacket listener at `address` (`'/path'` or `'@abstract'`). */
export function connectUnix<M extends Mode>(
  host: SocketHost,
  mode: M,
  address: AddressLike,
  options: UringUnixConnectOptions | undefined,
): Ret<M, UringTcpStream<M>> {
  const o = checkOptions(options, ['type', 'signal'], 'connectUnix');
  const type = streamType(o.type);
  const signal = checkSignal(o.signal, 'connect');
  const to = unixAddress(address, 'connectUnix');
  return connectStream(host, mode, to, type, signal, () => {});
}

/** socket, bind, listen on a Unix path or abstract name; async listeners are also async iterables (multishot ACCEPT). */
export function listenUnix<M extends Mode>(
  host: SocketHost,
  mode: M,
  address: AddressLike,
  options: UringUnixListenOptions | undefined,
): Ret<M, UringTcpListener<M>> {
  const o = checkOptions(options, ['type', 'backlog'], 'listenUnix');
  const type = streamType(o.type);
  const backlog = backlogOf(o.backlog);
  const at = unixAddress(address, 'listenUnix');
  const l = listenStream(host, mode, at, type, backlog, () => {});
  return (mode === 'sync' ? l : Promise.resolve(l)) as Ret<M, UringTcpListener<M>>;
}
