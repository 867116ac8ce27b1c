import { readdirSync, readlinkSync } from 'node:fs';

/** Descriptors open in this process now, with what they point at. */
export function openFds(): Map<number, string> {
  const out = new Map<number, string>();
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      out.set(Number(name), readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // The descriptor readdir itself used is gone by now.
    }
  }
  return out;
}

/**
 * Snapshot of open descriptors; `leaked()` lists those opened since and
 * still open. Use around a suite: `const fds = fdSnapshot(); … expect(fds.leaked()).toEqual([])`.
 */
export function fdSnapshot(): { leaked(): string[] } {
  const before = openFds();
  return {
    leaked() {
      const now = openFds();
      const out: string[] = [];
      for (const [fd, target] of now) {
        if (before.get(fd) !== target) out.push(`${fd} -> ${target}`);
      }
      return out;
    },
  };
}
