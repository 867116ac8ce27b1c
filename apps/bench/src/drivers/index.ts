import type { Driver } from './types.js';

/**
 * Every driver, loaded on demand: a worker imports only the one it runs, so
 * a Bun worker running Node's `fs` never loads binio (or koffi).
 */
export const DRIVERS: Record<string, () => Promise<Driver>> = {
  'node-file-sync': async () => (await import('./node-file-sync.js')).run,
  'node-file-promises': async () => (await import('./node-file-promises.js')).run,
  'node-udp': async () => (await import('./node-udp.js')).run,
  'node-tcp': async () => (await import('./node-tcp.js')).run,
  'binio-file': async () => (await import('./binio-file.js')).run,
  'uring-batch-file': async () => (await import('./uring-batch-file.js')).run,
  'binio-udp': async () => (await import('./binio-udp.js')).run,
  'binio-tcp': async () => (await import('./binio-tcp.js')).run,
  'binio-dpdk-tx': async () => (await import('./binio-dpdk-tx.js')).run,
  'binio-dpdk-echo': async () => (await import('./binio-dpdk-echo.js')).run,
  'binio-udp-veth': async () => (await import('./binio-udp-veth.js')).run,
  'node-udp-veth': async () => (await import('./node-udp-veth.js')).run,
};

/**
 * Drivers that get a process of their own, never a reused worker: DPDK's
 * EAL can be initialised once per process (the echo driver initialises it
 * itself; the tx driver's engine does). Every other driver closes what it
 * opened, so the next run in the same worker starts clean.
 */
export const FRESH_PROCESS_DRIVERS: ReadonlySet<string> = new Set([
  'binio-dpdk-tx',
  'binio-dpdk-echo',
]);
