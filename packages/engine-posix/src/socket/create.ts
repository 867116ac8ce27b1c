import type { SocketAddress } from '@binio/core';
import { close as closeFd } from '../libc/file-calls.js';
import { lastErrno } from '../libc/lib.js';
import {
  bind as bindCall,
  getpeername,
  getsockname,
  listen as listenCall,
  socket as socketCall,
  socketpair,
} from '../libc/socket-calls.js';
import { errnoError } from '../linux/error.js';
import { SOCK } from '../linux/socket-constants.js';
import { NativeBlock } from './memory.js';
import { decodeSockaddr, encodeSockaddr, SOCKADDR_MAX } from './sockaddr.js';

/**
 * Descriptor-level building blocks: creating sockets (always close-on-exec,
 * non-blocking on request, which is how the epoll engine and this engine's
 * async mode open theirs), binding, listening and reading the names. Each
 * throws an IoError from errno and leaves no descriptor behind on failure.
 */

// Name and length scratch for bind/getsockname/getpeername: filled and read
// synchronously on the main thread, so one block serves every socket.
const scratch = new NativeBlock(SOCKADDR_MAX + 8);
const LEN_AT = SOCKADDR_MAX;

/** `socket(domain, type | SOCK_CLOEXEC [| SOCK_NONBLOCK], protocol)`; returns the descriptor. */
export function openSocket(
  domain: number,
  type: number,
  protocol: number,
  nonBlocking: boolean,
): number {
  const fd = socketCall(
    domain,
    type | SOCK.SOCK_CLOEXEC | (nonBlocking ? SOCK.SOCK_NONBLOCK : 0),
    protocol,
  ) as number;
  if (fd < 0) throw errnoError(lastErrno(), { syscall: 'socket' });
  return fd;
}

/** `socketpair(AF_UNIX, …)`: two connected descriptors. */
export function openSocketPair(type: number, nonBlocking: boolean): [number, number] {
  const sv = new Int32Array(2);
  const r = socketpair(
    1,
    type | SOCK.SOCK_CLOEXEC | (nonBlocking ? SOCK.SOCK_NONBLOCK : 0),
    0,
    sv,
  ) as number;
  if (r < 0) throw errnoError(lastErrno(), { syscall: 'socketpair' });
  return [sv[0]!, sv[1]!];
}

/** Closes `fd`, ignoring the result: cleanup after a failed set-up. */
export function discardFd(fd: number): void {
  if (fd >= 0) closeFd(fd);
}

/** `bind(fd, address)`. */
export function bindFd(fd: number, address: SocketAddress): void {
  const len = encodeSockaddr(address, scratch.bytes, 0);
  if ((bindCall(fd, scratch.bytes, len) as number) < 0) {
    throw errnoError(lastErrno(), { syscall: 'bind', address: String(address) });
  }
}

/** `listen(fd, backlog)`. */
export function listenFd(fd: number, backlog: number): void {
  if ((listenCall(fd, backlog) as number) < 0) throw errnoError(lastErrno(), { syscall: 'listen' });
}

/** `getsockname(fd)`: the local address (undefined for an unnamed one). */
export function localName(fd: number): SocketAddress | undefined {
  return readName(fd, getsockname, 'getsockname');
}

/** `getpeername(fd)`: the peer's address (throws `ENOTCONN` when there is none). */
export function peerName(fd: number): SocketAddress | undefined {
  return readName(fd, getpeername, 'getpeername');
}

function readName(
  fd: number,
  call: (fd: number, addr: Uint8Array, len: Uint8Array) => unknown,
  syscall: string,
): SocketAddress | undefined {
  scratch.u32[LEN_AT >>> 2] = SOCKADDR_MAX;
  if ((call(fd, scratch.bytes, scratch.bytes.subarray(LEN_AT)) as number) < 0) {
    throw errnoError(lastErrno(), { syscall });
  }
  return decodeSockaddr(scratch.bytes, 0, scratch.u32[LEN_AT >>> 2]!);
}
