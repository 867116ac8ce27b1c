import { invalidArg } from '../errors.js';

/** Kinds of injected faults. */
export type FaultKind = 'EINTR' | 'EAGAIN' | 'ENOSPC' | 'EIO' | 'short' | 'delay';

/** Operation names faults can target (`'*'` matches any). */
export type FaultOp = 'open' | 'read' | 'write' | 'send' | 'recv' | 'accept' | 'connect' | 'fsync' | '*';

/**
 * One fault rule. Rules are matched in the order added; a matching rule
 * fires `times` times (default 1) after skipping the first `after` matches,
 * so a test states exactly which attempt fails and how: deterministic.
 */
export interface FaultRule {
  /** Which operation it targets. */
  op: FaultOp;
  /** What happens. `short` caps the bytes moved; `delay` postpones completion (async mode). */
  kind: FaultKind;
  /** How many times it fires (default 1; `Infinity` for always). */
  times?: number;
  /** Matching attempts to let through before it fires (default 0). */
  after?: number;
  /** For `short`: at most this many bytes per attempt (default 1). */
  bytes?: number;
  /** For `delay`: milliseconds (default 1). */
  ms?: number;
  /** Only for this path (files). */
  path?: string;
}

interface LiveRule extends Required<Omit<FaultRule, 'path'>> {
  path: string | undefined;
  fired: number;
  seen: number;
}

/** The ordered, deterministic fault schedule of a memory engine. */
export class FaultPlan {
  readonly #rules: LiveRule[] = [];
  /** Faults that fired, in order, for assertions. */
  readonly log: Array<{ op: string; kind: FaultKind }> = [];

  /** Adds a rule; returns this plan. */
  add(rule: FaultRule): this {
    const kinds: FaultKind[] = ['EINTR', 'EAGAIN', 'ENOSPC', 'EIO', 'short', 'delay'];
    if (!kinds.includes(rule.kind)) {
      throw invalidArg('ERR_INVALID_ARG_VALUE', `Unknown fault kind '${String(rule.kind)}' (known: ${kinds.join(', ')})`);
    }
    this.#rules.push({
      op: rule.op,
      kind: rule.kind,
      times: rule.times ?? 1,
      after: rule.after ?? 0,
      bytes: rule.bytes ?? 1,
      ms: rule.ms ?? 1,
      path: rule.path,
      fired: 0,
      seen: 0,
    });
    return this;
  }

  /** Removes every rule. */
  clear(): void {
    this.#rules.length = 0;
  }

  /**
   * The first live rule matching this attempt of `op`, consuming one firing,
   * or undefined. Every matching rule counts the attempt toward its `after`.
   * @internal
   */
  take(op: Exclude<FaultOp, '*'>, path?: string): LiveRule | undefined {
    let hit: LiveRule | undefined;
    for (const r of this.#rules) {
      if (r.op !== '*' && r.op !== op) continue;
      if (r.path !== undefined && r.path !== path) continue;
      if (r.fired >= r.times) continue;
      r.seen++;
      if (r.seen <= r.after) continue;
      if (!hit) {
        hit = r;
        r.fired++;
      }
    }
    if (hit) this.log.push({ op, kind: hit.kind });
    return hit;
  }
}
