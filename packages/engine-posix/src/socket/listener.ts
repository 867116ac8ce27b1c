import {
  type AsyncTcpListener,
  checkOptions,
  isIoError,
  type Mode,
  type Ret,
  type SocketAddress,
  type TcpListener,
  UnixSocketAddress,
} from '@binio/core';
import { accept4 } from '../libc/socket-calls.js';
import { POLL, SOCK } from '../linux/socket-constants.js';
import { discardFd, localName } from './create.js';
import { opOptions } from './datagram-io.js';
import { SocketHandle } from './handle.js';
import { NativeBlock } from './memory.js';
import { andThen, inMode } from './ret.js';
import { run } from './run.js';
import { decodeSockaddr, SOCKADDR_MAX } from './sockaddr.js';
import { type SocketKind, SocketState } from './state.js';
import { PosixStream } from './stream.js';

// accept4's name scratch: filled and read inside one attempt on the main thread.
const names = new NativeBlock(SOCKADDR_MAX + 8);
const LEN_AT = SOCKADDR_MAX;

const STREAM_KIND: Partial<Record<SocketKind, SocketKind>> = {
  'tcp-listener': 'tcp',
  'unix-stream-listener': 'unix-stream',
  'unix-seqpacket-listener': 'unix-seqpacket',
};

/**
 * A listening socket (TCP, Unix stream or Unix seqpacket). `accept` waits
 * for the next connection; in async mode the listener is also an async
 * iterable of connections, which ends when the listener is closed.
 */
export class PosixListener<M extends Mode> extends SocketHandle<M> implements TcpListener<M> {
  /** The bound address (with the chosen port). */
  readonly localAddress: SocketAddress;
  /** @internal accepted sockets surface EAGAIN too (`nonBlocking`) */
  readonly _childNonBlocking: boolean;

  /** @internal created by `listenTcp`/`listenUnix` */
  constructor(state: SocketState, local: SocketAddress, childNonBlocking: boolean) {
    super(state);
    this.localAddress = local;
    this._childNonBlocking = childNonBlocking;
  }

  /** Waits for and returns the next connection (`accept4`, close-on-exec). */
  accept(options?: { signal?: AbortSignal }): Ret<M, PosixStream<M>> {
    return inMode(this.mode, () => {
      const state = this._state;
      const fd = state.check('accept4');
      if (options !== undefined) checkOptions(options, ['signal'], 'accept');
      const o = opOptions(options, 'accept');
      const async = state.mode === 'async';
      const flags = SOCK.SOCK_CLOEXEC | (async || this._childNonBlocking ? SOCK.SOCK_NONBLOCK : 0);
      let remote: SocketAddress | undefined;
      const attempt = () => {
        names.u32[LEN_AT >>> 2] = SOCKADDR_MAX;
        const r = accept4(fd, names.address, names.address + LEN_AT, flags) as number;
        if (r >= 0) remote = decodeSockaddr(names.bytes, 0, names.u32[LEN_AT >>> 2]!);
        return r;
      };
      return andThen(
        () => run(state, 'accept4', POLL.POLLIN, attempt, o),
        (child) => {
          try {
            const kind = STREAM_KIND[state.kind]!;
            const childState = new SocketState(
              child,
              state.mode,
              kind,
              state.family,
              this._childNonBlocking,
            );
            childState.consume = state.consume;
            state.tracker?.add(childState);
            const local = localName(child) ?? UnixSocketAddress.unnamed();
            return new PosixStream<M>(childState, local, remote ?? UnixSocketAddress.unnamed());
          } catch (e) {
            discardFd(child);
            throw e;
          }
        },
        () => {},
      );
    });
  }

  /** Async mode: connections as they come (multi-shot accept); ends when the listener is closed. */
  async *[Symbol.asyncIterator](): AsyncIterator<PosixStream<'async'>> {
    if (this.mode !== 'async') {
      throw new TypeError('A sync listener is not async-iterable; call accept() in a loop');
    }
    const self = this as unknown as PosixListener<'async'>;
    for (;;) {
      try {
        yield await self.accept();
      } catch (e) {
        if (isIoError(e) && e.code === 'EBADF' && self.closed) return;
        throw e;
      }
    }
  }
}

/** The async listener type core's `TcpListen` promises. */
export type PosixAsyncListener = PosixListener<'async'> & AsyncTcpListener;
