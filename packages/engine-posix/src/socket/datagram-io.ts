import {
  type AddressLike,
  abortError,
  type ByteSource,
  checkOptions,
  type InetSocketAddress,
  InputBuffer,
  IoError,
  invalidArg,
  lendSource,
  lendTarget,
  type OpOptions,
  type Outgoing,
  OutputBuffer,
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
import { MMSG_MAX, MmsgBatch } from './mmsghdr.js';
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
  if (!Array.isArray(datagrams)) {
    throw invalidArg(
      'ERR_INVALID_ARG_TYPE',
      'sendMany: datagrams must be an array of { data, to }',
    );
  }
  const o = opOptions(options, 'sendMany');
  const n = Math.min(datagrams.length, MMSG_MAX);
  if (n === 0) return 0;
  const stride = state.family === 'unix' ? 112 : 32;
  const batch = MmsgBatch.ensure(state.batch, n, stride);
  state.batch = batch;
  // Each payload as (memory, offset, length): the slot cache in the batch is
  // keyed by the memory, which stays the same call after call.
  const memory = new Array<Uint8Array>(n);
  const offsets = new Array<number>(n);
  const lengths = new Array<number>(n);
  const dests = new Array<SocketAddress | undefined>(n);
  let lent = 0;
  const release = () => {
    for (let i = 0; i < lent; i++) settleSource(datagrams[i]!.data, 0);
  };
  try {
    let lastTo: unknown = batch.lastTo;
    let lastDest = batch.lastDest;
    for (let i = 0; i < n; i++) {
      const d = datagrams[i];
      if (typeof d !== 'object' || d === null) {
        throw invalidArg(
          'ERR_INVALID_ARG_TYPE',
          `sendMany: datagrams[${i}] must be an object { data, to }`,
        );
      }
      const to = d.to;
      if (to !== lastTo || to === undefined) {
        lastDest = destination(handle, to, `sendMany: datagrams[${i}]`);
        lastTo = to;
      }
      dests[i] = lastDest;
      const src = d.data;
      lendSource(src);
      lent++;
      // (memory, offset, length) from the fields, not the view: a typed
      // array's byteOffset and byteLength getters cost ~20 ns each here,
      // its length almost nothing.
      let mem: Uint8Array;
      let offset = 0;
      let length: number;
      if (src instanceof Uint8Array) {
        mem = src;
        length = src.length;
      } else if (src instanceof InputBuffer) {
        mem = src._bytes;
        offset = src._pos;
        length = mem.length - offset;
      } else {
        mem = src._bytes;
        length = src._count;
      }
      checkPayload(state, length, `sendMany: datagrams[${i}]`);
      memory[i] = mem;
      offsets[i] = offset;
      lengths[i] = length;
    }
    batch.lastTo = lastTo;
    batch.lastDest = lastDest;
  } catch (e) {
    // Refused before any call: every source stays the caller's.
    release();
    throw e;
  }
  const attempt = () => {
    let prev: SocketAddress | undefined;
    let prevSlot = -1;
    let prevLen = 0;
    for (let i = 0; i < n; i++) {
      batch.setBytes(i, memory[i]!, offsets[i]!, lengths[i]!);
      const dest = dests[i];
      if (dest === undefined) batch.setName(i, -1, 0);
      else if (dest === prev) batch.setName(i, prevSlot, prevLen);
      else {
        prevLen = encodeSockaddr(dest, batch.block.bytes, batch.name(i));
        prevSlot = i;
        prev = dest;
        batch.setName(i, i, prevLen);
      }
    }
    return sendmmsg(fd, batch.block.address, n, MSG.MSG_NOSIGNAL) as number;
  };
  return andThen(
    () => run(state, 'sendmmsg', POLL.POLLOUT, attempt, o),
    (sent) => {
      handle._bound = true;
      // A datagram goes whole or not at all.
      for (let i = 0; i < n; i++) settleSource(datagrams[i]!.data, i < sent ? lengths[i]! : 0);
      if (state.consume !== undefined)
        for (let i = 0; i < n; i++) state.consume(datagrams[i]!.data);
      return sent;
    },
    () => {
      release();
      if (state.consume !== undefined)
        for (let i = 0; i < n; i++) state.consume(datagrams[i]!.data);
    },
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
  if (!Array.isArray(buffers))
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'recvMany: buffers must be an array of OutputBuffer');
  const n = buffers.length;
  if (n === 0)
    throw invalidArg('ERR_OUT_OF_RANGE', 'recvMany needs at least one buffer to receive into');
  if (n > MMSG_MAX) {
    throw invalidArg(
      'ERR_OUT_OF_RANGE',
      `recvMany takes at most ${MMSG_MAX} buffers per call (UIO_MAXIOV), got ${n}`,
    );
  }
  const o = opOptions(options, 'recvMany');
  const stride = state.family === 'unix' ? 112 : 32;
  const batch = MmsgBatch.ensure(state.batch, n, stride);
  state.batch = batch;
  let lent = 0;
  const fail = () => {
    for (let i = 0; i < lent; i++) settleTarget(buffers[i]!, 0);
  };
  for (let i = 0; i < n; i++) {
    const b = buffers[i];
    if (!(b instanceof OutputBuffer)) {
      fail();
      throw invalidArg('ERR_INVALID_ARG_TYPE', `recvMany: buffers[${i}] must be an OutputBuffer`);
    }
    // lendTarget's ownership step without its view: the iovec points into
    // the buffer's memory after its initialized bytes, and settleTarget
    // commits what arrived. (A view per buffer per call cost more than the
    // rest of a small batch.)
    try {
      b.lend();
    } catch (e) {
      fail();
      throw e;
    }
    lent++;
  }
  let result: ReceivedDatagrams | undefined;
  const attempt = () => {
    for (let i = 0; i < n; i++) {
      const b = buffers[i]!;
      const mem = b._bytes;
      batch.setBytes(i, mem, b._count, mem.length - b._count);
      // Rewrites only what changed (the kernel's name lengths included).
      batch.setName(i, i, stride);
    }
    const r = recvmmsg(fd, batch.block.address, n, MSG.MSG_WAITFORONE, null) as number;
    if (r >= 0) {
      const from = new Array<SocketAddress>(r);
      const truncated = new Array<boolean>(r);
      const bytes = batch.block.bytes;
      const words = batch.block.u32;
      for (let i = 0; i < r; i++) {
        const len = batch.length(i);
        settleTarget(buffers[i]!, len);
        truncated[i] = (batch.flags(i) & MSG.MSG_TRUNC) !== 0;
        from[i] =
          state.names.decode(bytes, words, batch.name(i), batch.nameLength(i)) ??
          (handle._peer as SocketAddress);
      }
      for (let i = r; i < n; i++) settleTarget(buffers[i]!, 0);
      batch.namesReceived(r);
      result = { count: r, from, truncated };
    }
    return r;
  };
  return andThen(
    () => run(state, 'recvmmsg', POLL.POLLIN, attempt, o),
    () => result!,
    fail,
  );
}

/**
 * Lends the payloads of `datagrams[0..n)` for a batch send, all or none,
 * with each destination checked (the previous one reused while `to`
 * repeats) and each payload's size checked. On a refusal what was lent goes
 * back untouched (nothing was sent).
 */
export function lendOutgoing(
  handle: DatagramHandle<'sync' | 'async'>,
  datagrams: readonly Outgoing[],
  n: number,
): { dests: Array<SocketAddress | undefined>; payloads: Uint8Array[] } {
  const dests = new Array<SocketAddress | undefined>(n);
  const payloads = new Array<Uint8Array>(n);
  let lent = 0;
  try {
    let lastTo: unknown;
    let lastDest: SocketAddress | undefined;
    for (let i = 0; i < n; i++) {
      const d = datagrams[i];
      if (typeof d !== 'object' || d === null) {
        throw invalidArg(
          'ERR_INVALID_ARG_TYPE',
          `sendMany: datagrams[${i}] must be an object { data, to }`,
        );
      }
      if (i === 0 || d.to !== lastTo) {
        lastDest = destination(handle, d.to, `sendMany: datagrams[${i}]`);
        lastTo = d.to;
      }
      dests[i] = lastDest;
      payloads[i] = lendSource(d.data);
      lent++;
      checkPayload(handle._state, payloads[i]!.byteLength, `sendMany: datagrams[${i}]`);
    }
  } catch (e) {
    for (let i = 0; i < lent; i++) settleSource(datagrams[i]!.data, 0);
    throw e;
  }
  return { dests, payloads };
}
