/**
 * `@binio/native-loop`: lets a descriptor wake Node. One small addon shared
 * by the engines that need the libuv loop (epoll watches its epoll fd,
 * io_uring its registered eventfd).
 * @packageDocumentation
 */

export { loadAddon } from './addon.js';
export { type FdWatch, type WatchCallback, WatchEvents, watch } from './watch.js';
