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
  settleSource,
  settleTarget,
} from '@binio/core';
import { checkSignal } from '@binio/engine-posix/file';
import { MSG } from '@binio/engine-posix/linux';
import { checkPayload, destination } from '@binio/engine-posix/socket';
import { Op } from '../uring/abi.js';
import { type DatagramHost, datagramOf } from './datagram.js';
import { prepareRecv, prepareSend, readRecv, runMessage } from './msg-blocks.js';
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
export function failure(closed: boolean, e: unknown, op: string): unknown {
  return closed && e instanceof IoError && e.code === 'ECANCELED' ? closedError(op) : e;
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
  host.core.require(Op.SENDMSG);
  const bytes = lendSource(data);
  const done = (n: number): number => {
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
  return runMessage(host, {
    op: Op.SENDMSG,
    fd,
    m,
    l: prepareSend(m, dest, [bytes], [], 0),
    flags: MSG.MSG_NOSIGNAL,
    retries,
    signal,
    where: dest === undefined ? undefined : String(dest),
    ok: (n) => {
      handle._bound = true;
      return done(n);
    },
    fail: (e) => {
      done(0);
      return failure(state.closed, e, 'sendmsg');
    },
    undo: () => settleSource(data, 0),
    again: () => sendOne(host, socket, data, to, options) as Promise<number>,
  });
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
  host.core.require(Op.RECVMSG);
  const target = lendTarget(out);
  const m = host.blocks.take();
  const l = prepareRecv(m, [target], 0);
  return runMessage(host, {
    op: Op.RECVMSG,
    fd,
    m,
    l,
    // MSG_TRUNC: the result is the datagram's real length, and the kernel
    // sets MSG_TRUNC in msg_flags when it was cut.
    flags: MSG.MSG_TRUNC,
    retries,
    signal,
    where: undefined,
    ok: (n) => {
      const h = readRecv(l);
      const from =
        h.nameLength === 0
          ? handle._peer
          : state.names.decode(l.block.bytes, l.block.u32, l.nameAt, h.nameLength);
      const bytes = Math.min(n, target.byteLength);
      settleTarget(out, bytes);
      const truncated = n > target.byteLength || (h.flags & MSG.MSG_TRUNC) !== 0;
      return { bytes, from: from!, truncated };
    },
    fail: (e) => {
      settleTarget(out, 0);
      return failure(state.closed, e, 'recvmsg');
    },
    undo: () => settleTarget(out, 0),
    again: () => recvOne(host, socket, out, options) as Promise<Received>,
  });
}
