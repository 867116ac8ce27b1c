import { constants } from 'node:os';
import { IoError, checkInt, invalidArg } from '@binio/core';
import { E, POLL } from '@binio/engine-posix/linux';
import { NativeBlock, lastErrno } from '@binio/engine-posix/socket';
import { sysError } from '../errors.js';
import type { Host } from '../host.js';
import { type EpollWaitOptions, WAIT_KEYS, parseOptions } from '../options.js';
import { AGAIN, type Attempt, Op } from '../reactor/op.js';
import { READ } from '../reactor/source.js';
import { CLD, SIGINFO_LAYOUT, WAIT } from '../sys/constants.js';
import { pidfd_open, pidfd_send_signal, waitid } from '../sys/calls.js';
import { calls } from '../sys/shared-calls.js';
import { ReadableSource } from './readable.js';

const { poll } = calls;
const pollfd = new NativeBlock(8);
const info = new NativeBlock(SIGINFO_LAYOUT.size);
const SI = SIGINFO_LAYOUT.offsets;
const SIGNAL_NAMES = new Map<number, string>(
  Object.entries(constants.signals).map(([k, v]) => [v, k]),
);

/** How a watched process ended. */
export interface ProcessExit {
  /** The process id. */
  pid: number;
  /**
   * Its exit code, when known: the kernel still holds the status only for
   * a child of this process that nobody reaped yet (Node's `child_process`
   * reaps its children at once; use its `'exit'` event for their codes).
   */
  code: number | null;
  /** The signal that ended it, when known (same condition). */
  signal: string | null;
}

/** Waits until the process has ended: its pidfd turns readable. */
class ExitOp extends Op<ProcessExit> {
  constructor(
    readonly fd: number,
    readonly pid: number,
  ) {
    super();
  }

  get syscall(): string {
    return 'pidfd';
  }

  attempt(): Attempt {
    // The pidfd is readable once the process has ended; poll with timeout 0 asks without waiting.
    pollfd.i32[0] = this.fd;
    pollfd.i32[1] = POLL.POLLIN;
    const r = poll(pollfd.address, 1, 0);
    if (r < 0) {
      const errno = lastErrno();
      return errno === E.EINTR ? AGAIN : this.fail(sysError(errno, 'poll'));
    }
    if (r === 0) return AGAIN;
    return this.done(status(this.fd, this.pid));
  }

  abandon(): void {}
}

// WNOWAIT: read the status without reaping, so the process's parent (often
// Node's child_process) still gets it.
function status(fd: number, pid: number): ProcessExit {
  info.bytes.fill(0);
  if (waitid(WAIT.P_PIDFD, fd, info.address, WAIT.WEXITED | WAIT.WNOHANG | WAIT.WNOWAIT) < 0) {
    // ECHILD: not our child, or already reaped; the end is certain, its status is not.
    return { pid, code: null, signal: null };
  }
  if (info.i32[SI.si_pid >>> 2] !== pid) return { pid, code: null, signal: null };
  const code = info.i32[SI.si_code >>> 2];
  const value = info.i32[SI.si_status >>> 2]!;
  if (code === CLD.EXITED) return { pid, code: value, signal: null };
  return { pid, code: null, signal: SIGNAL_NAMES.get(value) ?? `SIG${value}` };
}

/**
 * A pidfd: a handle on one process (any process, not only a child) that
 * survives pid reuse. `exited()` waits on the event loop until it ends;
 * `kill()` signals exactly that process, never one that took its pid later.
 */
export class EpollProcess extends ReadableSource {
  /** The process id. */
  readonly pid: number;

  /** @internal made by watchProcess */
  constructor(host: Host, pid: number) {
    const p = checkInt('pid', pid, 1, 2 ** 22);
    const fd = pidfd_open(p, 0);
    if (fd < 0) {
      const errno = lastErrno();
      if (errno === 3) {
        throw new IoError({
          code: 'ESRCH',
          errno,
          syscall: 'pidfd_open',
          engine: 'epoll',
          message: `ESRCH: no process with pid ${p}`,
        });
      }
      throw sysError(errno, 'pidfd_open');
    }
    super(host, fd, 'pidfd');
    this.pid = p;
  }

  /** Waits until the process has ended. */
  exited(options?: EpollWaitOptions): Promise<ProcessExit> {
    try {
      const o = parseOptions(options, WAIT_KEYS, 'exited');
      return this._run(new ExitOp(this._check('pidfd'), this.pid), READ, o);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Sends `signal` (default `'SIGTERM'`) to this process (`pidfd_send_signal`). */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): void {
    const n =
      typeof signal === 'number'
        ? signal
        : constants.signals[signal as keyof typeof constants.signals];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 64) {
      throw invalidArg('ERR_INVALID_ARG_VALUE', `Unknown signal ${String(signal)}`);
    }
    const fd = this._check('pidfd_send_signal');
    if (pidfd_send_signal(fd, n, 0, 0) < 0) throw sysError(lastErrno(), 'pidfd_send_signal');
  }
}
