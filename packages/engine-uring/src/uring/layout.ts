/**
 * Byte layouts of the structures JavaScript reads and writes in shared or
 * native memory. Each is typed from the kernel headers and checked by
 * `test/layout.test.ts` with the C compiler (`structLayout`), so the offsets
 * here are facts, not guesses. Names follow the C fields. Generic Linux
 * structs (iovec, statx, msghdr) come from `@binio/engine-posix/linux`.
 */

/** `struct io_uring_sqe` (64 bytes; unions named by their first member). */
export const SQE = {
  size: 64,
  opcode: 0,
  flags: 1,
  ioprio: 2,
  fd: 4,
  /** `off` / `addr2` / `cmd_op`. */
  off: 8,
  /** `addr` / `splice_off_in`. */
  addr: 16,
  len: 24,
  /** The per-op flags union (`rw_flags`, `timeout_flags`, `open_flags`, …). */
  opFlags: 28,
  userData: 32,
  /** `buf_index` / `buf_group`. */
  bufIndex: 40,
  personality: 42,
  /** `splice_fd_in` / `file_index` / `addr_len`. */
  spliceFdIn: 44,
  addr3: 48,
} as const;

/** `struct io_uring_cqe` (16 bytes without CQE32). */
export const CQE = { size: 16, userData: 0, res: 8, flags: 12 } as const;

/** `struct io_sqring_offsets`, as found inside `io_uring_params` at {@link PARAMS.sqOff}. */
export const SQ_OFF = {
  size: 40,
  head: 0,
  tail: 4,
  ringMask: 8,
  ringEntries: 12,
  flags: 16,
  dropped: 20,
  array: 24,
} as const;

/** `struct io_cqring_offsets`, inside `io_uring_params` at {@link PARAMS.cqOff}. */
export const CQ_OFF = {
  size: 40,
  head: 0,
  tail: 4,
  ringMask: 8,
  ringEntries: 12,
  overflow: 16,
  cqes: 20,
  flags: 24,
} as const;

/** `struct io_uring_params` (120 bytes). */
export const PARAMS = {
  size: 120,
  sqEntries: 0,
  cqEntries: 4,
  flags: 8,
  sqThreadCpu: 12,
  sqThreadIdle: 16,
  features: 20,
  wqFd: 24,
  sqOff: 40,
  cqOff: 80,
} as const;

/** `struct io_uring_probe` header (16 bytes), followed by `ops[]`. */
export const PROBE = { size: 16, lastOp: 0, opsLen: 1, ops: 16 } as const;

/** `struct io_uring_probe_op` (8 bytes). */
export const PROBE_OP = { size: 8, op: 0, flags: 2 } as const;

/** `struct io_uring_restriction` (16 bytes). */
export const RESTRICTION = { size: 16, opcode: 0, arg: 2 } as const;

/** `struct io_uring_buf` (16 bytes): one entry of a provided-buffer ring. */
export const BUF = { size: 16, addr: 0, len: 8, bid: 12 } as const;

/** The tail of a provided-buffer ring overlays the first entry's `resv` (offset 14). */
export const BUF_RING_TAIL = 14;

/** `struct io_uring_buf_reg` (40 bytes). */
export const BUF_REG = { size: 40, ringAddr: 0, ringEntries: 8, bgid: 12 } as const;

/** `struct io_uring_rsrc_register` (32 bytes). */
export const RSRC_REGISTER = { size: 32, nr: 0, flags: 4, data: 16, tags: 24 } as const;

/** `struct io_uring_rsrc_update` (16 bytes): `IORING_REGISTER_RING_FDS`'s argument. */
export const RSRC_UPDATE = { size: 16, offset: 0, data: 8 } as const;

/** `struct io_uring_rsrc_update2` (32 bytes). */
export const RSRC_UPDATE2 = { size: 32, offset: 0, data: 8, tags: 16, nr: 24 } as const;

/** `struct io_uring_recvmsg_out` (16 bytes). */
export const RECVMSG_OUT = {
  size: 16,
  namelen: 0,
  controllen: 4,
  payloadlen: 8,
  flags: 12,
} as const;

/** `struct __kernel_timespec` (16 bytes). */
export const TIMESPEC = { size: 16, sec: 0, nsec: 8 } as const;
