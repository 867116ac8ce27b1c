import { closeFd, readFd, socketCalls } from '@binio/engine-posix/socket';

/**
 * The libc calls this engine shares with `@binio/engine-posix` (bound once
 * there), typed as this engine calls them: every pointer as a native
 * address (a number), every result as a number. No binding is made here.
 */
interface SharedCalls {
  recvfrom(
    fd: number,
    buf: number,
    len: number,
    flags: number,
    from: number,
    fromLen: number,
  ): number;
  sendto(fd: number, buf: number, len: number, flags: number, to: number, toLen: number): number;
  sendmmsg(fd: number, vec: number, n: number, flags: number): number;
  recvmmsg(fd: number, vec: number, n: number, flags: number, timeout: number): number;
  accept4(fd: number, addr: number, len: number, flags: number): number;
  connect(fd: number, addr: number, len: number): number;
  getpeername(fd: number, addr: number, len: number): number;
  shutdown(fd: number, how: number): number;
  poll(fds: number, n: number, timeout: number): number;
  eventfd(initial: number, flags: number): number;
  eventfd_write(fd: number, value: number): number;
}

/** The socket, poll and eventfd calls. */
export const calls = socketCalls as unknown as SharedCalls;

/** `ssize_t read(int fd, void *buf, size_t count)`. */
export const read = readFd as (fd: number, buf: number, count: number) => number;

/** `int close(int fd)`. */
export const close = closeFd as (fd: number) => number;
