/**
 * Marker for anything an engine can read into or write from (the proposal's
 * `IoBuffer`).
 */
export interface IoBuffer {
  /** Total size of the memory in bytes. */
  readonly byteLength: number;
}

/** An `IoBuffer` that is one contiguous run of memory, seen as bytes. */
export interface ContiguousIoBuffer extends IoBuffer {
  /** The whole memory. Throws while the buffer is in flight or recycled. */
  readonly bytes: Uint8Array;
}

/** A contiguous buffer whose start address is aligned (for `O_DIRECT`, DMA). */
export interface AlignedIoBuffer extends ContiguousIoBuffer {
  /** Alignment of the start address in bytes (a power of two). */
  readonly alignment: number;
}

/** A contiguous buffer registered with an engine (io_uring fixed buffers, DPDK mbufs). */
export interface RegisteredIoBuffer extends ContiguousIoBuffer {
  /** Name of the engine that registered it. */
  readonly registeredWith: string;
  /** The engine's index for it (io_uring `buf_index`, a pool slot). */
  readonly registrationIndex: number;
}
