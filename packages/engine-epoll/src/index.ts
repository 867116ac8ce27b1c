/**
 * `@binio/engine-epoll`: binio on epoll, joined to Node's event loop.
 * Readiness folded under completion: each operation is one non-blocking
 * system call, parked on epoll only when the kernel says EAGAIN.
 * @packageDocumentation
 */
export {
  EpollEngine,
  type EpollEngineOptions,
  type EpollStats,
  createEpollEngine,
} from './engine.js';
export { EpollStream } from './net/stream.js';
export type { RecordRead } from './net/stream-ops.js';
export { EpollListener, type ConnectionsOptions } from './net/listener.js';
export {
  EpollUdpSocket,
  EpollUnixDatagramSocket,
  type EpollDatagramSocket,
} from './net/datagram.js';
export type {
  EpollConnectOptions,
  EpollListenOptions,
  EpollUdpSocketOptions,
  EpollUnixConnectOptions,
  EpollUnixDatagramOptions,
  EpollUnixListenOptions,
  UnixStreamType,
} from './net/open.js';
export type {
  EpollOpOptions,
  EpollReadOptions,
  EpollWaitOptions,
  EpollWriteOptions,
  Waitable,
} from './options.js';
export { EpollEventFd, type EventFdOptions } from './sources/eventfd.js';
export { EpollTimer, type TimerOptions, type TimerSetting } from './sources/timerfd.js';
export { EpollProcess, type ProcessExit } from './sources/pidfd.js';
