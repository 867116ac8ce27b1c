import {
  type ByteSource,
  InputBuffer,
  invalidArg,
  lendSource,
  type Outgoing,
  OutputBuffer,
  type SocketAddress,
  settleSource,
  settleTarget,
  UnixSocketAddress,
} from '@binio/core';
import { MSG } from '../linux/socket-constants.js';
import type { DatagramHandle } from './datagram.js';
import { checkPayload, destination, type ReceivedDatagrams } from './datagram-io.js';
import { MMSG_MAX, type MmsgBatch } from './mmsghdr.js';
import { encodeSockaddr } from './sockaddr.js';

/**
 * The JS half of a `sendmmsg`/`recvmmsg` batch, shared by this engine (sync
 * and thread-pool waits) and the epoll engine (waits on the event loop):
 * lending the caller's buffers, filling the socket's {@link MmsgBatch}, and
 * reading what the kernel wrote back. Only the system call and the wait
 * differ between engines; the per-datagram work here is what a batch costs
 * in JS, so it avoids a view or an address lookup per datagram.
 */

/** Name slot per message: room for a sockaddr_in6 (28 bytes) or a sockaddr_un (110). */
export function nameStride(handle: DatagramHandle<'sync' | 'async'>): number {
  return handle._state.family === 'unix' ? 112 : 32;
}

/** How many of `datagrams` one `sendmmsg` takes (at most 1024); refuses a non-array. */
export function sendCount(datagrams: readonly Outgoing[]): number {
  if (!Array.isArray(datagrams)) {
    throw invalidArg(
      'ERR_INVALID_ARG_TYPE',
      'sendMany: datagrams must be an array of { data, to }',
    );
  }
  return Math.min(datagrams.length, MMSG_MAX);
}

/** A send batch's payloads, lent, as (memory, offset, length) plus each destination. */
export interface LentSends {
  readonly n: number;
  readonly sources: ByteSource[];
  readonly memory: Uint8Array[];
  readonly offsets: number[];
  readonly lengths: number[];
  readonly dests: (SocketAddress | undefined)[];
}

/** The last destination a batch parsed (an {@link MmsgBatch} keeps one per socket). */
export interface DestinationCache {
  lastTo: unknown;
  lastDest: SocketAddress | undefined;
}

/**
 * Checks the first `n` datagrams (by default `min(datagrams.length, 1024)`)
 * and lends their payloads, each destination parsed once per change of
 * `to` (`cache` carries the last one across calls). On bad input
 * everything lent so far goes back untouched and the error is thrown:
 * nothing reached the kernel.
 */
export function lendSends(
  handle: DatagramHandle<'sync' | 'async'>,
  cache: DestinationCache,
  datagrams: readonly Outgoing[],
  n: number = sendCount(datagrams),
): LentSends {
  const state = handle._state;
  const sources = new Array<ByteSource>(n);
  const memory = new Array<Uint8Array>(n);
  const offsets = new Array<number>(n);
  const lengths = new Array<number>(n);
  const dests = new Array<SocketAddress | undefined>(n);
  let lent = 0;
  try {
    // Sends to one place repeat one argument: it is parsed once per change.
    let lastTo: unknown = cache.lastTo;
    let lastDest = cache.lastDest;
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
      sources[i] = src;
      lent++;
      // (memory, offset, length) from the fields, not a view: a typed
      // array's byteOffset and byteLength getters cost ~20 ns each here,
      // its length almost nothing, and the batch caches addresses by memory.
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
    cache.lastTo = lastTo;
    cache.lastDest = lastDest;
  } catch (e) {
    for (let i = 0; i < lent; i++) settleSource(sources[i]!, 0);
    throw e;
  }
  return { n, sources, memory, offsets, lengths, dests };
}

/**
 * Points the batch at the payloads and destinations (each run of one
 * destination shares one encoded name). Called by every attempt: another
 * operation may have used the socket's arrays since.
 */
export function fillSends(batch: MmsgBatch, s: LentSends): void {
  let prev: SocketAddress | undefined;
  let prevSlot = -1;
  let prevLen = 0;
  for (let i = 0; i < s.n; i++) {
    batch.setBytes(i, s.memory[i]!, s.offsets[i]!, s.lengths[i]!);
    const dest = s.dests[i];
    if (dest === undefined) batch.setName(i, -1, 0);
    else if (dest === prev) batch.setName(i, prevSlot, prevLen);
    else {
      prevLen = encodeSockaddr(dest, batch.block.bytes, batch.name(i));
      prevSlot = i;
      prev = dest;
      batch.setName(i, i, prevLen);
    }
  }
}

/**
 * A send settled with `sent` datagrams gone (a datagram goes whole or not at
 * all); every source is settled and, when `consume` is given, handed to it
 * (the engine recycles its own buffers: sending consumes them, sent or not).
 */
export function settleSends(
  s: LentSends,
  sent: number,
  consume: ((data: ByteSource) => void) | undefined,
): void {
  for (let i = 0; i < s.n; i++) settleSource(s.sources[i]!, i < sent ? s.lengths[i]! : 0);
  if (consume !== undefined) for (let i = 0; i < s.n; i++) consume(s.sources[i]!);
}

/**
 * Checks and lends `buffers` for a receive (1 to 1024 OutputBuffers). Only
 * the ownership step: the batch points into each buffer's memory after its
 * initialized bytes, and {@link collectReceived} commits what arrived (a
 * view per buffer per call cost more than the rest of a small batch).
 */
export function lendReceives(buffers: readonly OutputBuffer[]): void {
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
  let lent = 0;
  try {
    for (let i = 0; i < n; i++) {
      const b = buffers[i];
      if (!(b instanceof OutputBuffer))
        throw invalidArg('ERR_INVALID_ARG_TYPE', `recvMany: buffers[${i}] must be an OutputBuffer`);
      b.lend();
      lent++;
    }
  } catch (e) {
    for (let i = 0; i < lent; i++) settleTarget(buffers[i]!, 0);
    throw e;
  }
}

/** Gives lent receive buffers back with nothing received. */
export function releaseReceives(buffers: readonly OutputBuffer[]): void {
  for (const b of buffers) settleTarget(b, 0);
}

/** Points the batch at each buffer's free space and its own name slot (every attempt). */
export function fillReceives(batch: MmsgBatch, buffers: readonly OutputBuffer[]): void {
  const stride = batch.nameStride;
  for (let i = 0; i < buffers.length; i++) {
    const b = buffers[i]!;
    const mem = b._bytes;
    batch.setBytes(i, mem, b._count, mem.length - b._count);
    // Rewrites only what changed (the kernel's name lengths included).
    batch.setName(i, i, stride);
  }
}

/** Commits what `recvmmsg` wrote for `r` datagrams and gives the other buffers back. */
export function collectReceived(
  handle: DatagramHandle<'sync' | 'async'>,
  batch: MmsgBatch,
  buffers: readonly OutputBuffer[],
  r: number,
): ReceivedDatagrams {
  const names = handle._state.names;
  const from = new Array<SocketAddress>(r);
  const truncated = new Array<boolean>(r);
  const bytes = batch.block.bytes;
  const words = batch.block.u32;
  for (let i = 0; i < r; i++) {
    settleTarget(buffers[i]!, batch.length(i));
    truncated[i] = (batch.flags(i) & MSG.MSG_TRUNC) !== 0;
    from[i] =
      names.decode(bytes, words, batch.name(i), batch.nameLength(i)) ??
      (handle._peer as SocketAddress | undefined) ??
      UnixSocketAddress.unnamed();
  }
  for (let i = r; i < buffers.length; i++) settleTarget(buffers[i]!, 0);
  batch.namesReceived(r);
  return { count: r, from, truncated };
}
