/**
 * Linux (x86_64) constants and struct layouts of epoll, timerfd, pidfd and
 * waitid, typed by hand; `test/constants.test.ts` checks each against the
 * system headers. Socket constants come from `@binio/engine-posix/linux`.
 */

/** `epoll_create1` flags. */
export const EPOLL_CLOEXEC = 0o2000000;

/** `epoll_ctl` operations. */
export const EPOLL_CTL = { ADD: 1, DEL: 2, MOD: 3 } as const;

/** `epoll_event.events` bits. */
export const EPOLL = {
  IN: 0x001,
  PRI: 0x002,
  OUT: 0x004,
  ERR: 0x008,
  HUP: 0x010,
  RDHUP: 0x2000,
  EXCLUSIVE: 1 << 28,
  ONESHOT: 1 << 30,
  /** Edge-triggered; `1 << 31` in C, an unsigned 32-bit value here. */
  ET: 0x80000000,
} as const;

/**
 * `struct epoll_event` on x86_64: packed (`__EPOLL_PACKED`), 12 bytes, the
 * 64-bit `data` at offset 4. The engine stores a descriptor in its low word
 * and a registration generation in its high word.
 */
export const EPOLL_EVENT_LAYOUT = { size: 12, offsets: { events: 0, data: 4 } } as const;

/** Clocks for `timerfd_create`. */
export const CLOCK = { REALTIME: 0, MONOTONIC: 1, BOOTTIME: 7 } as const;

/** `timerfd_create` / `timerfd_settime` flags. */
export const TFD = { NONBLOCK: 0o4000, CLOEXEC: 0o2000000, TIMER_ABSTIME: 1 } as const;

/** `struct itimerspec`: two `struct timespec` (seconds, nanoseconds; 64-bit each). */
export const ITIMERSPEC_LAYOUT = {
  size: 32,
  offsets: { it_interval: 0, it_value: 16 },
} as const;

/** `eventfd` flags beyond the ones engine-posix exports. */
export const EFD_SEMAPHORE = 1;

/** `pidfd_open` flags. */
export const PIDFD_NONBLOCK = 0o4000;

/** `waitid` id types and options. */
export const WAIT = { P_PIDFD: 3, WEXITED: 4, WNOHANG: 1, WNOWAIT: 0x01000000 } as const;

/** `siginfo_t.si_code` values for a child's end. */
export const CLD = { EXITED: 1, KILLED: 2, DUMPED: 3 } as const;

/** The fields of `siginfo_t` that `waitid` fills for a child. */
export const SIGINFO_LAYOUT = {
  size: 128,
  offsets: { si_signo: 0, si_code: 8, si_pid: 16, si_status: 24 },
} as const;
