import koffi from 'koffi';

// koffi keeps `resident_async_pools` (default 8) sets of call memory for
// async calls and allocates and frees a fresh set for every call beyond
// them: at 32 reads in flight that allocation made async calls about 2.5×
// slower here (scripts/bench-pread.ts). The setting can only change before
// the process loads its first library; if another package loaded one first,
// the default stays and ASYNC_CALL_SLOTS below follows it.
try {
  const config = koffi.config();
  if ((config.resident_async_pools ?? 8) < 32)
    koffi.config({ ...config, resident_async_pools: 32 });
} catch {
  // Too late to configure: keep koffi's settings.
}

/**
 * The one handle on the C library. Every binding in binio's Linux engines is
 * declared on this handle (in the modules beside this file), so each
 * function is bound once.
 */
export const libc = koffi.load('libc.so.6');

/**
 * How many koffi async calls may run at once without koffi allocating call
 * memory per call (its resident pools). binio's async engines keep their
 * calls at or under this and queue the rest in JS.
 */
export const ASYNC_CALL_SLOTS: number = koffi.config().resident_async_pools ?? 8;

/** Reads the calling thread's errno after a failed call (koffi saves it per call). */
export function lastErrno(): number {
  return koffi.errno();
}

export { koffi };
