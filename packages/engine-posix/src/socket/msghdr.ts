import type { SocketAddress } from '@binio/core';
import { IOVEC_LAYOUT } from '../linux/file-layouts.js';
import { MSGHDR_LAYOUT } from '../linux/socket-layouts.js';
import { type ControlMessage, encodeControl } from './cmsg.js';
import { addressOf, NativeBlock } from './memory.js';
import { encodeSockaddr, SOCKADDR_MAX } from './sockaddr.js';

const M = MSGHDR_LAYOUT.offsets;
const IOV = IOVEC_LAYOUT.size;

/**
 * `struct msghdr` and `struct iovec` builders for `sendmsg`/`recvmsg`,
 * written into native memory at known offsets so the kernel reads them in
 * place. The epoll engine reuses them for its non-blocking calls.
 */

/** Where the parts of one message live, as native addresses (0 for none). */
export interface MsgHdrParts {
  /** Address of the `sockaddr` (0: none). */
  name: number;
  /** Its length (`msg_namelen`; for receives, the room available). */
  nameLength: number;
  /** Address of the iovec array. */
  iov: number;
  /** Number of iovecs. */
  iovCount: number;
  /** Address of the control buffer (0: none). */
  control: number;
  /** Its length (`msg_controllen`). */
  controlLength: number;
}

/** Writes a `struct msghdr` at byte `at` of `block` (8-aligned). */
export function writeMsghdr(block: NativeBlock, at: number, parts: MsgHdrParts): void {
  block.bytes.fill(0, at, at + MSGHDR_LAYOUT.size);
  block.setU64(at + M.msg_name, parts.name);
  block.u32[(at + M.msg_namelen) >>> 2] = parts.nameLength;
  block.setU64(at + M.msg_iov, parts.iov);
  block.setU64(at + M.msg_iovlen, parts.iovCount);
  block.setU64(at + M.msg_control, parts.control);
  block.setU64(at + M.msg_controllen, parts.controlLength);
}

/** After `recvmsg`: the name and control lengths the kernel filled, and `msg_flags`. */
export function readMsghdr(
  block: NativeBlock,
  at: number,
): { nameLength: number; controlLength: number; flags: number } {
  return {
    nameLength: block.u32[(at + M.msg_namelen) >>> 2]!,
    controlLength: block.getU64(at + M.msg_controllen),
    flags: block.i32[(at + M.msg_flags) >>> 2]!,
  };
}

/** Writes one iovec per segment at byte `at` of `block`, pointing at the segments' memory. */
export function writeIovecs(block: NativeBlock, at: number, segments: readonly Uint8Array[]): void {
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    block.setU64(at + i * IOV, s.byteLength === 0 ? 0 : addressOf(s));
    block.setU64(at + i * IOV + IOVEC_LAYOUT.offsets.iov_len, s.byteLength);
  }
}

/** Offsets of one message's parts inside a {@link MessageScratch} block. */
export interface MessageLayout {
  /** The block. */
  block: NativeBlock;
  /** The msghdr. */
  msgAt: number;
  /** The name slot ({@link SOCKADDR_MAX} bytes). */
  nameAt: number;
  /** The iovec array. */
  iovAt: number;
  /** The control buffer. */
  controlAt: number;
}

/**
 * Memory for one message at a time: `[msghdr][name][iovecs][control]`,
 * grown on demand. Every call fills and reads it synchronously on the main
 * thread (async mode only waits on the pool), so one serves all sockets.
 */
export class MessageScratch {
  #block = new NativeBlock(1024);

  /** A layout with room for `iovCount` iovecs and `controlBytes` of control data. */
  layout(iovCount: number, controlBytes: number): MessageLayout {
    const msgAt = 0;
    const nameAt = 64;
    const iovAt = nameAt + SOCKADDR_MAX;
    const controlAt = (iovAt + iovCount * IOV + 7) & ~7;
    const size = controlAt + controlBytes;
    if (size > this.#block.bytes.byteLength)
      this.#block = new NativeBlock(Math.max(size, 2 * this.#block.bytes.byteLength));
    return { block: this.#block, msgAt, nameAt, iovAt, controlAt };
  }
}

/**
 * Fills a message to send in `l`: the destination (none for a connected
 * socket), one iovec per segment, the control messages (`controlBytes`
 * from `controlSpace`). The msghdr is then at `l.block.address + l.msgAt`.
 */
export function writeOutgoing(
  l: MessageLayout,
  dest: SocketAddress | undefined,
  segments: readonly Uint8Array[],
  control: readonly ControlMessage[],
  controlBytes: number,
): void {
  const nameLength = dest === undefined ? 0 : encodeSockaddr(dest, l.block.bytes, l.nameAt);
  writeIovecs(l.block, l.iovAt, segments);
  if (controlBytes > 0) encodeControl(control, l.block.bytes, l.controlAt);
  writeMsghdr(l.block, l.msgAt, {
    name: nameLength === 0 ? 0 : l.block.address + l.nameAt,
    nameLength,
    iov: l.block.address + l.iovAt,
    iovCount: segments.length,
    control: controlBytes === 0 ? 0 : l.block.address + l.controlAt,
    controlLength: controlBytes,
  });
}

/** Fills a message to receive into in `l`: room for the sender's name, the segments, `controlLength` of control data. */
export function writeIncoming(
  l: MessageLayout,
  segments: readonly Uint8Array[],
  controlLength: number,
): void {
  writeIovecs(l.block, l.iovAt, segments);
  writeMsghdr(l.block, l.msgAt, {
    name: l.block.address + l.nameAt,
    nameLength: SOCKADDR_MAX,
    iov: l.block.address + l.iovAt,
    iovCount: segments.length,
    control: controlLength === 0 ? 0 : l.block.address + l.controlAt,
    controlLength,
  });
}
