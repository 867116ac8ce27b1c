import type { SocketState } from './state.js';

/**
 * The sockets one `SocketOps` opened and has not seen closed, so the engine
 * can close them all when it closes. Held weakly: a socket dropped without
 * close() is still closed by the garbage collector (see `SocketState`).
 */
export class SocketTracker {
  readonly #open = new Set<WeakRef<SocketState>>();

  /** Starts tracking `state`; it leaves the set when it closes. */
  add(state: SocketState): void {
    const ref = new WeakRef(state);
    this.#open.add(ref);
    state.tracker = this;
    state.trackedAs = ref;
    // Sockets the GC took leave dead references behind: sweep them now and then.
    if (this.#open.size % 1024 === 0)
      for (const r of this.#open) if (r.deref() === undefined) this.#open.delete(r);
  }

  /** `state` closed. */
  remove(ref: WeakRef<SocketState>): void {
    this.#open.delete(ref);
  }

  /** Number of tracked sockets still open. */
  get size(): number {
    let n = 0;
    for (const r of this.#open) if (r.deref()?.closed === false) n++;
    return n;
  }

  /** Closes every tracked socket; resolves (async) once all are closed. */
  closeAll(): void | Promise<void> {
    const pending: Promise<void>[] = [];
    for (const r of [...this.#open]) {
      const p = r.deref()?.close();
      if (p instanceof Promise) pending.push(p);
    }
    this.#open.clear();
    if (pending.length > 0) return Promise.all(pending).then(() => {});
  }
}
