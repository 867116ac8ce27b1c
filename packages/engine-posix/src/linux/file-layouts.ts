/**
 * Struct layouts for file IO on Linux x86_64 (`struct statx`, `struct stat`,
 * `struct iovec`) and decoders for them. The sizes and offsets are typed by
 * hand; `test/file-layouts.test.ts` compares each with the system headers
 * through `@binio/testkit`'s `structLayout`, which returns the same shape.
 */

/** Size and field offsets of a C struct, as `structLayout` reports them. */
export interface StructLayout<F extends string = string> {
  /** `sizeof` in bytes. */
  readonly size: number;
  /** `offsetof` of each field. */
  readonly offsets: Readonly<Record<F, number>>;
}

/** `struct iovec` (`<sys/uio.h>`). */
export const IOVEC_LAYOUT: StructLayout<'iov_base' | 'iov_len'> = {
  size: 16,
  offsets: { iov_base: 0, iov_len: 8 },
};

/** `struct stat` (`<sys/stat.h>`, x86_64). */
export const STAT_LAYOUT: StructLayout<
  | 'st_dev'
  | 'st_ino'
  | 'st_nlink'
  | 'st_mode'
  | 'st_uid'
  | 'st_gid'
  | 'st_rdev'
  | 'st_size'
  | 'st_blksize'
  | 'st_blocks'
  | 'st_atim'
  | 'st_mtim'
  | 'st_ctim'
> = {
  size: 144,
  offsets: {
    st_dev: 0,
    st_ino: 8,
    st_nlink: 16,
    st_mode: 24,
    st_uid: 28,
    st_gid: 32,
    st_rdev: 40,
    st_size: 48,
    st_blksize: 56,
    st_blocks: 64,
    st_atim: 72,
    st_mtim: 88,
    st_ctim: 104,
  },
};

/** `struct statx` (`<linux/stat.h>`); each timestamp is `{ i64 tv_sec; u32 tv_nsec; i32 pad }`. */
export const STATX_LAYOUT: StructLayout<
  | 'stx_mask'
  | 'stx_blksize'
  | 'stx_attributes'
  | 'stx_nlink'
  | 'stx_uid'
  | 'stx_gid'
  | 'stx_mode'
  | 'stx_ino'
  | 'stx_size'
  | 'stx_blocks'
  | 'stx_attributes_mask'
  | 'stx_atime'
  | 'stx_btime'
  | 'stx_ctime'
  | 'stx_mtime'
  | 'stx_rdev_major'
  | 'stx_rdev_minor'
  | 'stx_dev_major'
  | 'stx_dev_minor'
  | 'stx_mnt_id'
  | 'stx_dio_mem_align'
  | 'stx_dio_offset_align'
> = {
  size: 256,
  offsets: {
    stx_mask: 0,
    stx_blksize: 4,
    stx_attributes: 8,
    stx_nlink: 16,
    stx_uid: 20,
    stx_gid: 24,
    stx_mode: 28,
    stx_ino: 32,
    stx_size: 40,
    stx_blocks: 48,
    stx_attributes_mask: 56,
    stx_atime: 64,
    stx_btime: 80,
    stx_ctime: 96,
    stx_mtime: 112,
    stx_rdev_major: 128,
    stx_rdev_minor: 132,
    stx_dev_major: 136,
    stx_dev_minor: 140,
    stx_mnt_id: 144,
    stx_dio_mem_align: 152,
    stx_dio_offset_align: 156,
  },
};

/** What `statx` reported, as plain numbers (sizes stay exact up to 2^53). */
export interface StatxInfo {
  /** Which fields the kernel filled (`STATX_*` bits). */
  mask: number;
  /** Preferred IO block size (`st_blksize`). */
  blockSize: number;
  /** Type and permission bits. */
  mode: number;
  /** Hard links. */
  nlink: number;
  /** Owner. */
  uid: number;
  /** Group. */
  gid: number;
  /** Inode number. */
  ino: number;
  /** Size in bytes (0 for block devices; see `BLKGETSIZE64`). */
  size: number;
  /** 512-byte blocks allocated. */
  blocks: number;
  /** Last access, ms since the epoch. */
  atimeMs: number;
  /** Creation, ms since the epoch (0 when the file system does not say). */
  birthtimeMs: number;
  /** Last status change, ms since the epoch. */
  ctimeMs: number;
  /** Last modification, ms since the epoch. */
  mtimeMs: number;
  /** Device number of a device file (`major`, `minor`). */
  rdev: { major: number; minor: number };
  /** Device holding the file. */
  dev: { major: number; minor: number };
  /** Memory alignment `O_DIRECT` needs (0: unknown or unsupported). */
  dioMemAlign: number;
  /** Offset and length alignment `O_DIRECT` needs (0: unknown or unsupported). */
  dioOffsetAlign: number;
}

/** Decodes a `struct statx` at `base` in `bytes`. */
export function decodeStatx(bytes: Uint8Array, base = 0): StatxInfo {
  const v = new DataView(bytes.buffer, bytes.byteOffset + base, STATX_LAYOUT.size);
  const o = STATX_LAYOUT.offsets;
  const u64 = (at: number) => Number(v.getBigUint64(at, true));
  const time = (at: number) =>
    Number(v.getBigInt64(at, true)) * 1000 + v.getUint32(at + 8, true) / 1e6;
  return {
    mask: v.getUint32(o.stx_mask, true),
    blockSize: v.getUint32(o.stx_blksize, true),
    mode: v.getUint16(o.stx_mode, true),
    nlink: v.getUint32(o.stx_nlink, true),
    uid: v.getUint32(o.stx_uid, true),
    gid: v.getUint32(o.stx_gid, true),
    ino: u64(o.stx_ino),
    size: u64(o.stx_size),
    blocks: u64(o.stx_blocks),
    atimeMs: time(o.stx_atime),
    birthtimeMs: time(o.stx_btime),
    ctimeMs: time(o.stx_ctime),
    mtimeMs: time(o.stx_mtime),
    rdev: {
      major: v.getUint32(o.stx_rdev_major, true),
      minor: v.getUint32(o.stx_rdev_minor, true),
    },
    dev: { major: v.getUint32(o.stx_dev_major, true), minor: v.getUint32(o.stx_dev_minor, true) },
    dioMemAlign: v.getUint32(o.stx_dio_mem_align, true),
    dioOffsetAlign: v.getUint32(o.stx_dio_offset_align, true),
  };
}
