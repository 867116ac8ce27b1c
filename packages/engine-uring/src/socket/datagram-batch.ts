import {
  abortError,
  invalidArg,
  type OpOptions,
  type Outgoing,
  type OutputBuffer,
  type ReceivedBatch,
  type SocketAddress,
  settleSource,
  settleTarget,
} from '@binio/core';
import { E, errnoError, MSG } from '@binio/engine-posix/linux';
import {
  lendReceives,
  lendSends,
  type MessageLayout,
  type MessageScratch,
} from '@binio/engine-posix/socket';
import { Op } from '../uring/abi.js';
import { type ChainOp, type ChainResult, chainRoom, runChain } from './chain.js';
import { type DatagramHost, datagramOf, type UringDatagramSocket } from './datagram.js';
import { failure, opOptions } from './datagram-io.js';
import { prepareRecv, prepareSend, readRecv } from './msg-blocks.js';

/*
 * Batches of datagrams as SENDMSG/RECVMSG chains (chain.ts), all submitted
 * in one io_uring_enter.
 *
 * recvMany: the first RECVMSG waits for a datagram; the others are linked
 * after it with MSG_DONTWAIT, so each runs only once the one before it
 * completed and takes the next datagram already queued, in order. The
 * first that finds the queue empty fails with EAGAIN and the kernel cancels
 * the rest of the chain: the call returns at least one datagram, then
 * whatever was ready, and never waits for a second. (Unlinked DONTWAIT
 * receives would race the first one: a datagram arriving between them
 * could go to a later buffer while the first keeps waiting.)
 *
 * sendMany: linked SENDMSGs go out in order; the first failure cancels the
 * rest, so what was sent is a prefix, as with sendmmsg. Only the first may
 * wait for send-buffer room; the others carry MSG_DONTWAIT, so a full
 * buffer ends the batch early (the caller sends the rest next call).
 */

/** Most datagrams one batch call moves (the rest go in the next call). */
export const BATCH_MAX = 64;

/** The batch size that fits the ring now; 0 means queue the call (async) or refuse it (sync). */
function batchSize(host: DatagramHost, wanted: number): number {
  const room = chainRoom(host.core);
  if (room === 0 && host.core.mode === 'sync') {
    throw invalidArg('ERR_INVALID_STATE', 'EBUSY: no free slot in the sync engine for a batch');
  }
  return Math.min(wanted, BATCH_MAX, room);
}

/** The error of a chain whose first operation failed. */
function chainError(
  socket: UringDatagramSocket<'sync' | 'async'>,
  r: ChainResult,
  signal: AbortSignal | undefined,
  syscall: string,
): unknown {
  const res = r.res[0]!;
  if (r.aborted && res === -E.ECANCELED) return abortError(signal, syscall);
  return failure(socket._state.closed, errnoError(-res, { syscall, engine: 'uring' }), syscall);
}

/**
 * Runs the chain; when it is refused before submission, gives the message
 * blocks back and `undo(i)` each operation's buffer, untouched.
 */
function submit(
  host: DatagramHost,
  ops: readonly ChainOp[],
  signal: AbortSignal | undefined,
  blocks: readonly MessageScratch[],
  undo: (i: number) => void,
): ChainResult | Promise<ChainResult> {
  try {
    return runChain(host.core, ops, signal);
  } catch (e) {
    for (let i = 0; i < ops.length; i++) {
      host.blocks.give(blocks[i]!);
      undo(i);
    }
    throw e;
  }
}

/** `sendMany`: the datagrams in order; returns how many were sent (a prefix, at most {@link BATCH_MAX}). */
export function sendBatch(
  host: DatagramHost,
  socket: unknown,
  datagrams: readonly Outgoing[],
  options: OpOptions | undefined,
): number | Promise<number> {
  const handle = datagramOf(host, socket, 'sendMany');
  const state = handle._state;
  const fd = state.check('sendmsg');
  if (!Array.isArray(datagrams)) {
    throw invalidArg(
      'ERR_INVALID_ARG_TYPE',
      'sendMany: datagrams must be an array of { data, to }',
    );
  }
  const { signal } = opOptions(options, 'sendMany');
  const core = host.core;
  core.require(Op.SENDMSG);
  if (datagrams.length === 0) return core.mode === 'sync' ? 0 : Promise.resolve(0);
  const n = batchSize(host, datagrams.length);
  if (n === 0)
    return core.later(() => sendBatch(host, socket, datagrams, options) as Promise<number>);
  // Refused before anything was submitted: every source stays the caller's.
  const lent = lendSends(handle, { lastTo: undefined, lastDest: undefined }, datagrams, n);
  const { dests, memory, offsets, lengths } = lent;
  const blocks: MessageScratch[] = new Array(n);
  const ops: ChainOp[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const m = host.blocks.take();
    blocks[i] = m;
    const at = offsets[i]!;
    const l = prepareSend(m, dests[i], [memory[i]!.subarray(at, at + lengths[i]!)], [], 0);
    // After the first, MSG_DONTWAIT: a full send buffer ends the batch
    // (a prefix was sent) instead of blocking the rest of the chain.
    ops[i] = {
      op: Op.SENDMSG,
      fd,
      addr: l.block.address + l.msgAt,
      opFlags: i === 0 ? MSG.MSG_NOSIGNAL : MSG.MSG_NOSIGNAL | MSG.MSG_DONTWAIT,
      keep: m,
    };
  }
  const finish = (r: ChainResult): number => {
    let sent = 0;
    while (sent < n && r.res[sent]! >= 0) sent++;
    for (let i = 0; i < n; i++) {
      host.blocks.give(blocks[i]!);
      const data = datagrams[i]!.data;
      settleSource(data, i < sent ? lengths[i]! : 0);
      // Engine buffers are consumed, sent or not (core's rule for sends).
      host.consume(data);
    }
    if (sent === 0) throw chainError(handle, r, signal, 'sendmsg');
    handle._bound = true;
    return sent;
  };
  const r = submit(host, ops, signal, blocks, (i) => settleSource(datagrams[i]!.data, 0));
  return r instanceof Promise ? r.then(finish) : finish(r);
}

/** `recvMany`: at least one datagram (waits for it), then whatever is queued, up to the buffers (at most {@link BATCH_MAX}). */
export function recvBatch(
  host: DatagramHost,
  socket: unknown,
  buffers: readonly OutputBuffer[],
  options: OpOptions | undefined,
): (ReceivedBatch & { truncated: boolean[] }) | Promise<ReceivedBatch & { truncated: boolean[] }> {
  const handle = datagramOf(host, socket, 'recvMany');
  const state = handle._state;
  const fd = state.check('recvmsg');
  if (!Array.isArray(buffers))
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'recvMany: buffers must be an array of OutputBuffer');
  if (buffers.length === 0)
    throw invalidArg('ERR_OUT_OF_RANGE', 'recvMany needs at least one buffer to receive into');
  const { signal } = opOptions(options, 'recvMany');
  const core = host.core;
  core.require(Op.RECVMSG);
  const n = batchSize(host, buffers.length);
  if (n === 0) return core.later(() => recvBatch(host, socket, buffers, options) as Promise<never>);
  // Checked and lent all or none (engine-posix's batch half); the chain
  // reads into each buffer's free space.
  const head = n === buffers.length ? buffers : buffers.slice(0, n);
  lendReceives(head);
  const targets = head.map((b) => b._bytes.subarray(b._count));
  const blocks: MessageScratch[] = new Array(n);
  const layouts: MessageLayout[] = new Array(n);
  const ops: ChainOp[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const m = host.blocks.take();
    blocks[i] = m;
    const l = prepareRecv(m, [targets[i]!], 0);
    layouts[i] = l;
    // MSG_TRUNC: the result is the datagram's real length, so a cut is visible.
    const flags = i === 0 ? MSG.MSG_TRUNC : MSG.MSG_TRUNC | MSG.MSG_DONTWAIT;
    ops[i] = { op: Op.RECVMSG, fd, addr: l.block.address + l.msgAt, opFlags: flags, keep: m };
  }
  const finish = (r: ChainResult) => {
    let count = 0;
    while (count < n && r.res[count]! >= 0) count++;
    const from = new Array<SocketAddress>(count);
    const truncated = new Array<boolean>(count);
    for (let i = 0; i < n; i++) {
      if (i < count) {
        const l = layouts[i]!;
        const h = readRecv(l);
        const got = r.res[i]!;
        const room = targets[i]!.byteLength;
        from[i] =
          (h.nameLength === 0
            ? undefined
            : state.names.decode(l.block.bytes, l.block.u32, l.nameAt, h.nameLength)) ??
          (handle._peer as SocketAddress);
        truncated[i] = got > room || (h.flags & MSG.MSG_TRUNC) !== 0;
        settleTarget(buffers[i]!, Math.min(got, room));
      } else settleTarget(buffers[i]!, 0);
      host.blocks.give(blocks[i]!);
    }
    if (count === 0) throw chainError(handle, r, signal, 'recvmsg');
    return { count, from, truncated };
  };
  const r = submit(host, ops, signal, blocks, (i) => settleTarget(buffers[i]!, 0));
  return r instanceof Promise ? r.then(finish) : finish(r);
}
