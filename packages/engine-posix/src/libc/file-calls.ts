import { libc } from './lib.js';

/**
 * The libc functions behind the file half of the posix engine, each bound
 * once on the shared {@link libc} handle. Every function can be called
 * directly (sync mode) or through its `.async(...args, cb)` member, which
 * koffi runs on the libuv thread pool (async mode).
 *
 * Buffers are declared `void *` on purpose: koffi then passes a typed
 * array's own backing store (no copy, no conversion); see
 * `src/file/async-call.ts` for why that memory stays put while a pool
 * thread uses it. `ssize_t`/`off_t` are spelled `intptr_t`/`int64_t`, the
 * same width on x86_64 (koffi has no `ssize_t`). Variadic prototypes
 * (`openat`, `ioctl`) are bound with their fixed arguments: koffi's async
 * calls refuse variadic functions, and on x86_64 integer arguments travel in
 * the same registers either way.
 */

/** `int openat(int dirfd, const char *path, int flags, mode_t mode)`. */
export const openat = libc.func(
  'int openat(int dirfd, const char *path, int flags, uint32_t mode)',
);
/** `int close(int fd)`. */
export const close = libc.func('int close(int fd)');
/** `ssize_t read(int fd, void *buf, size_t count)`: moves the cursor. */
export const read = libc.func('intptr_t read(int fd, void *buf, size_t count)');
/** `ssize_t pread(int fd, void *buf, size_t count, off_t offset)`: the cursor stays. */
export const pread = libc.func('intptr_t pread64(int fd, void *buf, size_t count, int64_t offset)');
/** `ssize_t write(int fd, const void *buf, size_t count)`. */
export const write = libc.func('intptr_t write(int fd, void *buf, size_t count)');
/** `ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)`. */
export const pwrite = libc.func(
  'intptr_t pwrite64(int fd, void *buf, size_t count, int64_t offset)',
);
/** `ssize_t preadv2(int fd, const struct iovec *iov, int n, off_t offset, int flags)`; offset -1 uses the cursor. */
export const preadv2 = libc.func(
  'intptr_t preadv2(int fd, void *iov, int iovcnt, int64_t offset, int flags)',
);
/** `ssize_t pwritev2(int fd, const struct iovec *iov, int n, off_t offset, int flags)`; offset -1 uses the cursor. */
export const pwritev2 = libc.func(
  'intptr_t pwritev2(int fd, void *iov, int iovcnt, int64_t offset, int flags)',
);
/** `off_t lseek(int fd, off_t offset, int whence)`. */
export const lseek = libc.func('int64_t lseek64(int fd, int64_t offset, int whence)');
/** `int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *buf)`. */
export const statx = libc.func(
  'int statx(int dirfd, const char *path, int flags, uint32_t mask, void *buf)',
);
/** `int fsync(int fd)`. */
export const fsync = libc.func('int fsync(int fd)');
/** `int ftruncate(int fd, off_t length)`. */
export const ftruncate = libc.func('int ftruncate64(int fd, int64_t length)');
/** `int fdatasync(int fd)`. */
export const fdatasync = libc.func('int fdatasync(int fd)');
/** `int posix_fadvise(int fd, off_t offset, off_t len, int advice)`: returns the error number, not -1. */
export const posixFadvise = libc.func(
  'int posix_fadvise64(int fd, int64_t offset, int64_t len, int advice)',
);
/** `int fallocate(int fd, int mode, off_t offset, off_t len)`. */
export const fallocate = libc.func(
  'int fallocate64(int fd, int mode, int64_t offset, int64_t len)',
);
/** `int ioctl(int fd, unsigned long request, void *arg)` (the pointer-argument form). */
export const ioctlPtr = libc.func('int ioctl(int fd, unsigned long request, void *arg)');
