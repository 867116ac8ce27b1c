import type { Capability } from '../capabilities.js';
import type { Mode, Ret } from '../mode.js';

/**
 * The proposal's `IoEngine` marker: every engine names itself, states its mode
 * and lists what it implements. Capabilities are data because TypeScript
 * types are erased at run time; see `supports` and `requireCapabilities`.
 */
export interface IoEngine<M extends Mode = Mode> {
  /** Short name (`posix`, `uring`, `epoll`, `dpdk`, `memory`). */
  readonly name: string;
  /** `'sync'` or `'async'`. */
  readonly mode: M;
  /** Everything this engine (and the handles it returns) implements. */
  readonly capabilities: ReadonlySet<Capability>;
  /** Releases the engine's resources (rings, pools, descriptors). */
  close(): Ret<M, void>;
}
