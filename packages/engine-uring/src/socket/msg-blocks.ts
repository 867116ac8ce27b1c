import type { SocketAddress } from '@binio/core';
import {
  type ControlMessage,
  encodeControl,
  type MessageLayout,
  MessageScratch,
  readMsghdr,
  SOCKADDR_MAX,
  encodeSockaddr,
  writeIovecs,
  writeMsghdr,
} from '@binio/engine-posix/socket';

/**
 * Native memory for the messages of SENDMSG/RECVMSG. Unlike a system call,
 * an io_uring request reads (and, for RECVMSG, writes) its msghdr, name,
 * iovecs and control data after the call that submitted it returned, so
 * each operation in flight needs its own block: one of engine-posix's
 * {@link MessageScratch} blocks (`[msghdr][name][iovecs][control]`, its
 * msghdr/iovec builders and layouts), taken from this free list and given
 * back on completion. Nothing is allocated per operation once warm.
 */
export class MsgBlocks {
  readonly #free: MessageScratch[] = [];

  /** A block for one message (give it back with {@link give} once its operation completed). */
  take(): MessageScratch {
    return this.#free.pop() ?? new MessageScratch();
  }

  /** Returns a block whose operation completed (the kernel is done with it). */
  give(m: MessageScratch): void {
    if (this.#free.length < 1024) this.#free.push(m);
  }
}

/**
 * Fills a message to send: the destination (none for a connected socket),
 * one iovec per segment, the control messages (`controlBytes` from
 * engine-posix's `controlSpace`). Returns the layout; the msghdr is at
 * `block.address + msgAt`.
 */
export function fillSend(
  m: MessageScratch,
  dest: SocketAddress | undefined,
  segments: readonly Uint8Array[],
  control: readonly ControlMessage[] | undefined,
  controlBytes: number,
): MessageLayout {
  const l = m.layout(segments.length, controlBytes);
  const nameLength = dest === undefined ? 0 : encodeSockaddr(dest, l.block.bytes, l.nameAt);
  writeIovecs(l.block, l.iovAt, segments);
  if (control !== undefined && controlBytes > 0) encodeControl(control, l.block.bytes, l.controlAt);
  writeMsghdr(l.block, l.msgAt, {
    name: nameLength === 0 ? 0 : l.block.address + l.nameAt,
    nameLength,
    iov: l.block.address + l.iovAt,
    iovCount: segments.length,
    control: controlBytes === 0 ? 0 : l.block.address + l.controlAt,
    controlLength: controlBytes,
  });
  return l;
}

/** Fills a message to receive into: room for the sender's name, the segments, `controlLength` of control data. */
export function fillRecv(
  m: MessageScratch,
  segments: readonly Uint8Array[],
  controlLength: number,
): MessageLayout {
  const l = m.layout(segments.length, controlLength);
  writeIovecs(l.block, l.iovAt, segments);
  writeMsghdr(l.block, l.msgAt, {
    name: l.block.address + l.nameAt,
    nameLength: SOCKADDR_MAX,
    iov: l.block.address + l.iovAt,
    iovCount: segments.length,
    control: controlLength === 0 ? 0 : l.block.address + l.controlAt,
    controlLength,
  });
  return l;
}

/** After a RECVMSG: the name and control lengths and the `msg_flags` the kernel wrote back. */
export function readRecv(l: MessageLayout): {
  nameLength: number;
  controlLength: number;
  flags: number;
} {
  return readMsghdr(l.block, l.msgAt);
}
