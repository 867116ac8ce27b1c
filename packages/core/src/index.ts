/**
 * `@binio/core`: the capability traits every binio engine implements, the
 * buffers they own and lend, span IO, `IoError`, addresses and the driver
 * that runs code written once on sync and async engines.
 * @packageDocumentation
 */
export * from './mode.js';
export * from './errors.js';
export * from './buffers/index.js';
export * from './traits/index.js';
export * from './capabilities.js';
export * from './driver.js';
export * from './address/index.js';
export * from './span.js';
