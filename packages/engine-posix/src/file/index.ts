/**
 * The engine-independent rules of the posix file half, shared with binio's
 * other Linux engines so that every engine refuses bad input alike: open
 * flags from `OpenOptions`/`CreateOptions`, path checks, read/write option
 * parsing, per-handle capabilities and the handle-state errors. Import it
 * from `@binio/engine-posix/file`.
 * @packageDocumentation
 */
export { FILE_CAPABILITIES, fileHandleCapabilities } from './capabilities.js';
export { closedError, directionError } from './errors.js';
export { checkPath, type OpenKind, type OpenRequest, openRequest } from './open-flags.js';
export {
  checkByteCount,
  checkKeys,
  checkSignal,
  type IoOptions,
  ioOptions,
  maxBytesOption,
  offsetAndMaxOnly,
  retriesOption,
} from './options.js';
export {
  type ReadFlag,
  type RwfReadOptions,
  type RwfWriteOptions,
  rwfFlags,
  VECTOR_OPTION_KEYS,
  vectorError,
  type WriteFlag,
} from './rwf.js';
