/**
 * `@binio/core/testing`: an in-memory engine implementing the file, UDP and
 * TCP traits for real, in both modes, with deterministic fault injection.
 * @packageDocumentation
 */
export { createMemoryEngine, MemoryEngine, type MemoryEngineOptions } from './memory-engine.js';
export { FaultPlan, type FaultRule, type FaultKind, type FaultOp } from './faults.js';
export { MemoryNetwork } from './memory-udp.js';
