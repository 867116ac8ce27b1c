/**
 * The sockets half of `@binio/engine-posix`: {@link SocketOps} (UDP,
 * UDP-Lite, TCP, Unix stream/datagram/seqpacket, sync and async), the
 * handles it returns, typed socket options, control messages, and the raw
 * building blocks other Linux engines reuse (sockaddr codec, msghdr/mmsghdr
 * builders, non-blocking socket creation).
 * @packageDocumentation
 */

export { close as closeFd, read as readFd } from '../libc/file-calls.js';
// For @binio/engine-epoll, which makes these calls itself on its hot path (one
// non-blocking attempt, parked on EAGAIN) and binds epoll/timerfd/pidfd on the
// one libc handle: the handle, the socket and eventfd bindings, and the checks
// both engines share.
export { koffi, lastErrno, libc } from '../libc/lib.js';
export * as socketCalls from '../libc/socket-calls.js';
export {
  type ControlMessage,
  type CredentialsMessage,
  controlSpace,
  decodeControl,
  encodeControl,
  type PacketInfoMessage,
  type RawControlMessage,
  type RightsMessage,
  SCM_MAX_FD,
} from './cmsg.js';
export { checkBacklog, pendingError } from './connect.js';
export {
  bindFd,
  discardFd,
  listenFd,
  localName,
  openSocket,
  openSocketPair,
  peerName,
} from './create.js';
export {
  DatagramHandle,
  type DatagramSocket,
  PosixUdpSocket,
  PosixUnixDatagramSocket,
} from './datagram.js';
export type { ReceivedDatagrams } from './datagram-io.js';
export { checkPayload, destination } from './datagram-io.js';
export { SocketHandle } from './handle.js';
export { type PosixAsyncListener, PosixListener } from './listener.js';
export { addressOf, NativeBlock } from './memory.js';
export type { MessageIn, MessageOut, RecvMsgOptions } from './message-io.js';
export {
  IOV_MAX,
  type LentMessage,
  lendMessageData,
  lendMessageTarget,
  recvMsgOptions,
} from './message-parts.js';
// The JS half of a batch, shared with the epoll engine (only its wait differs).
export {
  collectReceived,
  type DestinationCache,
  fillReceives,
  fillSends,
  type LentSends,
  lendReceives,
  lendSends,
  nameStride,
  releaseReceives,
  sendCount,
  settleSends,
} from './mmsg-io.js';
export { MMSG_MAX, MmsgBatch } from './mmsghdr.js';
export {
  type MessageLayout,
  MessageScratch,
  type MsgHdrParts,
  readMsghdr,
  writeIncoming,
  writeIovecs,
  writeMsghdr,
  writeOutgoing,
} from './msghdr.js';
export {
  type PosixConnectOptions,
  type PosixListenOptions,
  type PosixSocket,
  type PosixUdpSocketOptions,
  SOCKET_CAPABILITIES,
  SocketOps,
  type UnixConnectOptions,
  type UnixDatagramOptions,
  type UnixListenOptions,
  type UnixStreamType,
} from './ops.js';
export {
  getOption,
  type ReadOnlySocketOption,
  type SettableSocketOption,
  SOCKET_OPTION_NAMES,
  type SocketOptionName,
  type SocketOptionValues,
  setOption,
} from './options.js';
// Building blocks for the epoll engine (same calls, non-blocking, parked on EAGAIN).
export {
  decodeSockaddr,
  encodeSockaddr,
  familyNumber,
  mapToIPv6,
  SOCKADDR_MAX,
  SockaddrCache,
  toAddress,
} from './sockaddr.js';
export { openSocketState, type SocketKind, SocketState } from './state.js';
export { PosixStream, type RecordRead, type SendFileOptions } from './stream.js';
export {
  applyUdpOptions,
  checkUdpOptions,
  UDP_OPEN_KEYS,
  type UdpOpenOptions,
  type UdpOpenPlan,
} from './udp-options.js';
