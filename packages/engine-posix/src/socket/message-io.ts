import {
  type AddressLike,
  BufferList,
  type ByteSource,
  checkOptions,
  invalidArg,
  type OpOptions,
  type OutputBuffer,
  type SocketAddress,
} from '@binio/core';
import { recvmsg, sendmsg } from '../libc/socket-calls.js';
import { MSG, POLL } from '../linux/socket-constants.js';
import { type ControlMessage, controlSpace, decodeControl } from './cmsg.js';
import { DatagramHandle } from './datagram.js';
import { destination, opOptions } from './datagram-io.js';
import type { SocketHandle } from './handle.js';
import {
  lendMessageData,
  lendMessageTarget,
  type RecvMsgOptions,
  recvMsgOptions,
} from './message-parts.js';
import { MessageScratch, readMsghdr, writeIncoming, writeOutgoing } from './msghdr.js';
import { andThen } from './ret.js';
import { run } from './run.js';

/**
 * `sendmsg`/`recvmsg` on any socket: scatter/gather data, a destination
 * (datagram sockets), and control messages (`SCM_RIGHTS` descriptors,
 * credentials, packet info).
 */

export type { RecvMsgOptions };

/** What `sendMsg` sends. */
export interface MessageOut {
  /** The payload: bytes, a tracked buffer, or a BufferList sent as one message (gather). */
  data: ByteSource | BufferList;
  /** Destination of a datagram (default: the connected peer). Streams take none. */
  to?: AddressLike;
  /** Control messages to attach. */
  control?: readonly ControlMessage[];
}

/** What `recvMsg` received. */
export interface MessageIn {
  /** Bytes stored (committed into the buffer, or past the list's cursor). */
  bytes: number;
  /** The sender (datagram sockets); undefined when the kernel gives none (streams). */
  from: SocketAddress | undefined;
  /** True when the datagram or record was longer than the room and was cut (`MSG_TRUNC`). */
  truncated: boolean;
  /** The control messages. Received descriptors are new ones the caller must close. */
  control: ControlMessage[];
  /** True when control messages did not fit (`MSG_CTRUNC`); descriptors that did not fit were closed by the kernel. */
  controlTruncated: boolean;
}

const scratch = new MessageScratch();

function isStream(handle: SocketHandle<'sync' | 'async'>): boolean {
  const k = handle._state.kind;
  return k === 'tcp' || k === 'unix-stream' || k === 'unix-seqpacket';
}

/** `sendmsg`: one message; returns the bytes sent (a stream may take fewer). */
export function sendMessage(
  handle: SocketHandle<'sync' | 'async'>,
  message: MessageOut,
  options: OpOptions | undefined,
): number | Promise<number> {
  const state = handle._state;
  const fd = state.check('sendmsg');
  if (typeof message !== 'object' || message === null) {
    throw invalidArg(
      'ERR_INVALID_ARG_TYPE',
      'sendMsg: message must be an object { data, to?, control? }',
    );
  }
  checkOptions(message, ['data', 'to', 'control'], 'sendMsg message');
  const o = opOptions(options, 'sendMsg');
  let dest: SocketAddress | undefined;
  if (handle instanceof DatagramHandle) dest = destination(handle, message.to, 'sendMsg');
  else if (message.to !== undefined) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `sendMsg: a ${state.what} is connected; it takes no destination`,
    );
  }
  if (state.kind === 'tcp' && message.control !== undefined && message.control.length > 0) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', 'sendMsg: TCP carries no control messages');
  }
  const control = message.control ?? [];
  const controlBytes = controlSpace(control);
  const data = message.data;
  const { segments, settle } = lendMessageData(
    data,
    handle instanceof DatagramHandle ? state : undefined,
  );
  // Datagram sends consume the engine's own buffers (core's rule for sends).
  const consume = () => {
    if (handle instanceof DatagramHandle && !(data instanceof BufferList)) state.consume?.(data);
  };
  const attempt = () => {
    const l = scratch.layout(segments.length, controlBytes);
    writeOutgoing(l, dest, segments, control, controlBytes);
    return sendmsg(fd, l.block.address + l.msgAt, MSG.MSG_NOSIGNAL) as number;
  };
  return andThen(
    () =>
      run(state, 'sendmsg', POLL.POLLOUT, attempt, {
        ...o,
        address: dest === undefined ? undefined : String(dest),
      }),
    (n) => {
      if (handle instanceof DatagramHandle) handle._bound = true;
      settle(n);
      consume();
      return n;
    },
    () => {
      settle(0);
      consume();
    },
  );
}

/** `recvmsg`: one message into `into` (an OutputBuffer's free space, or a BufferList after its cursor). */
export function receiveMessage(
  handle: SocketHandle<'sync' | 'async'>,
  into: OutputBuffer | BufferList,
  options: RecvMsgOptions | undefined,
): MessageIn | Promise<MessageIn> {
  const state = handle._state;
  const fd = state.check('recvmsg');
  const opts = recvMsgOptions(options);
  const o = opOptions(opts.op, 'recvMsg');
  const { segments, total: room, settle } = lendMessageTarget(into);
  const controlLength = opts.controlLength;
  // Streams have no record boundary: MSG_TRUNC there would discard data.
  const flags =
    MSG.MSG_CMSG_CLOEXEC |
    (opts.peek ? MSG.MSG_PEEK : 0) |
    (isStream(handle) && state.kind !== 'unix-seqpacket' ? 0 : MSG.MSG_TRUNC);
  let result: MessageIn | undefined;
  const attempt = () => {
    const l = scratch.layout(segments.length, controlLength);
    writeIncoming(l, segments, controlLength);
    const r = recvmsg(fd, l.block.address + l.msgAt, flags) as number;
    if (r >= 0) {
      const h = readMsghdr(l.block, l.msgAt);
      const bytes = Math.min(r, room);
      result = {
        bytes,
        from:
          h.nameLength === 0
            ? undefined
            : state.names.decode(l.block.bytes, l.block.u32, l.nameAt, h.nameLength),
        truncated: r > room || (h.flags & MSG.MSG_TRUNC) !== 0,
        control:
          h.controlLength === 0 ? [] : decodeControl(l.block.bytes, l.controlAt, h.controlLength),
        controlTruncated: (h.flags & MSG.MSG_CTRUNC) !== 0,
      };
    }
    return r;
  };
  return andThen(
    () => run(state, 'recvmsg', POLL.POLLIN, attempt, o),
    () => {
      settle(result!.bytes);
      return result!;
    },
    () => settle(0),
  );
}
