/**
 * Linux x86_64 constants for file IO: open flags, seek, fadvise, fallocate,
 * preadv2/pwritev2 flags, statx masks, file types, mmap and block-device
 * ioctls. Typed by hand from the headers; `test/file-constants.test.ts`
 * checks every value against them with `@binio/testkit`'s `constants`.
 * This is the one copy: other Linux engines import it from
 * `@binio/engine-posix/linux`.
 */

/** `open(2)` flags (`<fcntl.h>`). `O_LARGEFILE` is 0 on 64-bit userspace. */
export const O = {
  O_RDONLY: 0,
  O_WRONLY: 0o1,
  O_RDWR: 0o2,
  O_ACCMODE: 0o3,
  O_CREAT: 0o100,
  O_EXCL: 0o200,
  O_NOCTTY: 0o400,
  O_TRUNC: 0o1000,
  O_APPEND: 0o2000,
  O_NONBLOCK: 0o4000,
  O_DSYNC: 0o10000,
  O_DIRECT: 0o40000,
  O_LARGEFILE: 0,
  O_DIRECTORY: 0o200000,
  O_NOFOLLOW: 0o400000,
  O_NOATIME: 0o1000000,
  O_CLOEXEC: 0o2000000,
  O_SYNC: 0o4010000,
  O_PATH: 0o10000000,
  O_TMPFILE: 0o20200000,
} as const;

/** `*at()` directory and flag values (`<fcntl.h>`). */
export const AT = {
  AT_FDCWD: -100,
  AT_SYMLINK_NOFOLLOW: 0x100,
  AT_REMOVEDIR: 0x200,
  AT_SYMLINK_FOLLOW: 0x400,
  AT_NO_AUTOMOUNT: 0x800,
  AT_EMPTY_PATH: 0x1000,
} as const;

/** `lseek(2)` whence values (`<unistd.h>`). */
export const SEEK = {
  SEEK_SET: 0,
  SEEK_CUR: 1,
  SEEK_END: 2,
  SEEK_DATA: 3,
  SEEK_HOLE: 4,
} as const;

/** `posix_fadvise(2)` advice (`<fcntl.h>`). */
export const FADV = {
  POSIX_FADV_NORMAL: 0,
  POSIX_FADV_RANDOM: 1,
  POSIX_FADV_SEQUENTIAL: 2,
  POSIX_FADV_WILLNEED: 3,
  POSIX_FADV_DONTNEED: 4,
  POSIX_FADV_NOREUSE: 5,
} as const;

/** `fallocate(2)` modes (`<linux/falloc.h>`). */
export const FALLOC = {
  FALLOC_FL_KEEP_SIZE: 0x01,
  FALLOC_FL_PUNCH_HOLE: 0x02,
  FALLOC_FL_NO_HIDE_STALE: 0x04,
  FALLOC_FL_COLLAPSE_RANGE: 0x08,
  FALLOC_FL_ZERO_RANGE: 0x10,
  FALLOC_FL_INSERT_RANGE: 0x20,
  FALLOC_FL_UNSHARE_RANGE: 0x40,
} as const;

/** `preadv2(2)`/`pwritev2(2)` flags (`<linux/fs.h>`). */
export const RWF = {
  RWF_HIPRI: 0x01,
  RWF_DSYNC: 0x02,
  RWF_SYNC: 0x04,
  RWF_NOWAIT: 0x08,
  RWF_APPEND: 0x10,
} as const;

/** `splice(2)`/`tee(2)` flags (`<fcntl.h>`). */
export const SPLICE_F = {
  SPLICE_F_MOVE: 1,
  SPLICE_F_NONBLOCK: 2,
  SPLICE_F_MORE: 4,
  SPLICE_F_GIFT: 8,
} as const;

/** `statx(2)` request masks (`<linux/stat.h>`). */
export const STATX = {
  STATX_TYPE: 0x1,
  STATX_MODE: 0x2,
  STATX_NLINK: 0x4,
  STATX_UID: 0x8,
  STATX_GID: 0x10,
  STATX_ATIME: 0x20,
  STATX_MTIME: 0x40,
  STATX_CTIME: 0x80,
  STATX_INO: 0x100,
  STATX_SIZE: 0x200,
  STATX_BLOCKS: 0x400,
  STATX_BASIC_STATS: 0x7ff,
  STATX_BTIME: 0x800,
  STATX_MNT_ID: 0x1000,
  STATX_DIOALIGN: 0x2000,
} as const;

/** File type bits of `st_mode` (`<sys/stat.h>`). */
export const S_IF = {
  S_IFMT: 0o170000,
  S_IFSOCK: 0o140000,
  S_IFLNK: 0o120000,
  S_IFREG: 0o100000,
  S_IFBLK: 0o060000,
  S_IFDIR: 0o040000,
  S_IFCHR: 0o020000,
  S_IFIFO: 0o010000,
} as const;

/** `mmap(2)`/`madvise(2)` values (`<sys/mman.h>`). */
export const MMAN = {
  PROT_NONE: 0,
  PROT_READ: 0x1,
  PROT_WRITE: 0x2,
  MAP_SHARED: 0x01,
  MAP_PRIVATE: 0x02,
  MAP_FIXED: 0x10,
  MAP_ANONYMOUS: 0x20,
  MAP_NORESERVE: 0x4000,
  MAP_POPULATE: 0x8000,
  MADV_NORMAL: 0,
  MADV_RANDOM: 1,
  MADV_SEQUENTIAL: 2,
  MADV_WILLNEED: 3,
  MADV_DONTNEED: 4,
} as const;

/** Block-device ioctls (`<linux/fs.h>`). */
export const BLK = {
  /** Logical block size, `int`. */
  BLKSSZGET: 0x1268,
  /** Physical block size, `unsigned int`. */
  BLKPBSZGET: 0x127b,
  /** Device size in bytes, `u64`. */
  BLKGETSIZE64: 0x80081272,
} as const;

/** Most iovec entries one `readv`/`writev` takes (`IOV_MAX`, `<limits.h>`). */
export const IOV_MAX = 1024;

/**
 * Largest count one `read`/`write` transfers (`MAX_RW_COUNT`: `INT_MAX`
 * rounded down to a 4 KiB page); larger requests come back short.
 */
export const MAX_RW_COUNT = 0x7ffff000;
