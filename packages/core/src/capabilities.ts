import { IoError } from './errors.js';
import type { BufferProvider, BufferSink, MultiBufferProvider, MultiBufferSink } from './buffers/pool.js';
import type { Mode } from './mode.js';
import type { IoEngine } from './traits/engine.js';
import type {
  FileClose,
  FileCreate,
  FileOpenAppend,
  FileOpenReadOnly,
  FileOpenReadWrite,
  FileOpenWriteOnly,
} from './traits/file.js';
import type {
  Flushable,
  NotifyExpectedReadAmount,
  NotifyExpectedWriteAmount,
  OffsetReader,
  OffsetWriter,
  PreferredBlockSize,
  Reader,
  Syncable,
  VectoredIo,
  Writer,
} from './traits/io.js';
import type { TcpConnect, TcpListen } from './traits/tcp.js';
import type { UdpBatch, UdpBind, UdpClose, UdpRecv, UdpSend, UdpSocketCreate } from './traits/udp.js';

/**
 * Each named capability and the interface it promises. Engine-level names
 * (`file.openReadOnly`, `udp.send`, `buffer.provider`) are implemented by the
 * engine; `handle.*` names by the handles it returns.
 */
export interface CapabilityMap<M extends Mode> {
  'file.openReadOnly': FileOpenReadOnly<M>;
  'file.openWriteOnly': FileOpenWriteOnly<M>;
  'file.openReadWrite': FileOpenReadWrite<M>;
  'file.openAppend': FileOpenAppend<M>;
  'file.create': FileCreate<M>;
  'file.close': FileClose<M>;
  'udp.socket': UdpSocketCreate<M>;
  'udp.bind': UdpBind<M>;
  'udp.send': UdpSend<M>;
  'udp.recv': UdpRecv<M>;
  'udp.close': UdpClose<M>;
  'udp.batch': UdpBatch<M>;
  'tcp.connect': TcpConnect<M>;
  'tcp.listen': TcpListen<M>;
  'buffer.provider': BufferProvider;
  'buffer.multiProvider': MultiBufferProvider;
  'buffer.sink': BufferSink;
  'buffer.multiSink': MultiBufferSink;
  'handle.reader': Reader<M>;
  'handle.writer': Writer<M>;
  'handle.offsetReader': OffsetReader<M>;
  'handle.offsetWriter': OffsetWriter<M>;
  'handle.vectored': VectoredIo<M>;
  'handle.preferredBlockSize': PreferredBlockSize<M>;
  'handle.notifyReadAmount': NotifyExpectedReadAmount<M>;
  'handle.notifyWriteAmount': NotifyExpectedWriteAmount<M>;
  'handle.flush': Flushable<M>;
  'handle.sync': Syncable<M>;
}

/** A capability name. */
export type Capability = keyof CapabilityMap<Mode>;

/** Every capability name, for listing and validation. */
export const ALL_CAPABILITIES: readonly Capability[] = [
  'file.openReadOnly',
  'file.openWriteOnly',
  'file.openReadWrite',
  'file.openAppend',
  'file.create',
  'file.close',
  'udp.socket',
  'udp.bind',
  'udp.send',
  'udp.recv',
  'udp.close',
  'udp.batch',
  'tcp.connect',
  'tcp.listen',
  'buffer.provider',
  'buffer.multiProvider',
  'buffer.sink',
  'buffer.multiSink',
  'handle.reader',
  'handle.writer',
  'handle.offsetReader',
  'handle.offsetWriter',
  'handle.vectored',
  'handle.preferredBlockSize',
  'handle.notifyReadAmount',
  'handle.notifyWriteAmount',
  'handle.flush',
  'handle.sync',
];

/** The file-handler group (`IoEngine_FileHandler`). */
export const FILE_HANDLER: readonly Capability[] = [
  'file.openReadOnly',
  'file.openWriteOnly',
  'file.openReadWrite',
  'file.openAppend',
  'file.create',
  'file.close',
];

/** The UDP basic group (`IoEngine_UDP_Basic`). */
export const UDP_BASIC: readonly Capability[] = ['udp.socket', 'udp.bind', 'udp.close'];

type ModeOf<T> = T extends { readonly mode: infer M extends Mode } ? M : Mode;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;

/** The intersection of the interfaces that the capabilities `C` promise in mode `M`. */
export type Implementing<M extends Mode, C extends Capability> = UnionToIntersection<CapabilityMap<M>[C]>;

/** Anything that lists capabilities: an engine or a handle. */
export interface HasCapabilities {
  readonly capabilities: ReadonlySet<Capability>;
  readonly mode: Mode;
}

/**
 * Type guard: true when `target` (an engine or handle) implements `cap`, and
 * then TypeScript knows the methods `cap` promises.
 */
export function supports<T extends HasCapabilities, C extends Capability>(
  target: T,
  cap: C,
): target is T & CapabilityMap<ModeOf<T>>[C] {
  return target.capabilities.has(cap);
}

/**
 * Asserts that `engine` implements every capability in `caps`; otherwise
 * throws `ERR_MISSING_CAPABILITY` naming the engine, what is missing and what
 * it offers.
 */
export function requireCapabilities<E extends HasCapabilities & { readonly name?: string }, const C extends Capability>(
  engine: E,
  caps: readonly C[],
): asserts engine is E & Implementing<ModeOf<E>, C> {
  const missing = caps.filter((c) => !engine.capabilities.has(c));
  if (missing.length === 0) return;
  const name = engine.name ?? 'handle';
  throw new IoError({
    code: 'ERR_MISSING_CAPABILITY',
    engine: engine.name,
    message:
      `Engine '${name}' lacks ${missing.map((m) => `'${m}'`).join(', ')}; ` +
      `it offers: ${[...engine.capabilities].sort().join(', ') || 'nothing'}`,
  });
}

/** `requireCapabilities` for an engine, returning it typed (handy in expressions). */
export function withCapabilities<E extends IoEngine, const C extends Capability>(
  engine: E,
  caps: readonly C[],
): E & Implementing<ModeOf<E>, C> {
  requireCapabilities(engine, caps);
  return engine;
}
