import {
  type AddressLike,
  abortError,
  type ByteSource,
  checkOptions,
  type InetSocketAddress,
  IoError,
  invalidArg,
  lendSource,
  lendTarget,
  type OpOptions,
  type Outgoing,
  type OutputBuffer,
  type Received,
  retryLimit,
  type SocketAddress,
  settleSource,
  settleTarget,
} from '@binio/core';
import { recvfrom, recvmmsg, sendmmsg, sendto } from '../libc/socket-calls.js';
import { MSG, POLL } from '../linux/socket-constants.js';
import type { DatagramHandle } from './datagram.js';
import { NativeBlock } from './memory.js';
import {
  collectReceived,
  fillReceives,
  fillSends,
  lendReceives,
  lendSends,
  nameStride,
  releaseReceives,
  sendCount,
  settleSends,
} from './mmsg-io.js';
import { MmsgBatch } from './mmsghdr.js';
import { andThen } from './ret.js';
import { run } from './run.js';
import { encodeSockaddr, mapToIPv6, SOCKADDR_MAX, toAddress } from './sockaddr.js';
import type { SocketState } from './state.js';

/**
 * Datagram IO: one datagram (`sendto`/`recvfrom`) or a batch
 * (`sendmmsg`/`recvmmsg`) on UDP, UDP-Lite and Unix datagram sockets. Every
 * argument is checked and every buffer lent before the first system call;
 * each attempt fills the native structs and reads the results at once, so
 * nothing another operation does between attempts (async mode) can mix them.
 */

/** A batch receive's result: core's `ReceivedBatch` plus which datagrams were cut. */
export interface ReceivedDatagrams {
  /** Number of datagrams received: `buffers[0..count)` were filled. */
  count: number;
  /** Sender of each received datagram. */
  from: SocketAddress[];
  /** For each received datagram, true when it was longer than its buffer and was cut. */
  truncated: boolean[];
}

/** Keys of the options every datagram operation takes. */
export const OP_KEYS = ['retryOnInterrupt', 'signal'] as const;

const NO_OPTIONS: OpOptions = {};

// Largest UDP payload: 65535 minus the IP (v4 only) and UDP headers.
const MAX_UDP4 = 65507;
const MAX_UDP6 = 65527;

// Name scratch of single sends/receives: filled and read inside one attempt.
const names = new NativeBlock(SOCKADDR_MAX + 8);
const NAME_LEN_AT = SOCKADDR_MAX;

/** Checks options and returns them with the retry limit; refuses an already aborted signal. */
export function opOptions(
  options: OpOptions | undefined,
  what: string,
): { retries: number; signal: AbortSignal | undefined } {
  const o = options === undefined ? NO_OPTIONS : checkOptions(options, OP_KEYS, what);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw invalidArg('ERR_INVALID_ARG_TYPE', `${what}: signal must be an AbortSignal`);
  }
  if (o.signal?.aborted) throw abortError(o.signal, what);
  return { retries: retryLimit(o.retryOnInterrupt), signal: o.signal };
}

/**
 * The destination of a send: parsed, checked against the socket's family
 * (an IPv4 address becomes IPv4-mapped on an IPv6 socket), or undefined for
 * a connected socket's peer.
 */
export function destination(
  handle: DatagramHandle<'sync' | 'async'>,
  to: AddressLike | undefined,
  what: string,
): SocketAddress | undefined {
  const state = handle._state;
  if (to === undefined || to === null) {
    if (handle._peer === undefined) {
      throw invalidArg(
        'ERR_INVALID_ARG_VALUE',
        `${what}: the ${state.what} is not connected; give a destination address`,
      );
    }
    return undefined;
  }
  const address = toAddress(to);
  if (state.family === 'unix') {
    if (address.family !== 'unix') throw familyMismatch(state, address, what);
    return address;
  }
  if (address.family === 'unix') throw familyMismatch(state, address, what);
  if (state.family === 'ipv4' && address.family === 'ipv6')
    throw familyMismatch(state, address, what);
  if (state.family === 'ipv6' && address.family === 'ipv4')
    return mapToIPv6(address as InetSocketAddress);
  return address;
}

function familyMismatch(state: SocketState, address: SocketAddress, what: string): IoError {
  return new IoError({
    code: 'ERR_INVALID_ADDRESS',
    message: `${what}: an ${state.family === 'unix' ? 'Unix' : state.family === 'ipv4' ? 'IPv4' : 'IPv6'} ${state.what} cannot send to ${address.family} address '${address}'`,
    address: String(address),
  });
}

/** Refuses a payload no datagram of this socket can carry. */
export function checkPayload(state: SocketState, length: number, what: string): void {
  if (state.family === 'unix') return;
  const max = state.family === 'ipv4' ? MAX_UDP4 : MAX_UDP6;
  if (length > max) {
    throw invalidArg(
      'ERR_OUT_OF_RANGE',
      `${what}: a ${state.what === 'UDP-Lite socket' ? 'UDP-Lite' : 'UDP'} datagram over ${state.family === 'ipv4' ? 'IPv4' : 'IPv6'} carries at most ${max} bytes, got ${length}`,
    );
  }
}

/** `sendto`: one datagram to `to` (or the connected peer); returns the bytes sent. */
export function sendOne(
  handle: DatagramHandle<'sync' | 'async'>,
  data: ByteSource,
  to: AddressLike | undefined,
  options: OpOptions | undefined,
): number | Promise<number> {
  const state = handle._state;
  const fd = state.check('sendto');
  const dest = destination(handle, to, 'send');
  const o = opOptions(options, 'send');
  const bytes = lendSource(data);
  try {
    checkPayload(state, bytes.length, 'send');
  } catch (e) {
    settleSource(data, 0);
    throw e;
  }
  const attempt = () => {
    const len = dest === undefined ? 0 : encodeSockaddr(dest, names.bytes, 0);
    return sendto(
      fd,
      bytes,
      bytes.length,
      MSG.MSG_NOSIGNAL,
      dest === undefined ? null : names.address,
      len,
    ) as number;
  };
  return andThen(
    () =>
      run(state, 'sendto', POLL.POLLOUT, attempt, {
        ...o,
        address: dest === undefined ? undefined : String(dest),
      }),
    (n) => {
      handle._bound = true;
      settleSource(data, n);
      state.consume?.(data);
      return n;
    },
    () => {
      settleSource(data, 0);
      state.consume?.(data);
    },
  );
}

/** `recvfrom`: one datagram into `out`'s free space. */
export function recvOne(
  handle: DatagramHandle<'sync' | 'async'>,
  out: OutputBuffer,
  options: OpOptions | undefined,
): Received | Promise<Received> {
  const state = handle._state;
  const fd = state.check('recvfrom');
  const o = opOptions(options, 'recv');
  const target = lendTarget(out);
  let from: SocketAddress | undefined;
  const attempt = () => {
    names.u32[NAME_LEN_AT >>> 2] = SOCKADDR_MAX;
    // MSG_TRUNC: the result is the datagram's real length, so a cut is visible.
    const r = recvfrom(
      fd,
      target,
      target.length,
      MSG.MSG_TRUNC,
      names.address,
      names.address + NAME_LEN_AT,
    ) as number;
    if (r >= 0) from = state.names.decode(names.bytes, names.u32, 0, names.u32[NAME_LEN_AT >>> 2]!);
    return r;
  };
  return andThen(
    () => run(state, 'recvfrom', POLL.POLLIN, attempt, o),
    (n) => {
      const bytes = Math.min(n, target.length);
      settleTarget(out, bytes);
      return { bytes, from: from ?? (handle._peer as SocketAddress), truncated: n > target.length };
    },
    () => settleTarget(out, 0),
  );
}

/** `sendmmsg`: the datagrams in order; returns how many were sent (a prefix; at most 1024 per call). */
export function sendBatch(
  handle: DatagramHandle<'sync' | 'async'>,
  datagrams: readonly Outgoing[],
  options: OpOptions | undefined,
): number | Promise<number> {
  const state = handle._state;
  const fd = state.check('sendmmsg');
  const o = opOptions(options, 'sendMany');
  const n = sendCount(datagrams);
  if (n === 0) return 0;
  const batch = MmsgBatch.ensure(state.batch, n, nameStride(handle));
  state.batch = batch;
  const lent = lendSends(handle, batch, datagrams);
  const attempt = () => {
    fillSends(batch, lent);
    return sendmmsg(fd, batch.block.address, lent.n, MSG.MSG_NOSIGNAL) as number;
  };
  return andThen(
    () => run(state, 'sendmmsg', POLL.POLLOUT, attempt, o),
    (sent) => {
      handle._bound = true;
      settleSends(lent, sent, state.consume);
      return sent;
    },
    () => settleSends(lent, 0, state.consume),
  );
}

/** `recvmmsg`: up to `buffers.length` datagrams (at most 1024), at least one (waits for the first). */
export function recvBatch(
  handle: DatagramHandle<'sync' | 'async'>,
  buffers: readonly OutputBuffer[],
  options: OpOptions | undefined,
): ReceivedDatagrams | Promise<ReceivedDatagrams> {
  const state = handle._state;
  const fd = state.check('recvmmsg');
  lendReceives(buffers);
  let o: ReturnType<typeof opOptions>;
  try {
    o = opOptions(options, 'recvMany');
  } catch (e) {
    releaseReceives(buffers);
    throw e;
  }
  const n = buffers.length;
  const batch = MmsgBatch.ensure(state.batch, n, nameStride(handle));
  state.batch = batch;
  let result: ReceivedDatagrams | undefined;
  const attempt = () => {
    fillReceives(batch, buffers);
    const r = recvmmsg(fd, batch.block.address, n, MSG.MSG_WAITFORONE, null) as number;
    if (r >= 0) result = collectReceived(handle, batch, buffers, r);
    return r;
  };
  return andThen(
    () => run(state, 'recvmmsg', POLL.POLLIN, attempt, o),
    () => result!,
    () => releaseReceives(buffers),
  );
}
