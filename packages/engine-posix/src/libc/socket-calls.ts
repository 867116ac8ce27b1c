import { libc } from './lib.js';

/**
 * The socket, multiplexing and eventfd calls of the C library, each bound
 * once on the shared {@link libc} handle. Pointer parameters are `void *`,
 * so callers pass a typed array (koffi hands the kernel its memory, no
 * copy), a native address as a number, or null. Types are spelled with
 * koffi's built-in names (`intptr_t` for `ssize_t`, `uint32_t` for
 * `socklen_t`) so that no global type alias can clash with another module.
 * Every call returns -1 and sets errno on failure (read it with `lastErrno`).
 * `close` is the file half's (`file-calls.ts`): each function is bound once.
 */

/** `int socket(int domain, int type, int protocol)`. */
export const socket = libc.func('int socket(int domain, int type, int protocol)');
/** `int socketpair(int domain, int type, int protocol, int sv[2])`. */
export const socketpair = libc.func('int socketpair(int domain, int type, int protocol, void *sv)');
/** `int bind(int fd, const struct sockaddr *addr, socklen_t len)`. */
export const bind = libc.func('int bind(int fd, void *addr, uint32_t len)');
/** `int listen(int fd, int backlog)`. */
export const listen = libc.func('int listen(int fd, int backlog)');
/** `int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)`. */
export const accept4 = libc.func('int accept4(int fd, void *addr, void *len, int flags)');
/** `int connect(int fd, const struct sockaddr *addr, socklen_t len)`. */
export const connect = libc.func('int connect(int fd, void *addr, uint32_t len)');
/** `int shutdown(int fd, int how)`. */
export const shutdown = libc.func('int shutdown(int fd, int how)');
/** `int getsockopt(int fd, int level, int name, void *value, socklen_t *len)`. */
export const getsockopt = libc.func(
  'int getsockopt(int fd, int level, int name, void *value, void *len)',
);
/** `int setsockopt(int fd, int level, int name, const void *value, socklen_t len)`. */
export const setsockopt = libc.func(
  'int setsockopt(int fd, int level, int name, void *value, uint32_t len)',
);
/** `int getsockname(int fd, struct sockaddr *addr, socklen_t *len)`. */
export const getsockname = libc.func('int getsockname(int fd, void *addr, void *len)');
/** `int getpeername(int fd, struct sockaddr *addr, socklen_t *len)`. */
export const getpeername = libc.func('int getpeername(int fd, void *addr, void *len)');
/** `ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen)`. */
export const sendto = libc.func(
  'intptr_t sendto(int fd, void *buf, size_t len, int flags, void *to, uint32_t tolen)',
);
/** `ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen)`. */
export const recvfrom = libc.func(
  'intptr_t recvfrom(int fd, void *buf, size_t len, int flags, void *from, void *fromlen)',
);
/** `ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)`. */
export const sendmsg = libc.func('intptr_t sendmsg(int fd, void *msg, int flags)');
/** `ssize_t recvmsg(int fd, struct msghdr *msg, int flags)`. */
export const recvmsg = libc.func('intptr_t recvmsg(int fd, void *msg, int flags)');
/** `int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)`. */
export const sendmmsg = libc.func('int sendmmsg(int fd, void *vec, uint32_t vlen, int flags)');
/** `int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags, struct timespec *timeout)`. */
export const recvmmsg = libc.func(
  'int recvmmsg(int fd, void *vec, uint32_t vlen, int flags, void *timeout)',
);
/** `ssize_t sendfile(int out_fd, int in_fd, off_t *offset, size_t count)`. */
export const sendfile = libc.func(
  'intptr_t sendfile(int out_fd, int in_fd, void *offset, size_t count)',
);
/** `int poll(struct pollfd *fds, nfds_t nfds, int timeout)`: the async mode waits in it on the thread pool. */
export const poll = libc.func('int poll(void *fds, uint64_t nfds, int timeout)');
/** `int eventfd(unsigned int initval, int flags)`: wakes a waiting poll (abort, close). */
export const eventfd = libc.func('int eventfd(uint32_t initval, int flags)');
/** `int eventfd_write(int fd, eventfd_t value)`. */
export const eventfd_write = libc.func('int eventfd_write(int fd, uint64_t value)');
/** `unsigned int if_nametoindex(const char *name)`: 0 when there is no such interface. */
export const if_nametoindex = libc.func('uint32_t if_nametoindex(const char *name)');
