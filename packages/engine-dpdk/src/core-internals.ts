/**
 * Core's buffer ownership states as numbers. Core keeps them internal (the
 * `_state` field engines set), so they are read here from core's own
 * behaviour rather than copied: a fresh buffer is with the caller, a lent one
 * in flight, a pool's idle one pooled.
 */
import { BufferPool, OutputBuffer } from '@binio/core';

const probe = new OutputBuffer(new Uint8Array(0));
/** The caller owns the buffer. */
export const CALLER_STATE: number = probe._state;
probe.lend();
/** An operation holds the buffer. */
export const IN_FLIGHT_STATE: number = probe._state;
/** The buffer is in its pool (or, for mbufs, held inside the engine). */
export const POOLED_STATE: number = new BufferPool({ count: 1, size: 1 }).bufferAt(0)._state;

export { BufferPool, IoError, type PoolCloseReport, PooledBuffer } from '@binio/core';
