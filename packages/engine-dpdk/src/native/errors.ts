import { IoError } from '@binio/core';
import { errnoEntry } from '@binio/engine-posix/linux';

// rte_errno values beyond the POSIX range (rte_errno.h).
const RTE_ERRNO: Record<number, [string, string]> = {
  1001: ['E_RTE_SECONDARY', 'operation not allowed in a secondary process'],
  1002: ['E_RTE_NO_CONFIG', 'missing rte_config'],
};

/**
 * Converts an error the addon threw (an Error with a positive `errno`, DPDK's
 * `rte_errno` or a negated return value) to an {@link IoError} whose code is
 * the errno name. Other errors pass through unchanged.
 */
export function dpdkError(e: unknown, syscall: string, extra?: string): unknown {
  const errno = (e as { errno?: unknown }).errno;
  if (!(e instanceof Error) || typeof errno !== 'number') return e;
  const rte = RTE_ERRNO[errno];
  const code = rte ? rte[0] : errnoEntry(errno).code;
  return new IoError({
    code,
    errno,
    syscall,
    engine: 'dpdk',
    message: `${code}: ${e.message}${extra ? `; ${extra}` : ''}`,
    cause: e,
  });
}

/** Runs `fn`, converting an addon error to an IoError for `syscall`. */
export function callNative<T>(syscall: string, fn: () => T, extra?: string): T {
  try {
    return fn();
  } catch (e) {
    throw dpdkError(e, syscall, extra);
  }
}
