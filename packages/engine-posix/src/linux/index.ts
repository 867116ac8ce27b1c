/**
 * The Linux layer shared by binio's Linux engines (posix, epoll, io_uring):
 * the errno table, errors from errno, struct layouts and constants. Import it
 * from `@binio/engine-posix/linux`.
 * @packageDocumentation
 */

export { ASYNC_CALL_SLOTS, koffi, lastErrno, libc } from '../libc/lib.js';
export * from './errno.js';
export * from './error.js';
export * from './file-constants.js';
export * from './file-layouts.js';
export * from './socket-constants.js';
export * from './socket-layouts.js';
