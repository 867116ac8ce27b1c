import {
  BufferList,
  type ByteSource,
  checkInt,
  checkOptions,
  invalidArg,
  lendSource,
  lendTarget,
  type OpOptions,
  OutputBuffer,
  settleSource,
  settleTarget,
} from '@binio/core';
import { checkPayload } from './datagram-io.js';
import type { SocketState } from './state.js';

/**
 * The parts of `sendMsg`/`recvMsg` that do not depend on how the message
 * reaches the kernel (a system call here, an io_uring request in the uring
 * engine): option checks, and lending the data or the target as iovec
 * segments with the matching settle.
 */

/** Most segments one message carries (`IOV_MAX`). */
export const IOV_MAX = 1024;

/** Options of `recvMsg`. */
export interface RecvMsgOptions extends OpOptions {
  /** Room for received control messages in bytes (default 256; 0 for none). */
  controlLength?: number;
  /** `MSG_PEEK`: look without consuming. */
  peek?: boolean;
}

const RECV_MSG_KEYS = ['retryOnInterrupt', 'signal', 'controlLength', 'peek'] as const;

/** Checks `recvMsg`'s options; the retry and abort options come back as `op`. */
export function recvMsgOptions(options: RecvMsgOptions | undefined): {
  controlLength: number;
  peek: boolean;
  op: OpOptions;
} {
  const o = options === undefined ? {} : checkOptions(options, RECV_MSG_KEYS, 'recvMsg');
  const controlLength =
    o.controlLength === undefined ? 256 : checkInt('controlLength', o.controlLength, 0, 65536);
  if (o.peek !== undefined && typeof o.peek !== 'boolean')
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'recvMsg: peek must be a boolean');
  return {
    controlLength,
    peek: o.peek === true,
    op: { retryOnInterrupt: o.retryOnInterrupt, signal: o.signal },
  };
}

/** A message's memory, lent for the operation: its segments and how to give it back. */
export interface LentMessage {
  /** One iovec each. */
  segments: Uint8Array[];
  /** Their total length. */
  total: number;
  /** Gives the memory back after `n` bytes moved (0: none, or a refusal). */
  settle(n: number): void;
}

function total(segments: readonly Uint8Array[]): number {
  let sum = 0;
  for (const s of segments) sum += s.byteLength;
  return sum;
}

/**
 * Lends `sendMsg`'s data: bytes or a buffer (one segment) or a BufferList
 * (gather). Refuses (and gives back) more than {@link IOV_MAX} segments, and
 * on a datagram socket (`datagram`: its state) a payload over its limit.
 */
export function lendMessageData(
  data: ByteSource | BufferList,
  datagram: SocketState | undefined,
): LentMessage {
  let lent: LentMessage;
  if (data instanceof BufferList) {
    data.lend();
    const segments = data._pending();
    lent = {
      segments,
      total: total(segments),
      settle: (n) => {
        data.settle();
        if (n > 0) data.advance(n);
      },
    };
  } else {
    const segments = [lendSource(data)];
    lent = { segments, total: segments[0]!.byteLength, settle: (n) => settleSource(data, n) };
  }
  try {
    if (datagram !== undefined) checkPayload(datagram, lent.total, 'sendMsg');
    if (lent.segments.length > IOV_MAX)
      throw invalidArg(
        'ERR_OUT_OF_RANGE',
        `sendMsg: at most ${IOV_MAX} segments (IOV_MAX), got ${lent.segments.length}`,
      );
  } catch (e) {
    lent.settle(0);
    throw e;
  }
  return lent;
}

/**
 * Lends `recvMsg`'s target: an OutputBuffer's free space, or a BufferList
 * after its cursor (scatter). Past {@link IOV_MAX} segments it is given back
 * and refused.
 */
export function lendMessageTarget(into: OutputBuffer | BufferList): LentMessage {
  let lent: LentMessage;
  if (into instanceof BufferList) {
    into.lend();
    const segments = into._pending();
    lent = {
      segments,
      total: total(segments),
      settle: (n) => {
        into.settle();
        if (n > 0) into.advance(n);
      },
    };
  } else if (into instanceof OutputBuffer) {
    const segments = [lendTarget(into)];
    lent = { segments, total: segments[0]!.byteLength, settle: (n) => settleTarget(into, n) };
  } else {
    throw invalidArg(
      'ERR_INVALID_ARG_TYPE',
      'recvMsg: the target must be an OutputBuffer or a BufferList',
    );
  }
  if (lent.segments.length > IOV_MAX) {
    lent.settle(0);
    throw invalidArg(
      'ERR_OUT_OF_RANGE',
      `recvMsg: at most ${IOV_MAX} segments (IOV_MAX), got ${lent.segments.length}`,
    );
  }
  return lent;
}
