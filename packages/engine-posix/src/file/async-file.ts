import {
  abortError,
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
import { close, fallocate, fdatasync, fsync, ftruncate, posixFadvise } from '../libc/file-calls.js';
import { E } from '../linux/errno.js';
import { FADV, FALLOC } from '../linux/file-constants.js';
import type { StatxInfo } from '../linux/file-layouts.js';
import { callAsync } from './async-call.js';
import { type IoDone, plainAsync, readAsync, vectorAsync, writeAsync } from './async-io.js';
import { FileBase } from './base.js';
import { noProgressError, syscallError } from './errors.js';
import { buildIovecs } from './iovec.js';
import { checkByteCount, checkKeys, ioOptions } from './options.js';
import { type RwfReadOptions, type RwfWriteOptions, rwfFlags, VECTOR_OPTION_KEYS } from './rwf.js';
import { sizeOf, statxAsync } from './stat.js';
import { appendOffset, OP_OPTION_KEYS, requiredOffset } from './sync-file.js';
import type { PosixFile } from './types.js';

function step(
  reading: boolean,
  fd: number,
  buf: Uint8Array,
  len: number,
  offset: number,
  retries: number,
  path: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const done: IoDone = (err, n) => (err ? reject(err) : resolve(n));
    if (reading) readAsync(fd, buf, len, offset, retries, path, done);
    else writeAsync(fd, buf, len, offset, retries, path, done);
  });
}

/**
 * A file of the async engine: the same syscalls as the sync one, each run
 * on the libuv thread pool through koffi's async calls (the fair twin of
 * Node's `fs`, which uses the same pool). Bad input is refused by a throw
 * before anything starts, as core's conformance kit expects; failures of
 * the call itself reject.
 *
 * A buffer stays lent (core's ownership) until its call settles, and the
 * descriptor stays open until every call that uses it settled: `close()`
 * marks the handle closed at once but closes the descriptor only then, so
 * a pool thread never reads from a number the kernel already gave to
 * another file. An AbortSignal is honoured before a call starts and between
 * the steps of `readFilling`/`writeAll`; a syscall already on a pool thread
 * runs to completion.
 */
export class AsyncFile extends FileBase implements PosixFile<'async'> {
  #pending = 0;
  #idle: (() => void)[] = [];
  #closing: Promise<void> | undefined;

  /** Always `'async'`. */
  get mode(): 'async' {
    return 'async';
  }

  #begin(): void {
    this.#pending++;
  }

  #end(): void {
    if (--this.#pending === 0 && this.#idle.length > 0) {
      const waiters = this.#idle;
      this.#idle = [];
      for (const w of waiters) w();
    }
  }

  #whenIdle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** One `read`/`pread` into `out`'s free space (one `preadv2` with `flags`). */
  readInto(out: OutputBuffer, options?: RwfReadOptions): Promise<number> {
    if (options?.flags !== undefined) return this.#flaggedRead(out, options);
    const o = ioOptions(options, READ_OPTION_KEYS, 'read');
    const offset = o.offset;
    const max = o.max;
    const retries = o.retries;
    const fd = this._fd;
    if (fd < 0 || !this._readable) this._use('read', 'reading');
    if (!(out instanceof OutputBuffer)) lendTarget(out);
    const bytes = out._bytes;
    const count = out._count;
    let len = bytes.byteLength - count;
    if (len > max) len = max;
    if (len === 0) {
      out.assertOwned('read into');
      return Promise.resolve(0);
    }
    if (this.directAlignment !== undefined) this._checkDirectTarget(out, count, len, offset);
    out.lend();
    this.#begin();
    return new Promise((resolve, reject) => {
      readAsync(
        fd,
        count === 0 ? bytes : bytes.subarray(count),
        len,
        offset,
        retries,
        this.path,
        (err, n) => {
          settleTarget(out, n);
          this.#end();
          if (err) reject(err);
          else resolve(n);
        },
      );
    });
  }

  readFilling(out: OutputBuffer, options?: ReadOptions): Promise<number> {
    const o = ioOptions(options, READ_OPTION_KEYS, 'read');
    const { offset, max, retries, signal } = o;
    const fd = this._use('read', 'reading');
    if (!(out instanceof OutputBuffer)) lendTarget(out);
    const base = out._count;
    let want = out._bytes.byteLength - base;
    if (want > max) want = max;
    if (want === 0) {
      out.assertOwned('read into');
      return Promise.resolve(0);
    }
    if (this.directAlignment !== undefined) this._checkDirectTarget(out, base, want, offset);
    out.lend();
    this.#begin();
    return this.#fill(fd, out, base, want, offset, retries, signal);
  }

  async #fill(
    fd: number,
    out: OutputBuffer,
    base: number,
    want: number,
    offset: number,
    retries: number,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    const bytes = out._bytes;
    let got = 0;
    try {
      while (got < want) {
        if (signal?.aborted) throw abortError(signal, 'read');
        const at = base + got;
        const where = offset < 0 ? -1 : offset + got;
        if (this.directAlignment !== undefined && got > 0)
          this._checkDirect(bytes, at, want - got, where, 'read');
        const n = await step(
          true,
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
      this.#end();
    }
    return got;
  }

  /** One `write`/`pwrite` of `data` (one `pwritev2` with `flags`); may be partial. */
  write(data: ByteSource, options?: RwfWriteOptions): Promise<number> {
    if (options?.flags !== undefined) return this.#flaggedWrite(data, options);
    const o = ioOptions(options, WRITE_OPTION_KEYS, 'write');
    const offset = o.offset;
    const max = o.max;
    const retries = o.retries;
    const fd = this._fd;
    if (fd < 0 || !this._writable) this._use('write', 'writing');
    if (offset >= 0 && this._append) throw appendOffset(this.path);
    const bytes = lendSource(data);
    let len = bytes.byteLength;
    if (len > max) len = max;
    if (len === 0) {
      settleSource(data, 0);
      return Promise.resolve(0);
    }
    if (this.directAlignment !== undefined) {
      try {
        this._checkDirect(bytes, 0, len, offset, 'write');
      } catch (e) {
        settleSource(data, 0);
        throw e;
      }
    }
    this.#begin();
    return new Promise((resolve, reject) => {
      writeAsync(fd, bytes, len, offset, retries, this.path, (err, n) => {
        settleSource(data, n);
        this.#end();
        if (err) reject(err);
        else resolve(n);
      });
    });
  }

  writeAll(data: ByteSource, options?: WriteOptions): Promise<void> {
    const o = ioOptions(options, WRITE_OPTION_KEYS, 'write');
    return this.#writeAll(data, o.offset, o.max, o.retries, o.signal);
  }

  writeBuffer(data: ByteSource, options?: OpOptions): Promise<void> {
    const o = ioOptions(options, OP_OPTION_KEYS, 'write');
    return this.#writeAll(data, -1, Number.POSITIVE_INFINITY, o.retries, o.signal);
  }

  writeAtOffset(data: ByteSource, offset: number, options?: OpOptions): Promise<void> {
    const at = requiredOffset(offset);
    const o = ioOptions(options, OP_OPTION_KEYS, 'write');
    return this.#writeAll(data, at, Number.POSITIVE_INFINITY, o.retries, o.signal);
  }

  #writeAll(
    data: ByteSource,
    offset: number,
    max: number,
    retries: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const fd = this._use('write', 'writing');
    if (offset >= 0 && this._append) throw appendOffset(this.path);
    const bytes = lendSource(data);
    let len = bytes.byteLength;
    if (len > max) len = max;
    if (this.directAlignment !== undefined && len > 0) {
      try {
        this._checkDirect(bytes, 0, len, offset, 'write');
      } catch (e) {
        settleSource(data, 0);
        throw e;
      }
    }
    this.#begin();
    return this.#drain(fd, data, bytes, len, offset, retries, signal);
  }

  async #drain(
    fd: number,
    data: ByteSource,
    bytes: Uint8Array,
    len: number,
    offset: number,
    retries: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    let done = 0;
    try {
      while (done < len) {
        if (signal?.aborted) throw abortError(signal, 'write');
        const where = offset < 0 ? -1 : offset + done;
        if (this.directAlignment !== undefined && done > 0)
          this._checkDirect(bytes, done, len - done, where, 'write');
        const n = await step(
          false,
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
      this.#end();
    }
  }

  read(options?: ReadOptions): Promise<OutputBuffer> {
    checkKeys(options, READ_OPTION_KEYS, 'read');
    this._use('read', 'reading');
    return this.#owned(options);
  }

  readAtOffset(offset: number, options?: OpOptions): Promise<OutputBuffer> {
    const at = requiredOffset(offset);
    checkKeys(options, OP_OPTION_KEYS, 'read');
    this._use('read', 'reading');
    return this.#owned({ ...options, offset: at });
  }

  #owned(options: ReadOptions | undefined): Promise<PooledBuffer> {
    const pool = this._host.pool();
    const buf = pool.getBuffer();
    let reading: Promise<number>;
    try {
      reading = this.readInto(buf, options);
    } catch (e) {
      pool.recycleBuffer(buf);
      throw e;
    }
    return reading.then(
      () => buf,
      (e: unknown) => {
        pool.recycleBuffer(buf);
        throw e;
      },
    );
  }

  /** `preadv2` into the list's buffers; `flags` are per-call `RWF_*` flags (`hipri`, `nowait`). */
  readv(list: BufferList, options?: RwfReadOptions): Promise<number> {
    return this.#vector(true, list, options);
  }

  /** `pwritev2` from the list's buffers; `flags` are per-call `RWF_*` flags (`hipri`, `nowait`, `dsync`, `sync`, `append`). */
  writev(list: BufferList, options?: RwfWriteOptions): Promise<number> {
    return this.#vector(false, list, options);
  }

  #vector(
    reading: boolean,
    list: BufferList,
    options: RwfReadOptions | RwfWriteOptions | undefined,
  ): Promise<number> {
    const op = reading ? 'readv' : 'writev';
    const o = ioOptions(options, VECTOR_OPTION_KEYS, op);
    const flags = rwfFlags(options?.flags, reading);
    const { offset, max, retries } = o;
    const fd = this._use(op, reading ? 'reading' : 'writing');
    if (!reading && offset >= 0 && this._append) throw appendOffset(this.path);
    if (!(list instanceof BufferList))
      throw invalidArg('ERR_INVALID_ARG_TYPE', `${op} takes a BufferList`);
    const segs = list._pending();
    // Each call gets its own iovec array: it must outlive the call.
    const iov = buildIovecs(segs, max);
    if (iov.count === 0) {
      list.assertOwned(op);
      return Promise.resolve(0);
    }
    if (this.directAlignment !== undefined) {
      let at = offset;
      for (let i = 0; i < iov.count; i++) {
        this._checkDirect(segs[i]!, 0, segs[i]!.byteLength, at, op);
        if (at >= 0) at += segs[i]!.byteLength;
      }
    }
    list.lend();
    this.#begin();
    return new Promise((resolve, reject) => {
      // `iov` (and the segments it points at) stay referenced by this closure until the call settles.
      vectorAsync(reading, fd, iov, offset, retries, this.path, flags, (err, n) => {
        list.settle();
        list._pos += n;
        this.#end();
        if (err) reject(err);
        else resolve(n);
      });
    });
  }

  // readInto/write with RWF flags: one preadv2/pwritev2 over the buffer's
  // free space (or the data) through the vectored path, which makes the
  // same checks (offsets, O_APPEND, O_DIRECT, flags) before the call.
  #flaggedRead(out: OutputBuffer, options: RwfReadOptions): Promise<number> {
    this._use('read', 'reading');
    if (!(out instanceof OutputBuffer)) lendTarget(out);
    const free = out._bytes.subarray(out._count);
    out.lend();
    return this.#settled(
      () => this.#vector(true, new BufferList([free]), options),
      (n) => settleTarget(out, n),
    );
  }

  #flaggedWrite(data: ByteSource, options: RwfWriteOptions): Promise<number> {
    this._use('write', 'writing');
    const bytes = lendSource(data);
    return this.#settled(
      () => this.#vector(false, new BufferList([bytes]), options),
      (n) => settleSource(data, n),
    );
  }

  // Runs `call`, then `settle` with its count (0 if it was refused or failed).
  #settled(call: () => Promise<number>, settle: (n: number) => void): Promise<number> {
    let p: Promise<number>;
    try {
      p = call();
    } catch (e) {
      settle(0);
      throw e;
    }
    return p.then(
      (n) => {
        settle(n);
        return n;
      },
      (e: unknown) => {
        settle(0);
        throw e;
      },
    );
  }

  preferredBlockSize(): Promise<number> {
    const fd = this._use('preferredBlockSize');
    if (this.directAlignment !== undefined) return Promise.resolve(this.directAlignment.offset);
    if (this._blockSize !== 0) return Promise.resolve(this._blockSize);
    return this.#tracked(statxAsync(fd, this.path)).then((info) => {
      this._blockSize = info.blockSize;
      return info.blockSize;
    });
  }

  notifyExpectedReadAmount(bytes: number, options?: { offset?: number }): Promise<void> {
    const count = checkByteCount('bytes', bytes);
    checkKeys(options, ['offset'], 'notifyExpectedReadAmount');
    const offset = checkOffset(options?.offset);
    const fd = this._use('notifyExpectedReadAmount', 'reading');
    if (count === 0 || this.direct) return Promise.resolve();
    const at = offset ?? this._cursor();
    this.#begin();
    return new Promise((resolve, reject) => {
      // posix_fadvise returns the error number itself (0 on success).
      callAsync(posixFadvise, [fd, at, count, FADV.POSIX_FADV_WILLNEED], (err, r) => {
        this.#end();
        if (err) reject(err);
        else if (r !== 0 && r !== E.ESPIPE) reject(syscallError(r, 'posix_fadvise', this.path, 0));
        else resolve();
      });
    });
  }

  notifyExpectedWriteAmount(bytes: number, options?: { offset?: number }): Promise<void> {
    const count = checkByteCount('bytes', bytes);
    checkKeys(options, ['offset'], 'notifyExpectedWriteAmount');
    const offset = checkOffset(options?.offset);
    const fd = this._use('notifyExpectedWriteAmount', 'writing');
    if (count === 0) return Promise.resolve();
    return this.#tracked(this.#reserve(fd, offset, count));
  }

  async #reserve(fd: number, offset: number | undefined, count: number): Promise<void> {
    const at =
      offset ??
      (this._append ? sizeOf(await statxAsync(fd, this.path), fd, this.path) : this._cursor());
    try {
      await plainAsync(
        fallocate,
        [fd, FALLOC.FALLOC_FL_KEEP_SIZE, at, count],
        'fallocate',
        this.path,
      );
    } catch (e) {
      // A hint: a file system that cannot reserve space just does not.
      if ((e as { errno?: number }).errno !== E.EOPNOTSUPP) throw e;
    }
  }

  flush(): Promise<void> {
    this._use('flush');
    // No user-space buffering: once the calls started before now settle,
    // their bytes are in the kernel.
    return this.#whenIdle();
  }

  fsync(options?: { dataOnly?: boolean }): Promise<void> {
    checkKeys(options, ['dataOnly'], 'fsync');
    const dataOnly = options?.dataOnly;
    if (dataOnly !== undefined && typeof dataOnly !== 'boolean') {
      throw invalidArg('ERR_INVALID_ARG_TYPE', 'dataOnly must be a boolean');
    }
    const fd = this._use('fsync');
    const call = dataOnly
      ? plainAsync(fdatasync, [fd], 'fdatasync', this.path)
      : plainAsync(fsync, [fd], 'fsync', this.path);
    return this.#tracked(call).then(() => undefined);
  }

  /** Sets the file's size (`ftruncate` on the thread pool): cut, or extended with zeros. */
  truncate(size: number): Promise<void> {
    const n = checkByteCount('size', size);
    const fd = this._use('truncate', 'writing');
    return this.#tracked(plainAsync(ftruncate, [fd, n], 'ftruncate', this.path)).then(
      () => undefined,
    );
  }

  size(): Promise<number> {
    const fd = this._use('size');
    // sizeOf may ask the device (ioctl) too: still inside the tracked call.
    return this.#tracked(statxAsync(fd, this.path).then((info) => sizeOf(info, fd, this.path)));
  }

  stat(): Promise<StatxInfo> {
    return this.#tracked(statxAsync(this._use('stat'), this.path));
  }

  #tracked<T>(p: Promise<T>): Promise<T> {
    this.#begin();
    return p.finally(() => this.#end());
  }

  close(): Promise<void> {
    const fd = this._fd;
    if (fd < 0) return this.#closing ?? Promise.resolve();
    this._fd = -1;
    this._host.forget(this);
    this.#closing = this.#whenIdle().then(
      () =>
        new Promise<void>((resolve, reject) => {
          // Linux frees the descriptor even when close fails: never retried.
          callAsync(close, [fd], (err, r, errno) => {
            if (err) reject(err);
            else if (r < 0 && errno !== E.EINTR) reject(syscallError(errno, 'close', this.path, 0));
            else resolve();
          });
        }),
    );
    return this.#closing;
  }
}
