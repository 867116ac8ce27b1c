import {
  BufferList,
  type ByteSource,
  checkOffset,
  invalidArg,
  lendSource,
  lendTarget,
  type OpOptions,
  OutputBuffer,
  type PooledBuffer,
  READ_OPTION_KEYS,
  type ReadOptions,
  settleSource,
  settleTarget,
  WRITE_OPTION_KEYS,
  type WriteOptions,
} from '@binio/core';
import {
  close,
  fallocate,
  fdatasync,
  fsync,
  ftruncate,
  posixFadvise,
  pread,
  read,
} from '../libc/file-calls.js';
import { lastErrno } from '../libc/lib.js';
import { E } from '../linux/errno.js';
import { FADV, FALLOC } from '../linux/file-constants.js';
import type { StatxInfo } from '../linux/file-layouts.js';
import { FileBase } from './base.js';
import { noProgressError, syscallError, unsupportedError } from './errors.js';
import { buildIovecs, SCRATCH_IOVECS } from './iovec.js';
import {
  checkByteCount,
  checkKeys,
  ioOptions,
  maxBytesOption,
  offsetAndMaxOnly,
} from './options.js';
import { type RwfReadOptions, type RwfWriteOptions, rwfFlags, VECTOR_OPTION_KEYS } from './rwf.js';
import { sizeOf, statxSync } from './stat.js';
import {
  plainRetrying,
  readAfterFailure,
  readRetrying,
  vectorRetrying,
  writeRetrying,
} from './sync-io.js';
import type { PosixFile } from './types.js';

/** Keys of `OpOptions`. */
export const OP_OPTION_KEYS = ['retryOnInterrupt', 'signal'] as const;

/**
 * A file of the sync engine: every operation is one or more direct
 * syscalls through koffi on the JS thread and returns its result.
 *
 * `readInto` is the hot path and is kept to the bare call plus cheap
 * checks: options parsed into a scratch object, no closure, no spread, and
 * the buffer's own array passed when the read starts at its beginning
 * (core's `lendTarget` would cut a subarray on every call). Ownership is
 * core's: `lend()` before the syscall, `settleTarget` after, also on error.
 */
export class SyncFile extends FileBase implements PosixFile<'sync'> {
  /** Always `'sync'`. */
  get mode(): 'sync' {
    return 'sync';
  }

  /** One `read`/`pread` into `out`'s free space (one `preadv2` with `flags`). */
  readInto(out: OutputBuffer, options?: RwfReadOptions): number {
    // The hot path (measured in scripts/bench-pread.ts): no options, or an
    // offset and a maxBytes, an open readable file without O_DIRECT, an
    // empty buffer.
    // It is kept small so V8 inlines it into the caller's loop and can drop
    // the `{ offset }` literal; every other case takes the general path,
    // which applies the same rules.
    if (options !== undefined && !offsetAndMaxOnly(options))
      return this.#readIntoGeneral(out, options);
    let offset = -1;
    let max = Number.POSITIVE_INFINITY;
    if (options !== undefined) {
      const at = options.offset;
      if (at !== undefined) offset = checkOffset(at)!;
      const most = options.maxBytes;
      if (most !== undefined) max = maxBytesOption(most);
    }
    const fd = this._fd;
    if (
      fd < 0 ||
      !this._readable ||
      this.directAlignment !== undefined ||
      !(out instanceof OutputBuffer) ||
      out._count !== 0
    ) {
      return this.#readIntoGeneral(out, options);
    }
    const bytes = out._bytes;
    const len = Math.min(bytes.byteLength, max);
    if (len === 0) return this.#readIntoGeneral(out, options);
    out.lend();
    // The first attempt inline and outside any try block: koffi cannot throw
    // for these argument types, and only the failure path must settle first.
    const n: number = offset < 0 ? read(fd, bytes, len) : pread(fd, bytes, len, offset);
    if (n < 0) return this.#readFailed(out, fd, bytes, len, offset, Number.POSITIVE_INFINITY);
    settleTarget(out, n);
    return n;
  }

  #readFailed(
    out: OutputBuffer,
    fd: number,
    view: Uint8Array,
    len: number,
    offset: number,
    retries: number,
  ): number {
    let n: number;
    try {
      n = readAfterFailure(lastErrno(), fd, view, len, offset, retries, this.path);
    } catch (e) {
      settleTarget(out, 0);
      throw e;
    }
    settleTarget(out, n);
    return n;
  }

  #readIntoGeneral(out: OutputBuffer, options: RwfReadOptions | undefined): number {
    if (options?.flags !== undefined) return this.#flaggedRead(out, options);
    const o = ioOptions(options, READ_OPTION_KEYS, 'read');
    return this.#readInto(out, o.offset, o.max, o.retries);
  }

  #readInto(out: OutputBuffer, offset: number, max: number, retries: number): number {
    const fd = this._fd;
    if (fd < 0 || !this._readable) this._use('read', 'reading');
    if (!(out instanceof OutputBuffer)) lendTarget(out);
    const bytes = out._bytes;
    const count = out._count;
    let len = bytes.byteLength - count;
    if (len > max) len = max;
    if (len === 0) {
      out.assertOwned('read into');
      return 0;
    }
    if (this.directAlignment !== undefined) this._checkDirectTarget(out, count, len, offset);
    out.lend();
    let n = 0;
    try {
      n = readRetrying(
        fd,
        count === 0 ? bytes : bytes.subarray(count),
        len,
        offset,
        retries,
        this.path,
      );
    } finally {
      settleTarget(out, n);
    }
    return n;
  }

  readFilling(out: OutputBuffer, options?: ReadOptions): number {
    const o = ioOptions(options, READ_OPTION_KEYS, 'read');
    const offset = o.offset;
    const max = o.max;
    const retries = o.retries;
    const fd = this._use('read', 'reading');
    if (!(out instanceof OutputBuffer)) lendTarget(out);
    const bytes = out._bytes;
    const base = out._count;
    let want = bytes.byteLength - base;
    if (want > max) want = max;
    if (want === 0) {
      out.assertOwned('read into');
      return 0;
    }
    const direct = this.directAlignment !== undefined;
    if (direct) this._checkDirectTarget(out, base, want, offset);
    out.lend();
    let got = 0;
    try {
      while (got < want) {
        const at = base + got;
        const where = offset < 0 ? -1 : offset + got;
        if (direct && got > 0) this._checkDirect(bytes, at, want - got, where, 'read');
        const n = readRetrying(
          fd,
          at === 0 ? bytes : bytes.subarray(at),
          want - got,
          where,
          retries,
          this.path,
        );
        if (n === 0) break;
        got += n;
      }
    } finally {
      settleTarget(out, got);
    }
    return got;
  }

  /** One `write`/`pwrite` of `data` (one `pwritev2` with `flags`); may be partial. */
  write(data: ByteSource, options?: RwfWriteOptions): number {
    if (options?.flags !== undefined) return this.#flaggedWrite(data, options);
    const o = ioOptions(options, WRITE_OPTION_KEYS, 'write');
    const offset = o.offset;
    const max = o.max;
    const retries = o.retries;
    const fd = this._fd;
    if (fd < 0 || !this._writable) this._use('write', 'writing');
    if (offset >= 0 && this._append) throw appendOffset(this.path);
    const bytes = lendSource(data);
    let n = 0;
    try {
      let len = bytes.byteLength;
      if (len > max) len = max;
      if (len > 0) {
        if (this.directAlignment !== undefined) this._checkDirect(bytes, 0, len, offset, 'write');
        n = writeRetrying(fd, bytes, len, offset, retries, this.path);
      }
    } finally {
      settleSource(data, n);
    }
    return n;
  }

  writeAll(data: ByteSource, options?: WriteOptions): void {
    const o = ioOptions(options, WRITE_OPTION_KEYS, 'write');
    this.#writeAll(data, o.offset, o.max, o.retries);
  }

  writeBuffer(data: ByteSource, options?: OpOptions): void {
    const o = ioOptions(options, OP_OPTION_KEYS, 'write');
    this.#writeAll(data, -1, Number.POSITIVE_INFINITY, o.retries);
  }

  writeAtOffset(data: ByteSource, offset: number, options?: OpOptions): void {
    const at = requiredOffset(offset);
    const o = ioOptions(options, OP_OPTION_KEYS, 'write');
    this.#writeAll(data, at, Number.POSITIVE_INFINITY, o.retries);
  }

  #writeAll(data: ByteSource, offset: number, max: number, retries: number): void {
    const fd = this._use('write', 'writing');
    if (offset >= 0 && this._append) throw appendOffset(this.path);
    const bytes = lendSource(data);
    const direct = this.directAlignment !== undefined;
    let done = 0;
    try {
      let len = bytes.byteLength;
      if (len > max) len = max;
      while (done < len) {
        const where = offset < 0 ? -1 : offset + done;
        if (direct) this._checkDirect(bytes, done, len - done, where, 'write');
        const n = writeRetrying(
          fd,
          done === 0 ? bytes : bytes.subarray(done),
          len - done,
          where,
          retries,
          this.path,
        );
        if (n === 0) throw noProgressError(offset < 0 ? 'write' : 'pwrite', this.path);
        done += n;
      }
    } finally {
      settleSource(data, done);
    }
  }

  read(options?: ReadOptions): OutputBuffer {
    const o = ioOptions(options, READ_OPTION_KEYS, 'read');
    return this.#owned(o.offset, o.max, o.retries);
  }

  readAtOffset(offset: number, options?: OpOptions): OutputBuffer {
    const at = requiredOffset(offset);
    const o = ioOptions(options, OP_OPTION_KEYS, 'read');
    return this.#owned(at, Number.POSITIVE_INFINITY, o.retries);
  }

  #owned(offset: number, max: number, retries: number): PooledBuffer {
    this._use('read', 'reading');
    const pool = this._host.pool();
    const buf = pool.getBuffer();
    try {
      this.#readInto(buf, offset, max, retries);
    } catch (e) {
      pool.recycleBuffer(buf);
      throw e;
    }
    return buf;
  }

  /** `preadv2` into the list's buffers; `flags` are per-call `RWF_*` flags (`hipri`, `nowait`). */
  readv(list: BufferList, options?: RwfReadOptions): number {
    return this.#vector(true, list, options);
  }

  /** `pwritev2` from the list's buffers; `flags` are per-call `RWF_*` flags (`hipri`, `nowait`, `dsync`, `sync`, `append`). */
  writev(list: BufferList, options?: RwfWriteOptions): number {
    return this.#vector(false, list, options);
  }

  #vector(
    reading: boolean,
    list: BufferList,
    options: RwfReadOptions | RwfWriteOptions | undefined,
  ): number {
    const op = reading ? 'readv' : 'writev';
    const o = ioOptions(options, VECTOR_OPTION_KEYS, op);
    const flags = rwfFlags(options?.flags, reading);
    const offset = o.offset;
    const max = o.max;
    const retries = o.retries;
    const fd = this._use(op, reading ? 'reading' : 'writing');
    if (!reading && offset >= 0 && this._append) throw appendOffset(this.path);
    if (!(list instanceof BufferList))
      throw invalidArg('ERR_INVALID_ARG_TYPE', `${op} takes a BufferList`);
    list.lend();
    let n = 0;
    try {
      const iov = buildIovecs(list._pending(), max, SCRATCH_IOVECS);
      if (iov.count === 0) return 0;
      if (this.directAlignment !== undefined)
        this.#checkDirectList(list._pending(), iov.count, offset, op);
      n = vectorRetrying(reading, fd, iov, offset, retries, this.path, flags);
    } finally {
      list.settle();
      list._pos += n;
    }
    return n;
  }

  // readInto/write with RWF flags: one preadv2/pwritev2 over the buffer's
  // free space (or the data) through the vectored path, which makes the
  // same checks (offsets, O_APPEND, O_DIRECT, flags) before the call.
  #flaggedRead(out: OutputBuffer, options: RwfReadOptions): number {
    this._use('read', 'reading');
    if (!(out instanceof OutputBuffer)) lendTarget(out);
    const free = out._bytes.subarray(out._count);
    out.lend();
    let n = 0;
    try {
      n = this.#vector(true, new BufferList([free]), options);
    } finally {
      settleTarget(out, n);
    }
    return n;
  }

  #flaggedWrite(data: ByteSource, options: RwfWriteOptions): number {
    this._use('write', 'writing');
    const bytes = lendSource(data);
    let n = 0;
    try {
      n = this.#vector(false, new BufferList([bytes]), options);
    } finally {
      settleSource(data, n);
    }
    return n;
  }

  #checkDirectList(segs: Uint8Array[], count: number, offset: number, op: string): void {
    let at = offset;
    for (let i = 0; i < count; i++) {
      const seg = segs[i]!;
      this._checkDirect(seg, 0, seg.byteLength, at, op);
      if (at >= 0) at += seg.byteLength;
    }
  }

  preferredBlockSize(): number {
    const fd = this._use('preferredBlockSize');
    if (this.directAlignment !== undefined) return this.directAlignment.offset;
    if (this._blockSize === 0) this._blockSize = statxSync(fd, this.path).blockSize;
    return this._blockSize;
  }

  notifyExpectedReadAmount(bytes: number, options?: { offset?: number }): void {
    const count = checkByteCount('bytes', bytes);
    checkKeys(options, ['offset'], 'notifyExpectedReadAmount');
    const offset = checkOffset(options?.offset);
    const fd = this._use('notifyExpectedReadAmount', 'reading');
    // Nothing to prefetch, or no page cache to prefetch into.
    if (count === 0 || this.direct) return;
    const r = posixFadvise(fd, offset ?? this._cursor(), count, FADV.POSIX_FADV_WILLNEED);
    // A hint: pipes and the like (ESPIPE) have nothing to prefetch.
    if (r !== 0 && r !== E.ESPIPE) throw syscallError(r, 'posix_fadvise', this.path, 0);
  }

  notifyExpectedWriteAmount(bytes: number, options?: { offset?: number }): void {
    const count = checkByteCount('bytes', bytes);
    checkKeys(options, ['offset'], 'notifyExpectedWriteAmount');
    const offset = checkOffset(options?.offset);
    const fd = this._use('notifyExpectedWriteAmount', 'writing');
    if (count === 0) return;
    const at = offset ?? (this._append ? this.size() : this._cursor());
    for (;;) {
      if (fallocate(fd, FALLOC.FALLOC_FL_KEEP_SIZE, at, count) === 0) return;
      const errno = lastErrno();
      if (errno === E.EINTR) continue;
      // A hint: a file system that cannot reserve space just does not.
      if (errno === E.EOPNOTSUPP) return;
      throw syscallError(errno, 'fallocate', this.path, 0);
    }
  }

  flush(): void {
    // No user-space buffering: every write already reached the kernel.
    this._use('flush');
  }

  fsync(options?: { dataOnly?: boolean }): void {
    checkKeys(options, ['dataOnly'], 'fsync');
    const dataOnly = options?.dataOnly;
    if (dataOnly !== undefined && typeof dataOnly !== 'boolean') {
      throw invalidArg('ERR_INVALID_ARG_TYPE', 'dataOnly must be a boolean');
    }
    const fd = this._use('fsync');
    if (dataOnly)
      plainRetrying(() => fdatasync(fd), 'fdatasync', Number.POSITIVE_INFINITY, this.path);
    else plainRetrying(() => fsync(fd), 'fsync', Number.POSITIVE_INFINITY, this.path);
  }

  /** Sets the file's size (`ftruncate`): cut to `size` bytes, or extended with zeros. */
  truncate(size: number): void {
    const n = checkByteCount('size', size);
    const fd = this._use('truncate', 'writing');
    plainRetrying(() => ftruncate(fd, n), 'ftruncate', Number.POSITIVE_INFINITY, this.path);
  }

  size(): number {
    const fd = this._use('size');
    return sizeOf(statxSync(fd, this.path), fd, this.path);
  }

  stat(): StatxInfo {
    return statxSync(this._use('stat'), this.path);
  }

  close(): void {
    const fd = this._fd;
    if (fd < 0) return;
    this._fd = -1;
    this._host.forget(this);
    // Linux frees the descriptor even when close fails, so it is never retried;
    // EINTR means nothing was lost, other errors (EIO) may mean lost writes.
    if (close(fd) < 0) {
      const errno = lastErrno();
      if (errno !== E.EINTR) throw syscallError(errno, 'close', this.path, 0);
    }
  }
}

/** An offset argument that must be present. */
export function requiredOffset(offset: unknown): number {
  if (offset === undefined) throw invalidArg('ERR_INVALID_ARG_TYPE', 'offset is required');
  return checkOffset(offset)!;
}

/** The refusal for an absolute-offset write on an append handle. */
export function appendOffset(path: string) {
  return unsupportedError(
    `Cannot write at an offset to '${path}': it was opened for appending, and Linux appends ` +
      'pwrite data regardless of the offset; open it with openWriteOnly or openReadWrite instead',
    path,
  );
}
