import { libc } from '@binio/engine-posix/socket';

/**
 * The libc functions only this engine calls, bound once on the shared libc
 * handle of `@binio/engine-posix` (the socket, eventfd and close bindings
 * come from there too). Pointer parameters are `void *` and take a native
 * address as a number (memory from a `NativeBlock`), so a call marshals
 * nothing. Each returns -1 with errno set on failure (`lastErrno()`).
 */

/** `int epoll_create1(int flags)`. */
export const epoll_create1 = libc.func('int epoll_create1(int flags)') as (flags: number) => number;

/** `int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)`. */
export const epoll_ctl = libc.func('int epoll_ctl(int epfd, int op, int fd, void *event)') as (
  epfd: number,
  op: number,
  fd: number,
  event: number,
) => number;

/** `int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)`. */
export const epoll_wait = libc.func(
  'int epoll_wait(int epfd, void *events, int maxevents, int timeout)',
) as (epfd: number, events: number, maxEvents: number, timeout: number) => number;

/** `int timerfd_create(int clockid, int flags)`. */
export const timerfd_create = libc.func('int timerfd_create(int clockid, int flags)') as (
  clock: number,
  flags: number,
) => number;

/** `int timerfd_settime(int fd, int flags, const struct itimerspec *new, struct itimerspec *old)`. */
export const timerfd_settime = libc.func(
  'int timerfd_settime(int fd, int flags, void *new_value, void *old_value)',
) as (fd: number, flags: number, newValue: number, oldValue: number) => number;

/** `int timerfd_gettime(int fd, struct itimerspec *curr)`. */
export const timerfd_gettime = libc.func('int timerfd_gettime(int fd, void *curr)') as (
  fd: number,
  current: number,
) => number;

/** `int pidfd_open(pid_t pid, unsigned int flags)` (glibc 2.36). */
export const pidfd_open = libc.func('int pidfd_open(int pid, uint32_t flags)') as (
  pid: number,
  flags: number,
) => number;

/** `int pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags)` (glibc 2.36). */
export const pidfd_send_signal = libc.func(
  'int pidfd_send_signal(int pidfd, int sig, void *info, uint32_t flags)',
) as (pidfd: number, signal: number, info: number, flags: number) => number;

/** `int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)`. */
export const waitid = libc.func('int waitid(int idtype, uint32_t id, void *info, int options)') as (
  idType: number,
  id: number,
  info: number,
  options: number,
) => number;

/** `int sched_yield(void)`: lets another runnable thread have this core (busy polling). */
export const sched_yield = libc.func('int sched_yield(void)') as () => number;
