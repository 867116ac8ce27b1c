import type { SocketAddress } from '@binio/core';
import {
  type ControlMessage,
  type MessageLayout,
  MessageScratch,
  readMsghdr,
  writeIncoming,
  writeOutgoing,
} from '@binio/engine-posix/socket';
import { Kind } from '../engine/slots.js';
import type { DatagramHost } from './datagram.js';

/**
 * Native memory for the messages of SENDMSG/RECVMSG. Unlike a system call,
 * an io_uring request reads (and, for RECVMSG, writes) its msghdr, name,
 * iovecs and control data after the call that submitted it returned, so
 * each operation in flight needs its own block: one of engine-posix's
 * {@link MessageScratch} blocks (`[msghdr][name][iovecs][control]`, filled
 * by its msghdr builders), taken from this free list and given back on
 * completion. Nothing is allocated per operation once warm.
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

/** A message to send in `m`: destination, segments, control messages (engine-posix's builder). */
export function prepareSend(
  m: MessageScratch,
  dest: SocketAddress | undefined,
  segments: readonly Uint8Array[],
  control: readonly ControlMessage[],
  controlBytes: number,
): MessageLayout {
  const l = m.layout(segments.length, controlBytes);
  writeOutgoing(l, dest, segments, control, controlBytes);
  return l;
}

/** A message to receive into in `m`: room for the sender's name, the segments, `controlLength` of control data. */
export function prepareRecv(
  m: MessageScratch,
  segments: readonly Uint8Array[],
  controlLength: number,
): MessageLayout {
  const l = m.layout(segments.length, controlLength);
  writeIncoming(l, segments, controlLength);
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

/** One SENDMSG or RECVMSG, prepared in a block by {@link prepareSend} or {@link prepareRecv}. */
export interface MessageRequest<T> {
  /** `Op.SENDMSG` or `Op.RECVMSG`. */
  op: number;
  /** The socket. */
  fd: number;
  /** The block and its layout. */
  m: MessageScratch;
  l: MessageLayout;
  /** `msg_flags`. */
  flags: number;
  /** EINTR retries and the AbortSignal. */
  retries: number;
  signal: AbortSignal | undefined;
  /** The peer, for error messages. */
  where: string | undefined;
  /** Reads the result while the block is intact, settles the buffers, returns the value. */
  ok(res: number): T;
  /** Gives the buffers back after a failure and maps the error. */
  fail(e: unknown): unknown;
  /** Gives the buffers back untouched, before the call is issued again. */
  undo(): void;
  /** Issues the whole call again (async, when no slot was free). */
  again(): Promise<T>;
}

/**
 * Runs a message request in the engine's mode (the msghdr goes in `addr`,
 * 1 in `len`: one message); the block goes back to the free list once the
 * request completed or was refused.
 */
export function runMessage<T>(host: DatagramHost, r: MessageRequest<T>): T | Promise<T> {
  const core = host.core;
  const fail = (e: unknown): never => {
    host.blocks.give(r.m);
    throw r.fail(e);
  };
  const ok = (n: number): T => {
    try {
      return r.ok(n);
    } finally {
      host.blocks.give(r.m);
    }
  };
  let p: number | Promise<number> | undefined;
  try {
    p = core.run(
      Kind.VALUE,
      r.op,
      r.fd,
      false,
      r.l.block.address + r.l.msgAt,
      1,
      0,
      r.m,
      r.retries,
      r.signal,
      r.flags,
      -1,
      r.where,
    );
  } catch (e) {
    return fail(e);
  }
  if (typeof p === 'number') return ok(p);
  if (p === undefined) {
    // No free slot: give everything back and queue the whole call.
    host.blocks.give(r.m);
    r.undo();
    return core.later(() => r.again());
  }
  return p.then(ok, fail);
}
