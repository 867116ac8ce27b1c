/**
 * `@binio/engine-posix`: binio over plain Linux system calls, sync (direct
 * syscalls through koffi) or async (the same syscalls on the libuv thread
 * pool). The Linux layer (errno, struct layouts, constants) is also exported
 * here and, on its own, from `@binio/engine-posix/linux`.
 * @packageDocumentation
 */

export { AlignedBufferPool, type AlignedPoolOptions } from './buffers/aligned-pool.js';
export {
  createPosixEngine,
  type PosixBufferOptions,
  PosixEngine,
  type PosixEngineOptions,
} from './engine.js';
export { AsyncFile } from './file/async-file.js';
export { FILE_CAPABILITIES } from './file/capabilities.js';
export type { DirectAlignment } from './file/direct.js';
export type {
  ReadFlag,
  RwfReadOptions,
  RwfWriteOptions,
  WriteFlag,
} from './file/rwf.js';
export { SyncFile } from './file/sync-file.js';
export type {
  PosixFile,
  PosixFileExtras,
  PosixReadableFile,
  PosixWritableFile,
} from './file/types.js';
export * from './linux/index.js';
export { MappedFile } from './mapped/mapped-file.js';
export type { MapOptions } from './mapped/open-mapped.js';
// The sockets half (the rest of it: '@binio/engine-posix/socket').
export {
  PosixListener,
  type PosixSocket,
  PosixStream,
  PosixUdpSocket,
  PosixUnixDatagramSocket,
  SOCKET_CAPABILITIES,
  SocketOps,
} from './socket/index.js';
