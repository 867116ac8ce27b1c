import koffi from 'koffi';

/**
 * The one handle on the C library. Every binding in binio's Linux engines is
 * declared on this handle (in the modules beside this file), so each
 * function is bound once.
 */
export const libc = koffi.load('libc.so.6');

/** Reads the calling thread's errno after a failed call (koffi saves it per call). */
export function lastErrno(): number {
  return koffi.errno();
}

export { koffi };
