export * from './types.js';
export { type Ownership, Tracked, ownershipError } from './ownership.js';
export { OutputBuffer } from './output-buffer.js';
export { InputBuffer } from './input-buffer.js';
export { BufferList } from './buffer-list.js';
export { type ByteSource, lendSource, settleSource, sourceLength, lendTarget, settleTarget } from './source.js';
export * from './pool.js';
export { checkInt, checkBytes } from './check.js';
