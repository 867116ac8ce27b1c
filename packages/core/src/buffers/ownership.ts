import { IoError } from '../errors.js';

/**
 * Who may touch a buffer's bytes right now. A buffer handed to an operation
 * belongs to the engine until the operation settles; a buffer recycled into
 * its pool belongs to the pool. Accessing the bytes in either state throws,
 * so a misuse is a clear error rather than silent corruption.
 */
export type Ownership = 'caller' | 'in-flight' | 'pooled';

// Numeric states: one integer compare on every access keeps the check cheap.
/** @internal */ export const CALLER = 0;
/** @internal */ export const IN_FLIGHT = 1;
/** @internal */ export const POOLED = 2;

const NAMES: readonly Ownership[] = ['caller', 'in-flight', 'pooled'];

/**
 * Base of every buffer type that an operation can borrow. Engines call
 * {@link Tracked.lend} when an operation takes the buffer and
 * {@link Tracked.settle} when it completes (successfully or not).
 */
export abstract class Tracked {
  /** @internal Current ownership state (CALLER, IN_FLIGHT, POOLED). */
  _state: number = CALLER;

  /** Who owns the buffer right now. */
  get ownership(): Ownership {
    return NAMES[this._state]!;
  }

  /** True while an operation holds the buffer. */
  get inFlight(): boolean {
    return this._state === IN_FLIGHT;
  }

  /**
   * Marks the buffer as taken by an operation. Throws `ERR_BUFFER_IN_FLIGHT`
   * if another operation already holds it and `ERR_BUFFER_RECYCLED` if it was
   * recycled. Engines call this before anything reaches the kernel.
   */
  lend(): void {
    if (this._state !== CALLER) throw ownershipError(this._state, 'lend');
    this._state = IN_FLIGHT;
  }

  /** Gives the buffer back to the caller after its operation settled. */
  settle(): void {
    if (this._state === IN_FLIGHT) this._state = CALLER;
  }

  /** Throws unless the caller owns the buffer. */
  assertOwned(action = 'access'): void {
    if (this._state !== CALLER) throw ownershipError(this._state, action);
  }
}

/** The error for touching a buffer that is in flight or recycled. */
export function ownershipError(state: number, action: string): IoError {
  if (state === IN_FLIGHT) {
    return new IoError({
      code: 'ERR_BUFFER_IN_FLIGHT',
      message: `Cannot ${action} a buffer while an operation holds it; wait for the operation to settle`,
    });
  }
  return new IoError({
    code: 'ERR_BUFFER_RECYCLED',
    message: `Cannot ${action} a buffer after it was recycled into its pool`,
  });
}
