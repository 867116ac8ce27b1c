import {
  type AddressLike,
  type ByteSource,
  type OutputBuffer,
  type Outgoing,
  type Received,
  type SocketAddress,
  invalidArg,
  lendSource,
  lendTarget,
  settleSource,
} from '@binio/core';
import {
  MMSG_MAX,
  MmsgBatch,
  type ReceivedDatagrams,
  addressOf,
  checkPayload,
  destination,
  lendTargets,
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

// Name slot per message: room for sockaddr_in6 (28), or a sockaddr_un (110).
function stride(handle: EpollDatagramHandle): number {
  return handle._state.family === 'unix' ? 112 : 32;
}

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
  if (!Array.isArray(datagrams))
    throw invalidArg(
      'ERR_INVALID_ARG_TYPE',
      'sendMany: datagrams must be an array of { data, to }',
    );
  const n = Math.min(datagrams.length, MMSG_MAX);
  if (n === 0) return Promise.resolve(0);
  const batch = MmsgBatch.ensure(handle._state.batch, n, stride(handle));
  handle._state.batch = batch;
  const sources = new Array<ByteSource>(n);
  const payloads = new Array<Uint8Array>(n);
  const dests = new Array<SocketAddress | undefined>(n);
  let lent = 0;
  try {
    for (let i = 0; i < n; i++) {
      const d = datagrams[i];
      if (typeof d !== 'object' || d === null) {
        throw invalidArg(
          'ERR_INVALID_ARG_TYPE',
          `sendMany: datagrams[${i}] must be an object { data, to }`,
        );
      }
      dests[i] = resolveDest(handle, d.to, `sendMany: datagrams[${i}]`);
      const bytes = lendSource(d.data);
      sources[i] = d.data;
      lent++;
      checkPayload(handle._state, bytes.byteLength, `sendMany: datagrams[${i}]`);
      payloads[i] = bytes;
    }
  } catch (e) {
    // Bad input: everything lent so far goes back untouched (nothing was sent).
    for (let i = 0; i < lent; i++) settleSource(sources[i]!, 0);
    throw e;
  }
  return handle._dg.source.run(
    new SendManyOp(host, handle, batch, sources, payloads, dests, o.retries),
    WRITE,
    o,
  );
}

/** `recvmmsg` into up to 1024 buffers; resolves once at least one datagram arrived. */
export function recvDatagrams(
  handle: EpollDatagramHandle,
  buffers: readonly OutputBuffer[],
  options: EpollOpOptions | undefined,
): Promise<ReceivedDatagrams> {
  const o = parseOptions(options, OP_KEYS, 'recvMany');
  open(handle, 'recvmmsg');
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
  const s = stride(handle);
  const batch = MmsgBatch.ensure(handle._state.batch, n, s);
  handle._state.batch = batch;
  const targets = lendTargets(buffers, n);
  return handle._dg.source.run(
    new RecvManyOp(handle, batch, buffers, targets, s, o.retries),
    READ,
    o,
  );
}
