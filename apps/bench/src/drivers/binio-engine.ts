import { type Capability, type IoEngine, OutputBuffer, type PooledBuffer } from '@binio/core';
import type { EngineRef } from '../protocol.js';

/**
 * Imports an engine package and calls its factory. The specifier is a
 * variable on purpose: the bench must build and run whether or not a given
 * engine is installed (or exports its factory yet).
 */
export async function loadEngine(ref: EngineRef): Promise<IoEngine> {
  const mod = (await import(ref.package)) as Record<string, unknown>;
  const factory = mod[ref.factory];
  if (typeof factory !== 'function') {
    throw new Error(`${ref.package} does not export ${ref.factory}() (yet)`);
  }
  return (await (factory as (o: unknown) => unknown)(ref.options)) as IoEngine;
}

/** True when the engine lists every capability in `caps`. */
export function hasAll(
  engine: { capabilities: ReadonlySet<Capability> },
  caps: readonly Capability[],
): boolean {
  return caps.every((c) => engine.capabilities.has(c));
}

interface Provider {
  getBuffers(n: number): PooledBuffer[];
  recycleBuffers(bs: readonly PooledBuffer[]): void;
}

/** Buffers for a loop, and how to give them back. */
export interface LoopBuffers {
  buffers: OutputBuffer[];
  release(): void;
}

/**
 * `n` buffers of at least `size` bytes: the engine's own (registered,
 * aligned) memory when it offers enough of it, as a user of the engine
 * would take them; plain heap buffers otherwise.
 */
export function loopBuffers(engine: IoEngine, n: number, size: number): LoopBuffers {
  if (hasAll(engine, ['buffer.multiProvider', 'buffer.multiSink'])) {
    const p = engine as unknown as Provider;
    try {
      const pooled = p.getBuffers(n);
      if (pooled.every((b) => b.capacity >= size)) {
        return { buffers: pooled, release: () => p.recycleBuffers(pooled) };
      }
      p.recycleBuffers(pooled);
    } catch {
      // Too few or too small: heap buffers below do the job.
    }
  }
  return { buffers: Array.from({ length: n }, () => OutputBuffer.alloc(size)), release: () => {} };
}

/** Fills `out` with `data` (for writes from an engine buffer). */
export function fill(out: OutputBuffer, data: Uint8Array): OutputBuffer {
  out.reset();
  out.append(data);
  return out;
}

/** The port of a bound address, whatever the address type's shape. */
export function portOf(address: unknown): number {
  const direct = (address as { port?: unknown }).port;
  if (typeof direct === 'number') return direct;
  const m = /:(\d+)$/.exec(String(address));
  if (m === null) throw new Error(`cannot find the port in address ${String(address)}`);
  return Number(m[1]);
}
