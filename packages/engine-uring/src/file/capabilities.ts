import { type Capability, FILE_HANDLER } from '@binio/core';

/*
 * The same split as engine-posix's file handles (TODO(lead): its
 * `fileHandleCapabilities` is not exported yet).
 */
const READING: readonly Capability[] = [
  'handle.reader',
  'handle.offsetReader',
  'handle.notifyReadAmount',
];
const WRITING: readonly Capability[] = [
  'handle.writer',
  'handle.notifyWriteAmount',
  'handle.flush',
  'handle.sync',
];
const EVERY: readonly Capability[] = ['handle.vectored', 'handle.preferredBlockSize'];

/**
 * Capabilities of one file handle: reading ones when opened for reading,
 * writing ones when opened for writing; an append handle lacks
 * `handle.offsetWriter` (Linux ignores the offset under `O_APPEND`).
 */
export function fileCapabilities(access: {
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

/** Everything the engine's file half implements. */
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
