/**
 * `@binio/engine-uring`: binio's io_uring engine. The rings are mapped into
 * JavaScript; SQEs and CQEs are read and written there, one
 * `io_uring_enter` per batch.
 * @packageDocumentation
 */

export { UringBatch } from './engine/batch.js';
export type { BatchHandler } from './engine/core.js';
export { createUringEngine, UringEngine } from './engine/engine.js';
export type { UringBufferOptions } from './engine/pool.js';
export type { TaskRun, UringEngineOptions } from './engine/setup.js';
export { type DirectAlignment, UringFile } from './file/file.js';
export { UringPipe } from './pipe/pipe.js';
export type { SpliceEnd, SpliceOptions } from './pipe/splice.js';
export { type BufferRingOptions, RingChunk, UringBufferRing } from './socket/buffer-ring.js';
export {
  type UringDatagramSocket,
  UringUdpSocket,
  type UringUdpSocketOptions,
  UringUnixDatagramSocket,
} from './socket/datagram.js';
export {
  type ChunkIterator,
  type ReceiveChunksOptions,
  RingRecvIterator,
  RingRecvSyncIterator,
} from './socket/recv-ring.js';
export { DatagramChunk } from './socket/recvmsg-ring.js';
export type { ZeroCopyOptions } from './socket/send-zc.js';
export { type StreamType, UringTcpListener, UringTcpStream } from './socket/tcp.js';
export type { UringUnixConnectOptions, UringUnixListenOptions } from './socket/unix.js';
export * as abi from './uring/abi.js';
export { Ring } from './uring/ring.js';
