import {
  BufferList,
  checkInt,
  checkOptions,
  IoError,
  invalidArg,
  lendSource,
  lendTarget,
  type OpOptions,
  OutputBuffer,
  type SocketAddress,
  settleSource,
  settleTarget,
} from '@binio/core';
import { MSG } from '@binio/engine-posix/linux';
import {
  checkPayload,
  controlSpace,
  decodeControl,
  destination,
  type MessageIn,
  type MessageOut,
  type RecvMsgOptions,
} from '@binio/engine-posix/socket';
import { Kind } from '../engine/slots.js';
import { Op } from '../uring/abi.js';
import { type DatagramHost, UringUdpSocket, UringUnixDatagramSocket } from './datagram.js';
import { opOptions } from './datagram-io.js';
import { fillRecv, fillSend, readRecv } from './msg-blocks.js';
import { closedError, UringTcpStream } from './tcp.js';

/*
 * sendMsg/recvMsg on any socket of the engine (stream, seqpacket, datagram;
 * TCP, UDP, Unix) as SENDMSG/RECVMSG on the ring: scatter/gather data, a
 * destination for datagram sockets, and control messages (SCM_RIGHTS
 * descriptors, credentials, packet info) encoded and decoded by
 * engine-posix's cmsg codec. Received descriptors are close-on-exec
 * (MSG_CMSG_CLOEXEC).
 */

const RECV_MSG_KEYS = ['retryOnInterrupt', 'signal', 'controlLength', 'peek'] as const;
/** IOV_MAX: most segments one message carries. */
const IOV_MAX = 1024;

type AnySocket =
  | UringTcpStream<'sync' | 'async'>
  | UringUdpSocket<'sync' | 'async'>
  | UringUnixDatagramSocket<'sync' | 'async'>;

/** The socket's descriptor, type and closed state, whatever its class. */
function describe(host: DatagramHost, socket: unknown, what: string) {
  if (socket instanceof UringTcpStream) {
    const s = socket as UringTcpStream<'sync' | 'async'>;
    if (s.closed) throw closedError(what);
    const unix = s.localAddress?.family === 'unix' || s.remoteAddress?.family === 'unix';
    return {
      socket: s as AnySocket,
      fd: s.fd,
      datagram: undefined,
      unix,
      records: s.type === 'seqpacket',
    };
  }
  if (
    (socket instanceof UringUdpSocket || socket instanceof UringUnixDatagramSocket) &&
    socket._host === host
  ) {
    const d = socket as
      | UringUdpSocket<'sync' | 'async'>
      | UringUnixDatagramSocket<'sync' | 'async'>;
    const fd = d._state.check(what);
    return { socket: d as AnySocket, fd, datagram: d, unix: d.family === 'unix', records: true };
  }
  throw invalidArg('ERR_INVALID_ARG_VALUE', `${what} takes a socket of this uring engine`);
}

function isClosed(s: AnySocket): boolean {
  return s instanceof UringTcpStream ? s.closed : s._state.closed;
}

function failure(s: AnySocket, e: unknown, op: string): unknown {
  return isClosed(s) && e instanceof IoError && e.code === 'ECANCELED' ? closedError(op) : e;
}

/** `sendMsg`: one SENDMSG; returns the bytes sent (a stream may take fewer). */
export function sendMessage(
  host: DatagramHost,
  socket: unknown,
  message: MessageOut,
  options: OpOptions | undefined,
): number | Promise<number> {
  const t = describe(host, socket, 'sendmsg');
  if (typeof message !== 'object' || message === null) {
    throw invalidArg(
      'ERR_INVALID_ARG_TYPE',
      'sendMsg: message must be an object { data, to?, control? }',
    );
  }
  checkOptions(message, ['data', 'to', 'control'], 'sendMsg message');
  const { retries, signal } = opOptions(options, 'sendMsg');
  let dest: SocketAddress | undefined;
  if (t.datagram !== undefined) dest = destination(t.datagram, message.to, 'sendMsg');
  else if (message.to !== undefined) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      'sendMsg: a stream is connected; it takes no destination',
    );
  }
  const control = message.control ?? [];
  if (!t.unix && t.datagram === undefined && control.length > 0) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', 'sendMsg: TCP carries no control messages');
  }
  const controlBytes = controlSpace(control);
  const core = host.core;
  core.require(Op.SENDMSG);
  const data = message.data;
  let segments: Uint8Array[];
  if (data instanceof BufferList) {
    data.lend();
    segments = data._pending();
  } else segments = [lendSource(data)];
  const settle = (n: number): number => {
    if (data instanceof BufferList) {
      data.settle();
      if (n > 0) data.advance(n);
    } else {
      settleSource(data, n);
      // Datagram sends consume the engine's own buffers (core's rule for sends).
      if (t.datagram !== undefined) host.consume(data);
    }
    return n;
  };
  try {
    if (t.datagram !== undefined) {
      const total = segments.reduce((sum, s) => sum + s.byteLength, 0);
      checkPayload(t.datagram._state, total, 'sendMsg');
    }
    if (segments.length > IOV_MAX)
      throw invalidArg(
        'ERR_OUT_OF_RANGE',
        `sendMsg: at most ${IOV_MAX} segments (IOV_MAX), got ${segments.length}`,
      );
  } catch (e) {
    settle(0);
    throw e;
  }
  const m = host.blocks.take();
  const l = fillSend(m, dest, segments, control, controlBytes);
  const fail = (e: unknown): never => {
    host.blocks.give(m);
    settle(0);
    throw failure(t.socket, e, 'sendmsg');
  };
  let r: number | Promise<number> | undefined;
  try {
    r = core.run(
      Kind.VALUE,
      Op.SENDMSG,
      t.fd,
      false,
      l.block.address + l.msgAt,
      1,
      0,
      m,
      retries,
      signal,
      MSG.MSG_NOSIGNAL,
      -1,
      dest === undefined ? undefined : String(dest),
    );
  } catch (e) {
    return fail(e);
  }
  const ok = (n: number): number => {
    host.blocks.give(m);
    if (t.datagram !== undefined) t.datagram._bound = true;
    return settle(n);
  };
  if (typeof r === 'number') return ok(r);
  if (r === undefined) {
    host.blocks.give(m);
    if (data instanceof BufferList) data.settle();
    else settleSource(data, 0);
    return core.later(() => sendMessage(host, socket, message, options) as Promise<number>);
  }
  return r.then(ok, fail);
}

/** `recvMsg`: one RECVMSG into `into` (an OutputBuffer's free space, or a BufferList after its cursor). */
export function receiveMessage(
  host: DatagramHost,
  socket: unknown,
  into: OutputBuffer | BufferList,
  options: RecvMsgOptions | undefined,
): MessageIn | Promise<MessageIn> {
  const t = describe(host, socket, 'recvmsg');
  const opts = options === undefined ? {} : checkOptions(options, RECV_MSG_KEYS, 'recvMsg');
  const controlLength =
    opts.controlLength === undefined
      ? 256
      : checkInt('controlLength', opts.controlLength, 0, 65536);
  if (opts.peek !== undefined && typeof opts.peek !== 'boolean')
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'recvMsg: peek must be a boolean');
  const { retries, signal } = opOptions(
    { retryOnInterrupt: opts.retryOnInterrupt, signal: opts.signal },
    'recvMsg',
  );
  const core = host.core;
  core.require(Op.RECVMSG);
  let segments: Uint8Array[];
  if (into instanceof BufferList) {
    into.lend();
    segments = into._pending();
  } else if (into instanceof OutputBuffer) segments = [lendTarget(into)];
  else
    throw invalidArg(
      'ERR_INVALID_ARG_TYPE',
      'recvMsg: the target must be an OutputBuffer or a BufferList',
    );
  const settle = (n: number) => {
    if (into instanceof BufferList) {
      into.settle();
      if (n > 0) into.advance(n);
    } else settleTarget(into, n);
  };
  if (segments.length > IOV_MAX) {
    settle(0);
    throw invalidArg(
      'ERR_OUT_OF_RANGE',
      `recvMsg: at most ${IOV_MAX} segments (IOV_MAX), got ${segments.length}`,
    );
  }
  const room = segments.reduce((sum, s) => sum + s.byteLength, 0);
  // Byte streams have no record boundary: MSG_TRUNC there would discard data.
  const flags =
    MSG.MSG_CMSG_CLOEXEC | (opts.peek ? MSG.MSG_PEEK : 0) | (t.records ? MSG.MSG_TRUNC : 0);
  const m = host.blocks.take();
  const l = fillRecv(m, segments, controlLength);
  const finish = (r: number): MessageIn => {
    const h = readRecv(l);
    const bytes = Math.min(r, room);
    const names = t.datagram?._state.names;
    const result: MessageIn = {
      bytes,
      from:
        h.nameLength === 0 || t.datagram === undefined
          ? undefined
          : names!.decode(l.block.bytes, l.block.u32, l.nameAt, h.nameLength),
      truncated: r > room || (h.flags & MSG.MSG_TRUNC) !== 0,
      control:
        h.controlLength === 0 ? [] : decodeControl(l.block.bytes, l.controlAt, h.controlLength),
      controlTruncated: (h.flags & MSG.MSG_CTRUNC) !== 0,
    };
    host.blocks.give(m);
    settle(bytes);
    return result;
  };
  const fail = (e: unknown): never => {
    host.blocks.give(m);
    settle(0);
    throw failure(t.socket, e, 'recvmsg');
  };
  let r: number | Promise<number> | undefined;
  try {
    r = core.run(
      Kind.VALUE,
      Op.RECVMSG,
      t.fd,
      false,
      l.block.address + l.msgAt,
      1,
      0,
      m,
      retries,
      signal,
      flags,
      -1,
      undefined,
    );
  } catch (e) {
    return fail(e);
  }
  if (typeof r === 'number') return finish(r);
  if (r === undefined) {
    host.blocks.give(m);
    if (into instanceof BufferList) into.settle();
    else settleTarget(into, 0);
    return core.later(() => receiveMessage(host, socket, into, options) as Promise<MessageIn>);
  }
  return r.then(finish, fail);
}
