import { koffi, libc } from '@binio/engine-posix/linux';

/*
 * The libc functions this engine calls. Every pointer travels as a plain
 * number (an address binio computed once and cached, see memory.ts), so a
 * call costs koffi's fixed overhead and no marshalling.
 * They are declared on binio's one libc handle (from the posix engine's
 * Linux layer), with prototypes taking raw addresses where engine-posix's
 * take buffers.
 */

// syscall(2) is variadic in C; binding it with fixed integer parameters is
// sound on Linux x86_64 and arm64, whose calling conventions pass variadic
// integer arguments exactly like fixed ones, and avoids koffi's slower
// per-call type parsing of variadic calls.
const syscall6 = libc.func('long syscall(long nr, long a, long b, long c, long d, long e, long f)');

/** Linux system call numbers (the same on every architecture for io_uring). */
export const SYS_io_uring_setup = 425;
/** See {@link SYS_io_uring_setup}. */
export const SYS_io_uring_enter = 426;
/** See {@link SYS_io_uring_setup}. */
export const SYS_io_uring_register = 427;

/** `io_uring_setup(entries, params)`: the ring's descriptor, or -1 (see {@link errno}). */
export function ioUringSetup(entries: number, paramsAddr: number): number {
  return syscall6(SYS_io_uring_setup, entries, paramsAddr, 0, 0, 0, 0) as number;
}

/** `io_uring_enter(fd, toSubmit, minComplete, flags, arg, argSize)`: submitted count, or -1. */
export function ioUringEnter(
  fd: number,
  toSubmit: number,
  minComplete: number,
  flags: number,
  argAddr: number,
  argSize: number,
): number {
  return syscall6(SYS_io_uring_enter, fd, toSubmit, minComplete, flags, argAddr, argSize) as number;
}

/** `io_uring_register(fd, opcode, arg, nrArgs)`: a result ≥ 0, or -1. */
export function ioUringRegister(
  fd: number,
  opcode: number,
  argAddr: number,
  nrArgs: number,
): number {
  return syscall6(SYS_io_uring_register, fd, opcode, argAddr, nrArgs, 0, 0) as number;
}

/** `mmap`: the address, or -1. */
export const mmap = libc.func(
  'intptr_t mmap(uintptr_t addr, size_t len, int prot, int flags, int fd, int64_t off)',
) as (addr: number, len: number, prot: number, flags: number, fd: number, off: number) => number;

/** `munmap`: 0 or -1. */
export const munmap = libc.func('int munmap(uintptr_t addr, size_t len)') as (
  addr: number,
  len: number,
) => number;

/** `eventfd(initval, flags)`: a descriptor or -1. */
export const eventfd = libc.func('int eventfd(unsigned int initval, int flags)') as (
  init: number,
  flags: number,
) => number;

/** `read(fd, buf, n)` into native memory at `buf`. */
export const readRaw = libc.func('long read(int fd, uintptr_t buf, size_t n)') as (
  fd: number,
  buf: number,
  n: number,
) => number;

// koffi may hand int64_t back as a BigInt; positions stay below 2^53.
const lseek64 = libc.func('int64_t lseek(int fd, int64_t offset, int whence)');

/** `lseek(fd, offset, whence)`: the new position, or -1. */
export function lseek(fd: number, off: number, whence: number): number {
  return Number(lseek64(fd, off, whence));
}

/** `setsockopt(fd, level, name, value, len)` with `value` a native address. */
export const setsockopt = libc.func(
  'int setsockopt(int fd, int level, int name, uintptr_t value, uint32_t len)',
) as (fd: number, level: number, name: number, value: number, len: number) => number;

/** `close(fd)`: 0 or -1. */
export const close = libc.func('int close(int fd)') as (fd: number) => number;

/** The errno of the last failed call on this thread. */
export function errno(): number {
  return koffi.errno();
}

/** The address of an ArrayBuffer's memory (one native call; cache it). */
export function bufferAddress(buffer: ArrayBufferLike): number {
  return Number(koffi.address(buffer));
}

/** An ArrayBuffer over native memory at `addr` (no copy; the memory must outlive every view). */
export function viewNative(addr: number, length: number): ArrayBuffer {
  return koffi.view(addr, length);
}

/** `pipe2(fds, flags)`: writes the read and write ends (two ints) at `fds`; 0 or -1. */
export const pipe2 = libc.func('int pipe2(uintptr_t fds, int flags)') as (
  fds: number,
  flags: number,
) => number;

// Plain calls for what an IOPOLL ring refuses (it takes only reads and
// writes): opening, statx, fsync, fallocate and fadvise. openat is variadic
// in C; its optional mode is passed as a fixed integer (sound on Linux
// x86_64 and arm64, see syscall above).

/** `openat(dirfd, path, flags, mode)` with `path` a NUL-terminated string at a native address: a descriptor or -1. */
export const openatRaw = libc.func(
  'int openat(int dirfd, uintptr_t path, int flags, unsigned int mode)',
) as (dirfd: number, path: number, flags: number, mode: number) => number;

/** `statx(dirfd, path, flags, mask, buf)` with native addresses: 0 or -1. */
export const statxRaw = libc.func(
  'int statx(int dirfd, uintptr_t path, int flags, unsigned int mask, uintptr_t buf)',
) as (dirfd: number, path: number, flags: number, mask: number, buf: number) => number;

/** `fsync(fd)`: 0 or -1. */
export const fsync = libc.func('int fsync(int fd)') as (fd: number) => number;

/** `fdatasync(fd)`: 0 or -1. */
export const fdatasync = libc.func('int fdatasync(int fd)') as (fd: number) => number;

/** `fallocate(fd, mode, offset, len)`: 0 or -1. */
export const fallocate = libc.func(
  'int fallocate(int fd, int mode, int64_t offset, int64_t len)',
) as (fd: number, mode: number, offset: number, len: number) => number;

/** `posix_fadvise(fd, offset, len, advice)`: 0 or an errno value (not -1). */
export const posixFadvise = libc.func(
  'int posix_fadvise(int fd, int64_t offset, int64_t len, int advice)',
) as (fd: number, offset: number, len: number, advice: number) => number;
