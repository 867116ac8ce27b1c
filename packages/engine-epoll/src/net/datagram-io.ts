import {
  type AddressLike,
  type ByteSource,
  type OutputBuffer,
  type Outgoing,
  type Received,
  type SocketAddress,
  lendSource,
  lendTarget,
  settleSource,
} from '@binio/core';
import {
  MmsgBatch,
  lendReceives,
  lendSends,
  nameStride,
  sendCount,
  type ReceivedDatagrams,
  addressOf,
  checkPayload,
  destination,
} from '@binio/engine-posix/socket';
import { closedError } from '../errors.js';
import type { Host } from '../host.js';
import { type EpollOpOptions, OP_KEYS, parseOptions } from '../options.js';
import { READ, WRITE } from '../reactor/source.js';
import {
  type EpollDatagramHandle,
  RecvFromOp,
  RecvManyOp,
  SendManyOp,
  SendToOp,
} from './datagram-ops.js';

/**
 * The datagram operations the engine exposes (`send`, `recv`, `sendMany`,
 * `recvMany`): every argument checked and every buffer lent before the
 * first system call, then one non-blocking try, parked on EAGAIN.
 */

function resolveDest(
  handle: EpollDatagramHandle,
  to: AddressLike | undefined,
  what: string,
): SocketAddress | undefined {
  const dg = handle._dg;
  // Sends to the same place repeat the same argument: parse it once.
  if (to !== undefined && to === dg.lastTo) return dg.lastDest;
  const dest = destination(handle, to, what);
  dg.lastTo = to;
  dg.lastDest = dest;
  return dest;
}

function open(handle: EpollDatagramHandle, syscall: string): number {
  if (handle._state.closed) throw closedError(handle._state.what, syscall);
  return handle._state.fd;
}

/** One datagram to `to` (or the connected peer); resolves with the bytes sent. */
export function sendDatagram(
  host: Host,
  handle: EpollDatagramHandle,
  data: ByteSource,
  to: AddressLike | undefined,
  options: EpollOpOptions | undefined,
): Promise<number> {
  const o = parseOptions(options, OP_KEYS, 'send');
  open(handle, 'sendto');
  const dest = resolveDest(handle, to, 'send');
  const bytes = lendSource(data);
  try {
    checkPayload(handle._state, bytes.byteLength, 'send');
  } catch (e) {
    settleSource(data, 0);
    throw e;
  }
  const base = bytes.byteLength === 0 ? 0 : addressOf(bytes);
  return handle._dg.source.run(
    new SendToOp(host, handle, data, base, bytes.byteLength, dest, o.retries),
    WRITE,
    o,
  );
}

/** One datagram into `out`'s free space; a longer one is cut and flagged. */
export function recvDatagram(
  handle: EpollDatagramHandle,
  out: OutputBuffer,
  options: EpollOpOptions | undefined,
): Promise<Received> {
  const o = parseOptions(options, OP_KEYS, 'recv');
  open(handle, 'recvfrom');
  const view = lendTarget(out);
  const base = view.byteLength === 0 ? 0 : addressOf(view);
  return handle._dg.source.run(
    new RecvFromOp(handle, out, base, view.byteLength, o.retries),
    READ,
    o,
  );
}

/** `sendmmsg` of up to 1024 datagrams; resolves with how many went (a prefix). */
export function sendDatagrams(
  host: Host,
  handle: EpollDatagramHandle,
  datagrams: readonly Outgoing[],
  options: EpollOpOptions | undefined,
): Promise<number> {
  const o = parseOptions(options, OP_KEYS, 'sendMany');
  open(handle, 'sendmmsg');
  const n = sendCount(datagrams);
  if (n === 0) return Promise.resolve(0);
  const batch = MmsgBatch.ensure(handle._state.batch, n, nameStride(handle));
  handle._state.batch = batch;
  const sends = lendSends(handle, batch, datagrams);
  return handle._dg.source.run(new SendManyOp(host, handle, batch, sends, o.retries), WRITE, o);
}

/** `recvmmsg` into up to 1024 buffers; resolves once at least one datagram arrived. */
export function recvDatagrams(
  handle: EpollDatagramHandle,
  buffers: readonly OutputBuffer[],
  options: EpollOpOptions | undefined,
): Promise<ReceivedDatagrams> {
  const o = parseOptions(options, OP_KEYS, 'recvMany');
  open(handle, 'recvmmsg');
  lendReceives(buffers);
  const batch = MmsgBatch.ensure(handle._state.batch, buffers.length, nameStride(handle));
  handle._state.batch = batch;
  return handle._dg.source.run(new RecvManyOp(handle, batch, buffers, o.retries), READ, o);
}
