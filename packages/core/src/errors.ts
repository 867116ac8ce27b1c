/**
 * One error type for every engine. `code` is a POSIX-style code (`ENOENT`,
 * `EAGAIN`, …) or, for input binio refuses before any system call, a Node-style
 * `ERR_*` code. Engines on other platforms map their native errors to these
 * codes and keep the native number in `errno`.
 */

const IO_ERROR_MARK = Symbol.for('binio.IoError');

/** Codes binio itself raises for input it refuses before reaching the kernel. */
export type BinioErrorCode =
  | 'ERR_INVALID_ARG_TYPE'
  | 'ERR_INVALID_ARG_VALUE'
  | 'ERR_OUT_OF_RANGE'
  | 'ERR_BUFFER_IN_FLIGHT'
  | 'ERR_BUFFER_RECYCLED'
  | 'ERR_BUFFER_FOREIGN'
  | 'ERR_MISALIGNED'
  | 'ERR_UNSUPPORTED'
  | 'ERR_MISSING_CAPABILITY'
  | 'ERR_CLOSED'
  | 'ERR_INVALID_ADDRESS'
  | 'ERR_ABORTED'
  | 'ERR_TIMEOUT'
  | 'ERR_RETRY_LIMIT'
  | 'ERR_INVALID_STATE';

/** Fields describing one failure. */
export interface IoErrorInit {
  /** POSIX-style (`ENOENT`) or binio (`ERR_*`) code. */
  code: string;
  /** Human-readable message; a default is built from the other fields. */
  message?: string;
  /** The native error number, when one exists (negative numbers are never used). */
  errno?: number;
  /** The system call or operation that failed (`pread`, `io_uring_enter`, `open`). */
  syscall?: string;
  /** The engine that raised it (`posix`, `uring`, `memory`). */
  engine?: string;
  /** The path involved, when known. */
  path?: string;
  /** The socket address involved, formatted, when known. */
  address?: string;
  /** The underlying cause. */
  cause?: unknown;
}

/**
 * The error every binio operation throws (or rejects with). Recognise it with
 * {@link isIoError}, which also works across duplicate installs of
 * `@binio/core` where `instanceof` does not.
 */
export class IoError extends Error {
  /** POSIX-style (`ENOENT`) or binio (`ERR_*`) code. */
  readonly code: string;
  /** Native error number when the failure came from the system. */
  readonly errno: number | undefined;
  /** System call or operation name. */
  readonly syscall: string | undefined;
  /** Engine name. */
  readonly engine: string | undefined;
  /** Path involved, if any. */
  readonly path: string | undefined;
  /** Socket address involved, if any. */
  readonly address: string | undefined;

  constructor(init: IoErrorInit) {
    super(init.message ?? defaultMessage(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'IoError';
    this.code = init.code;
    this.errno = init.errno;
    this.syscall = init.syscall;
    this.engine = init.engine;
    this.path = init.path;
    this.address = init.address;
  }
}

// The marker read by isIoError: Symbol.for makes it the same symbol in every
// copy of core, so errors from a duplicate install are still recognised.
Object.defineProperty(IoError.prototype, IO_ERROR_MARK, { value: true });

function defaultMessage(init: IoErrorInit): string {
  let msg = `${init.code}`;
  if (init.syscall) msg += `: ${init.syscall} failed`;
  if (init.path) msg += `, path '${init.path}'`;
  if (init.address) msg += `, address ${init.address}`;
  if (init.engine) msg += ` (engine ${init.engine})`;
  return msg;
}

/** True for an {@link IoError} from any copy of `@binio/core`. */
export function isIoError(value: unknown): value is IoError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[IO_ERROR_MARK] === true
  );
}

/** Shorthand for refusing bad input before anything reaches the kernel. */
export function invalidArg(
  code: BinioErrorCode,
  message: string,
  extra: Omit<IoErrorInit, 'code' | 'message'> = {},
): IoError {
  return new IoError({ code, message, ...extra });
}

/**
 * The proposals' `retryOnInterrupt`: `true` (the default) retries an
 * interrupted call (EINTR) without limit, `false` surfaces the first EINTR,
 * a number retries at most that many times and then surfaces it.
 */
export type RetryOnInterrupt = boolean | number;

/** Converts a {@link RetryOnInterrupt} option to the number of retries allowed. */
export function retryLimit(option: RetryOnInterrupt | undefined): number {
  if (option === undefined || option === true) return Number.POSITIVE_INFINITY;
  if (option === false) return 0;
  if (typeof option !== 'number' || !Number.isInteger(option) || option < 0) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `retryOnInterrupt must be a boolean or a non-negative integer, got ${String(option)}`,
    );
  }
  return option;
}

/** An AbortSignal's abort, as an IoError (the reason is kept as the cause). */
export function abortError(signal: AbortSignal | undefined, syscall?: string): IoError {
  return new IoError({
    code: 'ERR_ABORTED',
    message: syscall ? `${syscall} was aborted` : 'The operation was aborted',
    syscall,
    cause: signal?.reason,
  });
}
