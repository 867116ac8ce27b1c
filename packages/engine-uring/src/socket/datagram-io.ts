import {
  type AddressLike,
  type ByteSource,
  checkOptions,
  IoError,
  lendSource,
  lendTarget,
  type OpOptions,
  type OutputBuffer,
  type Received,
  retryLimit,
  type SocketAddress,
  settleSource,
  settleTarget,
} from '@binio/core';
import { checkSignal } from '@binio/engine-posix/file';
import { MSG } from '@binio/engine-posix/linux';
import { checkPayload, destination } from '@binio/engine-posix/socket';
import { Kind } from '../engine/slots.js';
import { Op } from '../uring/abi.js';
import { type DatagramHost, datagramOf, type UringDatagramSocket } from './datagram.js';
import { fillRecv, fillSend, readRecv } from './msg-blocks.js';
import { closedError } from './tcp.js';

/*
 * One datagram per operation: SENDMSG with the destination in the msghdr,
 * RECVMSG with room for the sender's name. Every argument is checked and
 * every buffer lent before the SQE is written; the message block stays with
 * the operation until its completion.
 */

const OP_KEYS = ['retryOnInterrupt', 'signal'] as const;

/** Checks datagram options; refuses an already aborted signal. */
export function opOptions(
  options: OpOptions | undefined,
  what: string,
): { retries: number; signal: AbortSignal | undefined } {
  if (options === undefined) return { retries: Number.POSITIVE_INFINITY, signal: undefined };
  const o = checkOptions(options, OP_KEYS, what);
  return { retries: retryLimit(o.retryOnInterrupt), signal: checkSignal(o.signal, what) };
}

/**
 * The error of a request that failed: a request cancelled because its socket
 * was closed meanwhile is `EBADF`, like any operation on a closed socket.
 */
export function failure(
  socket: UringDatagramSocket<'sync' | 'async'>,
  e: unknown,
  op: string,
): unknown {
  return socket._state.closed && e instanceof IoError && e.code === 'ECANCELED'
    ? closedError(op)
    : e;
}

/** `send`: one SENDMSG to `to` (or the connected peer); returns the bytes sent. */
export function sendOne(
  host: DatagramHost,
  socket: unknown,
  data: ByteSource,
  to: AddressLike | undefined,
  options: OpOptions | undefined,
): number | Promise<number> {
  const handle = datagramOf(host, socket, 'send');
  const state = handle._state;
  const fd = state.check('sendmsg');
  const dest = destination(handle, to, 'send');
  const { retries, signal } = opOptions(options, 'send');
  const core = host.core;
  core.require(Op.SENDMSG);
  const bytes = lendSource(data);
  const done = (n: number): number => {
    handle._bound = true;
    settleSource(data, n);
    host.consume(data);
    return n;
  };
  try {
    checkPayload(state, bytes.byteLength, 'send');
  } catch (e) {
    done(0);
    throw e;
  }
  const m = host.blocks.take();
  const l = fillSend(m, dest, [bytes], undefined, 0);
  const where = dest === undefined ? undefined : String(dest);
  const fail = (e: unknown): never => {
    host.blocks.give(m);
    done(0);
    throw failure(handle, e, 'sendmsg');
  };
  let r: number | Promise<number> | undefined;
  try {
    // SENDMSG takes the msghdr in `addr` and 1 in `len` (one message).
    r = core.run(
      Kind.VALUE,
      Op.SENDMSG,
      fd,
      false,
      l.block.address + l.msgAt,
      1,
      0,
      m,
      retries,
      signal,
      MSG.MSG_NOSIGNAL,
      -1,
      where,
    );
  } catch (e) {
    return fail(e);
  }
  if (typeof r === 'number') {
    host.blocks.give(m);
    return done(r);
  }
  if (r === undefined) {
    // No free slot: undo everything and queue the whole call.
    host.blocks.give(m);
    settleSource(data, 0);
    return core.later(() => sendOne(host, socket, data, to, options) as Promise<number>);
  }
  return r.then((n) => {
    host.blocks.give(m);
    return done(n);
  }, fail);
}

/** `recv`: one RECVMSG into `out`'s free space, with the sender and whether the datagram was cut. */
export function recvOne(
  host: DatagramHost,
  socket: unknown,
  out: OutputBuffer,
  options: OpOptions | undefined,
): Received | Promise<Received> {
  const handle = datagramOf(host, socket, 'recv');
  const state = handle._state;
  const fd = state.check('recvmsg');
  const { retries, signal } = opOptions(options, 'recv');
  const core = host.core;
  core.require(Op.RECVMSG);
  const target = lendTarget(out);
  const m = host.blocks.take();
  const l = fillRecv(m, [target], 0);
  const finish = (n: number): Received => {
    const h = readRecv(l);
    const from: SocketAddress | undefined =
      h.nameLength === 0
        ? undefined
        : state.names.decode(l.block.bytes, l.block.u32, l.nameAt, h.nameLength);
    host.blocks.give(m);
    const bytes = Math.min(n, target.byteLength);
    settleTarget(out, bytes);
    // MSG_TRUNC in the flags asks for the datagram's real length as the
    // result, and the kernel sets it in msg_flags when the datagram was cut.
    const truncated = n > target.byteLength || (h.flags & MSG.MSG_TRUNC) !== 0;
    return { bytes, from: from ?? (handle._peer as SocketAddress), truncated };
  };
  const fail = (e: unknown): never => {
    host.blocks.give(m);
    settleTarget(out, 0);
    throw failure(handle, e, 'recvmsg');
  };
  let r: number | Promise<number> | undefined;
  try {
    r = core.run(
      Kind.VALUE,
      Op.RECVMSG,
      fd,
      false,
      l.block.address + l.msgAt,
      1,
      0,
      m,
      retries,
      signal,
      MSG.MSG_TRUNC,
      -1,
      undefined,
    );
  } catch (e) {
    return fail(e);
  }
  if (typeof r === 'number') return finish(r);
  if (r === undefined) {
    host.blocks.give(m);
    settleTarget(out, 0);
    return core.later(() => recvOne(host, socket, out, options) as Promise<Received>);
  }
  return r.then(finish, fail);
}
