/**
 * `@binio/core/streams`: Node `Readable`/`Writable` and web
 * `ReadableStream`/`WritableStream` adapters for any binio reader or writer,
 * with backpressure.
 * @packageDocumentation
 */
export { toReadable, toWritable } from './node.js';
export { toReadableStream, toWritableStream } from './web.js';
export type { StreamAdapterOptions } from './options.js';
export type { ReadSource, WriteTarget } from './source.js';
