import { SQE } from '../uring/layout.js';

const SQE_WORDS = SQE.size / 4;

/** How a completion is delivered. */
export const Kind = {
  /** Free slot. */
  FREE: 0,
  /** Resolve a Promise with `res` (reject when negative). */
  VALUE: 1,
  /** Resolve a Promise with nothing. */
  VOID: 2,
  /** Settle an OutputBuffer read target (`settleTarget`), resolve with `res`. */
  READ_OUT: 3,
  /** Settle a write source (`settleSource`), resolve with `res`. */
  WRITE_SRC: 4,
  /** A sync-mode operation: store `res` for the waiting caller. */
  SYNC: 5,
  /** A batch-API operation: call the batch handler with the tag. */
  BATCH: 6,
  /** The target is a {@link Completion} that handles everything itself. */
  CUSTOM: 7,
  /** Settle a BufferList (vectored IO) and advance its cursor by `res`. */
  LIST: 8,
} as const;

/** A completion receiver for operations with their own logic (multishot, chains). */
export interface Completion {
  /** Called for each CQE of the operation; `more` is true when more CQEs follow. */
  complete(res: number, flags: number, more: boolean): void;
}

/**
 * The operation table: one slot per operation in flight, preallocated as
 * parallel arrays so that the batch API and the sync mode allocate nothing
 * per operation. A slot's number goes in the low half of `user_data` and its
 * generation in the high half, so a completion for a slot that was freed
 * and reused can never be delivered to the wrong operation.
 */
export class SlotTable {
  /** Number of slots. */
  readonly capacity: number;
  /** Generation of each slot (1 … 2^31−1); bumped on every allocation. */
  readonly gen: Uint32Array;
  /** {@link Kind} of each slot. */
  readonly kind: Uint8Array;
  /** Opcode, for error messages. */
  readonly op: Uint8Array;
  /** Retries left after EINTR (−1: unlimited). */
  readonly retries: Float64Array;
  /** Set when an AbortSignal asked to cancel the operation. */
  readonly aborted: Uint8Array;
  /** Result of a sync-mode operation, and whether it arrived. */
  readonly res: Int32Array;
  /** 1 once a sync-mode operation's completion arrived. */
  readonly done: Uint8Array;
  /** Numeric tag of a batch-API operation. */
  readonly tag: Float64Array;
  /** A copy of each operation's SQE, to resubmit it after EINTR. */
  readonly sqe: Uint32Array;
  /** What the operation holds: its buffer (kept alive while the kernel uses it) or a Completion. */
  readonly target: unknown[];
  /** A batch operation's buffer (settled before its handler runs). */
  readonly held: unknown[];
  /** Promise settlers. */
  readonly resolve: Array<((v: unknown) => void) | undefined>;
  /** Promise rejecters. */
  readonly reject: Array<((e: unknown) => void) | undefined>;
  /** Path or address for error messages. */
  readonly where: Array<string | undefined>;
  /** The AbortSignal and its listener, to detach on completion. */
  readonly signal: Array<AbortSignal | undefined>;
  readonly onAbort: Array<(() => void) | undefined>;

  readonly #free: Int32Array;
  #top: number;
  #inUse = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.gen = new Uint32Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.op = new Uint8Array(capacity);
    this.retries = new Float64Array(capacity);
    this.aborted = new Uint8Array(capacity);
    this.res = new Int32Array(capacity);
    this.done = new Uint8Array(capacity);
    this.tag = new Float64Array(capacity);
    this.sqe = new Uint32Array(capacity * SQE_WORDS);
    this.target = new Array(capacity).fill(undefined);
    this.held = new Array(capacity).fill(undefined);
    this.resolve = new Array(capacity).fill(undefined);
    this.reject = new Array(capacity).fill(undefined);
    this.where = new Array(capacity).fill(undefined);
    this.signal = new Array(capacity).fill(undefined);
    this.onAbort = new Array(capacity).fill(undefined);
    this.#free = new Int32Array(capacity);
    // Lowest slot numbers on top: a lightly loaded engine reuses a few hot slots.
    for (let i = 0; i < capacity; i++) this.#free[i] = capacity - 1 - i;
    this.#top = capacity;
  }

  /** Slots in use (operations in flight or being prepared). */
  get inUse(): number {
    return this.#inUse;
  }

  /** Free slots. */
  get available(): number {
    return this.#top;
  }

  /** Takes a slot and bumps its generation; −1 when none is free. */
  alloc(kind: number, op: number): number {
    if (this.#top === 0) return -1;
    const s = this.#free[--this.#top]!;
    const g = this.gen[s]! + 1;
    this.gen[s] = g > 0x7fffffff ? 1 : g;
    this.kind[s] = kind;
    this.op[s] = op;
    this.aborted[s] = 0;
    this.done[s] = 0;
    this.#inUse++;
    return s;
  }

  /** Frees a slot and drops every reference it held. */
  free(s: number): void {
    this.kind[s] = Kind.FREE;
    this.target[s] = undefined;
    this.held[s] = undefined;
    this.resolve[s] = undefined;
    this.reject[s] = undefined;
    this.where[s] = undefined;
    const sig = this.signal[s];
    if (sig !== undefined) {
      sig.removeEventListener('abort', this.onAbort[s]!);
      this.signal[s] = undefined;
      this.onAbort[s] = undefined;
    }
    this.#free[this.#top++] = s;
    this.#inUse--;
  }

  /** Keeps a copy of the SQE at word `w` of `sqe32` for slot `s`. */
  saveSqe(s: number, sqe32: Uint32Array, w: number): void {
    const dst = this.sqe;
    const d = s * SQE_WORDS;
    for (let i = 0; i < SQE_WORDS; i++) dst[d + i] = sqe32[w + i]!;
  }

  /** Writes slot `s`'s saved SQE back into `sqe32` at word `w`. */
  restoreSqe(s: number, sqe32: Uint32Array, w: number): void {
    const src = this.sqe;
    const d = s * SQE_WORDS;
    for (let i = 0; i < SQE_WORDS; i++) sqe32[w + i] = src[d + i]!;
  }

  /** Every slot in use, for closing. */
  *busy(): Generator<number> {
    for (let s = 0; s < this.capacity; s++) if (this.kind[s] !== Kind.FREE) yield s;
  }
}
