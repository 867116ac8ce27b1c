import { IoError } from '@binio/core';
import type { MessageOut } from '@binio/engine-posix/socket';
import { Op } from '../uring/abi.js';
import type { DatagramHost } from './datagram.js';
import { failure } from './datagram-io.js';
import { prepareOutgoing, targetOf } from './message.js';
import { checkZeroCopySource, runZeroCopy } from './send-zc.js';

/*
 * SENDMSG_ZC: sendMsg without copying the data. The message (destination,
 * iovecs, control data) is read when the request is issued, so its block
 * goes back at the first CQE; the data's pages stay the kernel's until the
 * notification CQE, as with SEND_ZC (send-zc.ts), and only then is the
 * data settled — given back to the caller, not consumed: zero-copy sends
 * never recycle an engine buffer, whatever the socket.
 */

/**
 * `sendMsgZeroCopy`: one SENDMSG_ZC on any socket of the engine; returns
 * (sync) or resolves to (async) the bytes sent. The data (an engine buffer
 * or a BufferList) stays in flight until the kernel's notification
 * (`zeroCopyIdle(socket)` waits for it).
 */
export function sendMessageZeroCopy(
  host: DatagramHost,
  socket: unknown,
  message: MessageOut,
): number | Promise<number> {
  // Unix sockets have no zero-copy path (the kernel answers EOPNOTSUPP).
  if (targetOf(host, socket, 'sendmsg_zc').unix) {
    throw new IoError({
      code: 'ERR_UNSUPPORTED',
      engine: 'uring',
      syscall: 'sendmsg_zc',
      message: 'sendMsgZeroCopy: Unix sockets do not support zero-copy sends (use sendMsg)',
    });
  }
  if (typeof message === 'object' && message !== null)
    checkZeroCopySource(message.data, 'sendMsgZeroCopy', true);
  const { t, dest, settle, m, l } = prepareOutgoing(
    host,
    socket,
    message,
    Op.SENDMSG_ZC,
    'sendMsgZeroCopy',
  );
  const core = host.core;
  const request = runZeroCopy(core, socket as object, {
    op: Op.SENDMSG_ZC,
    syscall: 'sendmsg_zc',
    fd: t.fd,
    addr: l.block.address + l.msgAt,
    len: 1,
    where: dest === undefined ? undefined : String(dest),
    settle,
    sent: () => host.blocks.give(m),
    again: () => sendMessageZeroCopy(host, socket, message) as Promise<number>,
  });
  const bound = (n: number): number => {
    if (t.datagram !== undefined) t.datagram._bound = true;
    return n;
  };
  if (typeof request === 'number') return bound(request);
  return request.then(bound, (e) => {
    throw failure(t.closed(), e, 'sendmsg_zc');
  });
}
