import { addonUnavailableReason } from '../../src/index.js';

/**
 * Why the DPDK suites cannot run here (addon not built, DPDK missing, not
 * root), or undefined. Printed when a suite skips; CI installs DPDK, so
 * there it is always undefined and every suite runs.
 */
export function dpdkUnavailableReason(): string | undefined {
  const why = addonUnavailableReason();
  if (why) return why;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'DPDK needs root here (EAL memory and AF_PACKET sockets)';
  }
  return undefined;
}

/** Logs why a suite is skipped; returns true when it must skip. */
export function skipWithReason(suite: string, why: string | undefined): boolean {
  if (why) console.warn(`[${suite}] skipped: ${why}`);
  return why !== undefined;
}
