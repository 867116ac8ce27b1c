export * from './options.js';
export type * from './handle.js';
export type * from './io.js';
export * from './file.js';
export type * from './udp.js';
export type * from './tcp.js';
export type * from './engine.js';
