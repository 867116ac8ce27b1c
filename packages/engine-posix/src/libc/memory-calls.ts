import { libc } from './lib.js';

/**
 * libc memory functions: aligned allocation for `O_DIRECT` buffers, file
 * mappings for the mapped reader, and `memcpy` for copying out of a mapping
 * on the thread pool. Pointers are BigInts (koffi 3).
 */

/** `int posix_memalign(void **out, size_t alignment, size_t size)`: returns the error number. */
export const posixMemalign = libc.func(
  'int posix_memalign(_Out_ void **out, size_t alignment, size_t size)',
);
/** `void free(void *ptr)`. */
export const free = libc.func('void free(void *ptr)');
/** `void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset)`. */
export const mmap = libc.func(
  'void *mmap64(void *addr, size_t len, int prot, int flags, int fd, int64_t offset)',
);
/** `int munmap(void *addr, size_t len)`. */
export const munmap = libc.func('int munmap(void *addr, size_t len)');
/** `int madvise(void *addr, size_t len, int advice)`. */
export const madvise = libc.func('int madvise(void *addr, size_t len, int advice)');
/** `void *memcpy(void *dst, const void *src, size_t n)`, with the source as a raw address. */
export const memcpyFrom = libc.func('void *memcpy(void *dst, void *src, size_t n)');

/** `mmap`'s failure value, `(void *)-1`, as koffi returns it. */
export const MAP_FAILED = 0xffffffffffffffffn;
