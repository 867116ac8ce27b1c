import { constants, structLayout } from '@binio/testkit';
import { describe, expect, it } from 'vitest';
import {
  CLD,
  CLOCK,
  EFD_SEMAPHORE,
  EPOLL,
  EPOLL_CLOEXEC,
  EPOLL_CTL,
  EPOLL_EVENT_LAYOUT,
  ITIMERSPEC_LAYOUT,
  PIDFD_NONBLOCK,
  SIGINFO_LAYOUT,
  TFD,
  WAIT,
} from '../src/sys/constants.js';

// Every number typed by hand in src/sys/constants.ts, read back from the
// system headers by a compiled C probe.
describe('constants and layouts match the system headers', () => {
  it('epoll', () => {
    const c = constants(
      ['sys/epoll.h'],
      [
        'EPOLL_CLOEXEC',
        'EPOLL_CTL_ADD',
        'EPOLL_CTL_DEL',
        'EPOLL_CTL_MOD',
        'EPOLLIN',
        'EPOLLPRI',
        'EPOLLOUT',
        'EPOLLERR',
        'EPOLLHUP',
        'EPOLLRDHUP',
        'EPOLLEXCLUSIVE',
        'EPOLLONESHOT',
        'EPOLLET',
      ],
    );
    expect(EPOLL_CLOEXEC).toBe(c.EPOLL_CLOEXEC);
    expect(EPOLL_CTL).toEqual({ ADD: c.EPOLL_CTL_ADD, DEL: c.EPOLL_CTL_DEL, MOD: c.EPOLL_CTL_MOD });
    expect(EPOLL.IN).toBe(c.EPOLLIN);
    expect(EPOLL.PRI).toBe(c.EPOLLPRI);
    expect(EPOLL.OUT).toBe(c.EPOLLOUT);
    expect(EPOLL.ERR).toBe(c.EPOLLERR);
    expect(EPOLL.HUP).toBe(c.EPOLLHUP);
    expect(EPOLL.RDHUP).toBe(c.EPOLLRDHUP);
    expect(EPOLL.EXCLUSIVE).toBe(c.EPOLLEXCLUSIVE);
    expect(EPOLL.ONESHOT).toBe(c.EPOLLONESHOT);
    // EPOLLET is (1u << 31): the probe prints it through a signed long long.
    expect(EPOLL.ET).toBe(c.EPOLLET! >>> 0);
    const layout = structLayout(['sys/epoll.h'], 'struct epoll_event', ['events', 'data']);
    expect(layout).toEqual({ size: EPOLL_EVENT_LAYOUT.size, offsets: EPOLL_EVENT_LAYOUT.offsets });
  });

  it('timerfd and its itimerspec', () => {
    const c = constants(
      ['sys/timerfd.h', 'time.h'],
      [
        'CLOCK_REALTIME',
        'CLOCK_MONOTONIC',
        'CLOCK_BOOTTIME',
        'TFD_NONBLOCK',
        'TFD_CLOEXEC',
        'TFD_TIMER_ABSTIME',
      ],
    );
    expect(CLOCK).toEqual({
      REALTIME: c.CLOCK_REALTIME,
      MONOTONIC: c.CLOCK_MONOTONIC,
      BOOTTIME: c.CLOCK_BOOTTIME,
    });
    expect(TFD).toEqual({
      NONBLOCK: c.TFD_NONBLOCK,
      CLOEXEC: c.TFD_CLOEXEC,
      TIMER_ABSTIME: c.TFD_TIMER_ABSTIME,
    });
    expect(structLayout(['time.h'], 'struct itimerspec', ['it_interval', 'it_value'])).toEqual({
      size: ITIMERSPEC_LAYOUT.size,
      offsets: ITIMERSPEC_LAYOUT.offsets,
    });
    expect(structLayout(['time.h'], 'struct timespec', ['tv_sec', 'tv_nsec'])).toEqual({
      size: 16,
      offsets: { tv_sec: 0, tv_nsec: 8 },
    });
  });

  it('eventfd, pidfd and waitid', () => {
    const c = constants(
      ['sys/eventfd.h', 'sys/pidfd.h', 'sys/wait.h', 'signal.h'],
      [
        'EFD_SEMAPHORE',
        'PIDFD_NONBLOCK',
        'P_PIDFD',
        'WEXITED',
        'WNOHANG',
        'WNOWAIT',
        'CLD_EXITED',
        'CLD_KILLED',
        'CLD_DUMPED',
      ],
    );
    expect(EFD_SEMAPHORE).toBe(c.EFD_SEMAPHORE);
    expect(PIDFD_NONBLOCK).toBe(c.PIDFD_NONBLOCK);
    expect(WAIT).toEqual({
      P_PIDFD: c.P_PIDFD,
      WEXITED: c.WEXITED,
      WNOHANG: c.WNOHANG,
      WNOWAIT: c.WNOWAIT,
    });
    expect(CLD).toEqual({ EXITED: c.CLD_EXITED, KILLED: c.CLD_KILLED, DUMPED: c.CLD_DUMPED });
    const si = structLayout(['signal.h'], 'siginfo_t', [
      'si_signo',
      'si_code',
      'si_pid',
      'si_status',
    ]);
    expect(si).toEqual({ size: SIGINFO_LAYOUT.size, offsets: SIGINFO_LAYOUT.offsets });
  });
});
