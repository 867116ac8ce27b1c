import {
  type BufferList,
  checkOptions,
  invalidArg,
  type OpOptions,
  type OutputBuffer,
  type SocketAddress,
} from '@binio/core';
import { MSG } from '@binio/engine-posix/linux';
import {
  controlSpace,
  decodeControl,
  destination,
  lendMessageData,
  lendMessageTarget,
  type MessageIn,
  type MessageLayout,
  type MessageOut,
  type MessageScratch,
  type RecvMsgOptions,
  recvMsgOptions,
} from '@binio/engine-posix/socket';
import { Op } from '../uring/abi.js';
import {
  type DatagramHost,
  type UringDatagramSocket,
  UringUdpSocket,
  UringUnixDatagramSocket,
} from './datagram.js';
import { failure, opOptions } from './datagram-io.js';
import { prepareRecv, prepareSend, readRecv, runMessage } from './msg-blocks.js';
import { closedError, UringTcpStream } from './tcp.js';

/*
 * sendMsg/recvMsg on any socket of the engine (stream, seqpacket, datagram;
 * TCP, UDP, Unix) as SENDMSG/RECVMSG on the ring: scatter/gather data, a
 * destination for datagram sockets, and control messages (SCM_RIGHTS
 * descriptors, credentials, packet info) encoded and decoded by
 * engine-posix's cmsg codec. Option checks and lending are engine-posix's
 * too (message-parts). Received descriptors are close-on-exec
 * (MSG_CMSG_CLOEXEC).
 */

/** What a message operation needs to know about its socket, whatever its class. */
export interface Target {
  fd: number;
  /** The datagram socket, when it is one (destinations, names, payload limits). */
  datagram: UringDatagramSocket<'sync' | 'async'> | undefined;
  /** True for Unix sockets (control messages allowed on streams). */
  unix: boolean;
  /** True when the socket keeps record boundaries (datagrams, seqpacket): MSG_TRUNC applies. */
  records: boolean;
  closed(): boolean;
}

export function targetOf(host: DatagramHost, socket: unknown, what: string): Target {
  if (socket instanceof UringTcpStream) {
    const s = socket as UringTcpStream<'sync' | 'async'>;
    if (s.closed) throw closedError(what);
    return {
      fd: s.fd,
      datagram: undefined,
      unix: s.localAddress.family === 'unix' || s.remoteAddress.family === 'unix',
      records: s.type === 'seqpacket',
      closed: () => s.closed,
    };
  }
  if (
    (socket instanceof UringUdpSocket || socket instanceof UringUnixDatagramSocket) &&
    socket._host === host
  ) {
    const d = socket as UringDatagramSocket<'sync' | 'async'>;
    return {
      fd: d._state.check(what),
      datagram: d,
      unix: d.family === 'unix',
      records: true,
      closed: () => d._state.closed,
    };
  }
  throw invalidArg('ERR_INVALID_ARG_VALUE', `${what} takes a socket of this uring engine`);
}

/** A message to send, checked and lent: what SENDMSG and SENDMSG_ZC both take. */
export interface OutgoingMessage {
  /** The socket. */
  t: Target;
  /** The destination (datagram sockets), if any. */
  dest: SocketAddress | undefined;
  /** The lent data and how to give it back after `n` bytes were sent. */
  segments: readonly Uint8Array[];
  settle(n: number): void;
  /** A message block with the msghdr, destination, iovecs and control data written. */
  m: MessageScratch;
  l: MessageLayout;
}

/**
 * sendMsg's checks (socket, message shape, destination, control messages,
 * opcode `op`) and lending, in that order; nothing is lent when one fails.
 */
export function prepareOutgoing(
  host: DatagramHost,
  socket: unknown,
  message: MessageOut,
  op: number,
  what: string,
): OutgoingMessage {
  const t = targetOf(host, socket, 'sendmsg');
  if (typeof message !== 'object' || message === null) {
    throw invalidArg(
      'ERR_INVALID_ARG_TYPE',
      `${what}: message must be an object { data, to?, control? }`,
    );
  }
  checkOptions(message, ['data', 'to', 'control'], `${what} message`);
  let dest: SocketAddress | undefined;
  if (t.datagram !== undefined) dest = destination(t.datagram, message.to, what);
  else if (message.to !== undefined) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `${what}: a stream is connected; it takes no destination`,
    );
  }
  const control = message.control ?? [];
  if (!t.unix && t.datagram === undefined && control.length > 0) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', `${what}: TCP carries no control messages`);
  }
  const controlBytes = controlSpace(control);
  host.core.require(op);
  // Refused (and given back) when too large or too scattered.
  const { segments, settle } = lendMessageData(message.data, t.datagram?._state);
  const m = host.blocks.take();
  try {
    const l = prepareSend(m, dest, segments, control, controlBytes);
    return { t, dest, segments, settle, m, l };
  } catch (e) {
    // A destination that cannot be encoded (an unknown IPv6 zone): give everything back.
    host.blocks.give(m);
    settle(0);
    throw e;
  }
}

/** `sendMsg`: one SENDMSG; returns the bytes sent (a stream may take fewer). */
export function sendMessage(
  host: DatagramHost,
  socket: unknown,
  message: MessageOut,
  options: OpOptions | undefined,
): number | Promise<number> {
  const { retries, signal } = opOptions(options, 'sendMsg');
  const { t, dest, settle, m, l } = prepareOutgoing(host, socket, message, Op.SENDMSG, 'sendMsg');
  const done = (n: number): number => {
    settle(n);
    // Datagram sends consume the engine's own buffers (core's rule for sends).
    if (t.datagram !== undefined) host.consume(message.data as never);
    return n;
  };
  return runMessage(host, {
    op: Op.SENDMSG,
    fd: t.fd,
    m,
    l,
    flags: MSG.MSG_NOSIGNAL,
    retries,
    signal,
    where: dest === undefined ? undefined : String(dest),
    ok: (n) => {
      if (t.datagram !== undefined) t.datagram._bound = true;
      return done(n);
    },
    fail: (e) => {
      done(0);
      return failure(t.closed(), e, 'sendmsg');
    },
    undo: () => settle(0),
    again: () => sendMessage(host, socket, message, options) as Promise<number>,
  });
}

/** `recvMsg`: one RECVMSG into `into` (an OutputBuffer's free space, or a BufferList after its cursor). */
export function receiveMessage(
  host: DatagramHost,
  socket: unknown,
  into: OutputBuffer | BufferList,
  options: RecvMsgOptions | undefined,
): MessageIn | Promise<MessageIn> {
  const t = targetOf(host, socket, 'recvmsg');
  const opts = recvMsgOptions(options);
  const { retries, signal } = opOptions(opts.op, 'recvMsg');
  host.core.require(Op.RECVMSG);
  const { segments, total: room, settle } = lendMessageTarget(into);
  const controlLength = opts.controlLength;
  // Byte streams have no record boundary: MSG_TRUNC there would discard data.
  const flags =
    MSG.MSG_CMSG_CLOEXEC | (opts.peek ? MSG.MSG_PEEK : 0) | (t.records ? MSG.MSG_TRUNC : 0);
  const m = host.blocks.take();
  const l = prepareRecv(m, segments, controlLength);
  return runMessage(host, {
    op: Op.RECVMSG,
    fd: t.fd,
    m,
    l,
    flags,
    retries,
    signal,
    where: undefined,
    ok: (r) => {
      const h = readRecv(l);
      const bytes = Math.min(r, room);
      const names = t.datagram?._state.names;
      settle(bytes);
      return {
        bytes,
        from:
          h.nameLength === 0 || names === undefined
            ? undefined
            : names.decode(l.block.bytes, l.block.u32, l.nameAt, h.nameLength),
        truncated: r > room || (h.flags & MSG.MSG_TRUNC) !== 0,
        control:
          h.controlLength === 0 ? [] : decodeControl(l.block.bytes, l.controlAt, h.controlLength),
        controlTruncated: (h.flags & MSG.MSG_CTRUNC) !== 0,
      };
    },
    fail: (e) => {
      settle(0);
      return failure(t.closed(), e, 'recvmsg');
    },
    undo: () => settle(0),
    again: () => receiveMessage(host, socket, into, options) as Promise<MessageIn>,
  });
}
