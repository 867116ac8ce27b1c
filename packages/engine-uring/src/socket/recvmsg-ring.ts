import { invalidArg, type Mode, type SocketAddress } from '@binio/core';
import { MSG } from '@binio/engine-posix/linux';
import { decodeSockaddr, nameStride, writeMsghdr } from '@binio/engine-posix/socket';
import { Op } from '../uring/abi.js';
import { RECVMSG_OUT } from '../uring/layout.js';
import { RingChunk, type UringBufferRing } from './buffer-ring.js';
import type { DatagramHost, UringDatagramSocket } from './datagram.js';
import type { ReceiveSpec } from './multishot.js';
import {
  type ChunkIterator,
  checkReceive,
  type ReceiveChunksOptions,
  startReceive,
} from './recv-ring.js';

/*
 * Datagrams into a provided-buffer ring: one multishot RECVMSG
 * (IORING_RECV_MULTISHOT, IOSQE_BUFFER_SELECT). The msghdr only says how
 * much room to keep for the name and the control data; the kernel lays
 * each selected buffer out as
 *
 *   [struct io_uring_recvmsg_out][name: msg_namelen][control: msg_controllen][payload]
 *
 * and the CQE's result counts all of it (the header and both reserved
 * areas whatever their use, plus the payload bytes copied). We keep room
 * for the family's largest name and none for control data.
 */

/** One datagram received into a ring buffer: its payload (a view), sender and truncation. */
export class DatagramChunk extends RingChunk {
  /** The sender's address. */
  readonly from: SocketAddress;
  /** The datagram's whole length: more than `bytes.byteLength` when it was cut. */
  readonly length: number;
  /** `msg_flags` as the kernel reported them (MSG_TRUNC, …). */
  readonly flags: number;

  /** @internal */
  constructor(
    ring: UringBufferRing,
    bid: number,
    bytes: Uint8Array,
    from: SocketAddress,
    length: number,
    flags: number,
  ) {
    super(ring, bid, bytes);
    this.from = from;
    this.length = length;
    this.flags = flags;
  }

  /** True when the datagram did not fit in the buffer (MSG_TRUNC): `bytes` is its beginning. */
  get truncated(): boolean {
    return (this.flags & MSG.MSG_TRUNC) !== 0;
  }
}

/**
 * Checks and starts a datagram iteration on `socket` (a datagram socket of
 * `host`'s engine); nothing reaches the ring until the first `next()`.
 */
export function receiveDatagrams<M extends Mode>(
  host: DatagramHost,
  socket: UringDatagramSocket<M>,
  ring: UringBufferRing,
  options: ReceiveChunksOptions | undefined,
): ChunkIterator<M, DatagramChunk> {
  const core = host.core;
  const state = socket._state;
  const fd = state.check('recvmsg');
  const signal = checkReceive(core, ring, options, Op.RECVMSG);
  const stride = nameStride(socket as UringDatagramSocket<'sync' | 'async'>);
  // Where the payload starts in each buffer (no control data is asked for).
  const head = RECVMSG_OUT.size + stride;
  if (ring.size <= head) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `receiveChunks: buffers of ${ring.size} bytes leave no room for a payload after the ${RECVMSG_OUT.size}-byte io_uring_recvmsg_out header and ${stride} bytes for the sender's name`,
    );
  }
  const m = host.blocks.take();
  const l = m.layout(0, 0);
  const block = l.block;
  writeMsghdr(block, l.msgAt, {
    name: block.address + l.nameAt,
    nameLength: stride,
    iov: 0,
    iovCount: 0,
    control: 0,
    controlLength: 0,
  });
  const take = (ring: UringBufferRing, bid: number, res: number): DatagramChunk =>
    ring._take(bid, (b, at) => {
      const v = ring._view;
      const nameLength = v.getUint32(at + RECVMSG_OUT.namelen, true);
      const from =
        nameLength === 0
          ? socket._peer
          : decodeSockaddr(b, RECVMSG_OUT.size, Math.min(nameLength, stride));
      return new DatagramChunk(
        ring,
        bid,
        b.subarray(head, res),
        from!,
        v.getUint32(at + RECVMSG_OUT.payloadlen, true),
        v.getUint32(at + RECVMSG_OUT.flags, true),
      );
    });
  const spec: ReceiveSpec<DatagramChunk> = {
    op: Op.RECVMSG,
    syscall: 'recvmsg',
    addr: block.address + l.msgAt,
    // One msghdr (liburing's io_uring_prep_recvmsg does the same).
    len: 1,
    // The header's payloadlen is then the datagram's whole length, not what was copied.
    msgFlags: MSG.MSG_TRUNC,
    take,
    // The kernel may read the msghdr until the request is over.
    release: () => host.blocks.give(m),
  };
  const target = { fd, where: undefined, closed: () => state.closed };
  return startReceive(core, socket, ring, target, spec, signal) as ChunkIterator<M, DatagramChunk>;
}
