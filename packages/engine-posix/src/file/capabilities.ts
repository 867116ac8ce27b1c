import { type Capability, FILE_HANDLER } from '@binio/core';

/** What a handle opened for reading offers. */
const READING: readonly Capability[] = [
  'handle.reader',
  'handle.offsetReader',
  'handle.notifyReadAmount',
];
/** What a handle opened for writing offers (`handle.offsetWriter` unless appending). */
const WRITING: readonly Capability[] = [
  'handle.writer',
  'handle.notifyWriteAmount',
  'handle.flush',
  'handle.sync',
];
/** What every file handle offers. */
const EVERY: readonly Capability[] = ['handle.vectored', 'handle.preferredBlockSize'];

/**
 * Capabilities of one file handle: reading ones when opened for reading,
 * writing ones when opened for writing. An append handle lacks
 * `handle.offsetWriter`: Linux ignores pwrite's offset under `O_APPEND`.
 */
export function fileHandleCapabilities(access: {
  readable: boolean;
  writable: boolean;
  append: boolean;
}): ReadonlySet<Capability> {
  const caps = new Set<Capability>(EVERY);
  if (access.readable) for (const c of READING) caps.add(c);
  if (access.writable) for (const c of WRITING) caps.add(c);
  if (access.writable && !access.append) caps.add('handle.offsetWriter');
  return caps;
}

/** Everything the file half implements: the file handler, the buffer provider and sinks, every handle trait. */
export const FILE_CAPABILITIES: readonly Capability[] = [
  ...FILE_HANDLER,
  'buffer.provider',
  'buffer.multiProvider',
  'buffer.sink',
  'buffer.multiSink',
  ...EVERY,
  ...READING,
  ...WRITING,
  'handle.offsetWriter',
];
