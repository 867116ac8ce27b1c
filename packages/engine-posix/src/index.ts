/**
 * `@binio/engine-posix`: binio over plain Linux system calls.
 * @packageDocumentation
 */
export * from './linux/index.js';
