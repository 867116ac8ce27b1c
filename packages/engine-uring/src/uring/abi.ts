/**
 * The io_uring ABI constants binio uses, typed from <linux/io_uring.h>.
 * `test/abi.test.ts` checks every value against the system header, so a
 * number here is never trusted on its own. Newer kernels add more; the
 * engine learns which opcodes the running kernel supports by probing.
 */

/** `enum io_uring_op`: the opcodes binio prepares. */
export const Op = {
  NOP: 0,
  READV: 1,
  WRITEV: 2,
  FSYNC: 3,
  READ_FIXED: 4,
  WRITE_FIXED: 5,
  POLL_ADD: 6,
  POLL_REMOVE: 7,
  SYNC_FILE_RANGE: 8,
  SENDMSG: 9,
  RECVMSG: 10,
  TIMEOUT: 11,
  TIMEOUT_REMOVE: 12,
  ACCEPT: 13,
  ASYNC_CANCEL: 14,
  LINK_TIMEOUT: 15,
  CONNECT: 16,
  FALLOCATE: 17,
  OPENAT: 18,
  CLOSE: 19,
  FILES_UPDATE: 20,
  STATX: 21,
  READ: 22,
  WRITE: 23,
  FADVISE: 24,
  MADVISE: 25,
  SEND: 26,
  RECV: 27,
  OPENAT2: 28,
  EPOLL_CTL: 29,
  SPLICE: 30,
  PROVIDE_BUFFERS: 31,
  REMOVE_BUFFERS: 32,
  TEE: 33,
  SHUTDOWN: 34,
  RENAMEAT: 35,
  UNLINKAT: 36,
  MKDIRAT: 37,
  SYMLINKAT: 38,
  LINKAT: 39,
  MSG_RING: 40,
  FSETXATTR: 41,
  SETXATTR: 42,
  FGETXATTR: 43,
  GETXATTR: 44,
  SOCKET: 45,
  URING_CMD: 46,
  SEND_ZC: 47,
  SENDMSG_ZC: 48,
} as const;

/** An opcode name. */
export type OpName = keyof typeof Op;

/** Opcode number → name, for error messages. */
export const OP_NAMES: readonly string[] = (() => {
  const names: string[] = [];
  for (const [name, n] of Object.entries(Op)) names[n] = name;
  return names;
})();

/** `sqe->flags` (IOSQE_*). */
export const SqeFlag = {
  FIXED_FILE: 1 << 0,
  IO_DRAIN: 1 << 1,
  IO_LINK: 1 << 2,
  IO_HARDLINK: 1 << 3,
  ASYNC: 1 << 4,
  BUFFER_SELECT: 1 << 5,
  CQE_SKIP_SUCCESS: 1 << 6,
} as const;

/** `io_uring_params.flags` (IORING_SETUP_*). */
export const Setup = {
  IOPOLL: 1 << 0,
  SQPOLL: 1 << 1,
  SQ_AFF: 1 << 2,
  CQSIZE: 1 << 3,
  CLAMP: 1 << 4,
  ATTACH_WQ: 1 << 5,
  R_DISABLED: 1 << 6,
  SUBMIT_ALL: 1 << 7,
  COOP_TASKRUN: 1 << 8,
  TASKRUN_FLAG: 1 << 9,
  SQE128: 1 << 10,
  CQE32: 1 << 11,
  SINGLE_ISSUER: 1 << 12,
  DEFER_TASKRUN: 1 << 13,
} as const;

/** `io_uring_params.features` (IORING_FEAT_*). */
export const Feature = {
  SINGLE_MMAP: 1 << 0,
  NODROP: 1 << 1,
  SUBMIT_STABLE: 1 << 2,
  RW_CUR_POS: 1 << 3,
  CUR_PERSONALITY: 1 << 4,
  FAST_POLL: 1 << 5,
  POLL_32BITS: 1 << 6,
  SQPOLL_NONFIXED: 1 << 7,
  EXT_ARG: 1 << 8,
  NATIVE_WORKERS: 1 << 9,
  RSRC_TAGS: 1 << 10,
  CQE_SKIP: 1 << 11,
  LINKED_FILE: 1 << 12,
} as const;

/** `io_uring_enter` flags (IORING_ENTER_*). */
export const Enter = {
  GETEVENTS: 1 << 0,
  SQ_WAKEUP: 1 << 1,
  SQ_WAIT: 1 << 2,
  EXT_ARG: 1 << 3,
  REGISTERED_RING: 1 << 4,
} as const;

/** `sq_ring->flags` (IORING_SQ_*). */
export const SqFlag = {
  NEED_WAKEUP: 1 << 0,
  CQ_OVERFLOW: 1 << 1,
  TASKRUN: 1 << 2,
} as const;

/** `cq_ring->flags` (IORING_CQ_*). */
export const CqFlag = {
  EVENTFD_DISABLED: 1 << 0,
} as const;

/** `cqe->flags` (IORING_CQE_F_*). */
export const CqeFlag = {
  BUFFER: 1 << 0,
  MORE: 1 << 1,
  SOCK_NONEMPTY: 1 << 2,
  NOTIF: 1 << 3,
} as const;

/** `IORING_CQE_BUFFER_SHIFT`: a provided buffer's id sits in the upper 16 bits of `cqe->flags`. */
export const CQE_BUFFER_SHIFT = 16;

/** `io_uring_register` opcodes (IORING_REGISTER_*). */
export const Register = {
  BUFFERS: 0,
  UNREGISTER_BUFFERS: 1,
  FILES: 2,
  UNREGISTER_FILES: 3,
  EVENTFD: 4,
  UNREGISTER_EVENTFD: 5,
  FILES_UPDATE: 6,
  EVENTFD_ASYNC: 7,
  PROBE: 8,
  PERSONALITY: 9,
  UNREGISTER_PERSONALITY: 10,
  RESTRICTIONS: 11,
  ENABLE_RINGS: 12,
  FILES2: 13,
  FILES_UPDATE2: 14,
  BUFFERS2: 15,
  BUFFERS_UPDATE: 16,
  IOWQ_AFF: 17,
  UNREGISTER_IOWQ_AFF: 18,
  IOWQ_MAX_WORKERS: 19,
  RING_FDS: 20,
  UNREGISTER_RING_FDS: 21,
  PBUF_RING: 22,
  UNREGISTER_PBUF_RING: 23,
  SYNC_CANCEL: 24,
  FILE_ALLOC_RANGE: 25,
} as const;

/** `io_uring_restriction.opcode` (IORING_RESTRICTION_*). */
export const Restriction = {
  REGISTER_OP: 0,
  SQE_OP: 1,
  SQE_FLAGS_ALLOWED: 2,
  SQE_FLAGS_REQUIRED: 3,
} as const;

/** `io_uring_probe_op.flags`: `IO_URING_OP_SUPPORTED`. */
export const IO_URING_OP_SUPPORTED = 1;

/** `sqe->timeout_flags` (IORING_TIMEOUT_*). */
export const TimeoutFlag = {
  ABS: 1 << 0,
  UPDATE: 1 << 1,
  BOOTTIME: 1 << 2,
  REALTIME: 1 << 3,
  LINK_TIMEOUT_UPDATE: 1 << 4,
  ETIME_SUCCESS: 1 << 5,
} as const;

/** `sqe->cancel_flags` (IORING_ASYNC_CANCEL_*). */
export const CancelFlag = {
  ALL: 1 << 0,
  FD: 1 << 1,
  ANY: 1 << 2,
  FD_FIXED: 1 << 3,
  USERDATA: 1 << 4,
  OP: 1 << 5,
} as const;

/** `sqe->fsync_flags`: `IORING_FSYNC_DATASYNC`. */
export const FSYNC_DATASYNC = 1;

/** Send/recv flags kept in `sqe->ioprio` (IORING_RECVSEND_*, IORING_RECV_MULTISHOT). */
export const RecvSendFlag = {
  POLL_FIRST: 1 << 0,
  RECV_MULTISHOT: 1 << 1,
  FIXED_BUF: 1 << 2,
  SEND_ZC_REPORT_USAGE: 1 << 3,
} as const;

/** `IORING_ACCEPT_MULTISHOT` (in `sqe->ioprio`). */
export const ACCEPT_MULTISHOT = 1;

/** `IORING_FILE_INDEX_ALLOC`: let the kernel pick a direct descriptor slot. */
export const FILE_INDEX_ALLOC = 0xffffffff;

/** `IORING_REGISTER_FILES_SKIP`: leave this slot unchanged in a files update. */
export const REGISTER_FILES_SKIP = -2;

/** `IORING_NOTIF_USAGE_ZC_COPIED`: a SEND_ZC notification saying the data was copied. */
export const NOTIF_USAGE_ZC_COPIED = 0x80000000;

/** mmap offsets of the ring regions (IORING_OFF_*). */
export const MmapOffset = {
  SQ_RING: 0,
  CQ_RING: 0x8000000,
  SQES: 0x10000000,
} as const;
