/**
 * binio examples, each runnable and tested.
 * @packageDocumentation
 */
export * from './traffic-generator.js';
export * from './file-copy.js';
export * from './tcp-echo.js';
export * from './stream-hash.js';
export * from './direct-read.js';
