import {
  type BufferList,
  type BufferPool,
  type ByteSource,
  type Capability,
  checkInt,
  checkOffset,
  checkOptions,
  type File,
  InputBuffer,
  invalidArg,
  lendSource,
  lendTarget,
  type Mode,
  type OpOptions,
  OutputBuffer,
  type PooledBuffer,
  READ_OPTION_KEYS,
  type ReadOptions,
  type Ret,
  readFillingVia,
  settleSource,
  settleTarget,
  WRITE_OPTION_KEYS,
  type WriteOptions,
  writeAllVia,
} from '@binio/core';
import {
  closedError,
  directionError,
  fileHandleCapabilities,
  ioOptions,
} from '@binio/engine-posix/file';
import {
  decodeStatx,
  errnoError,
  FADV,
  FALLOC,
  IOV_MAX,
  IOVEC_LAYOUT,
  SEEK,
} from '@binio/engine-posix/linux';
import type { ListTarget, UringCore } from '../engine/core.js';
import { settleList } from '../engine/core.js';
import { Kind } from '../engine/slots.js';
import { errno, fallocate, fdatasync, fsync, lseek, posixFadvise } from '../sys/libc.js';
import { addressOf, Scratch } from '../sys/memory.js';
import { FSYNC_DATASYNC, Op } from '../uring/abi.js';
import { appendOffsetError, misalignedError, type OpenRequest } from './requests.js';
import { statxOp } from './statx.js';

/** What a file needs from its engine. */
export interface FileHost {
  /** The engine's core (ring and operation table). */
  readonly core: UringCore;
  /** The registered pool (owned reads, fixed-buffer IO). */
  pool(): BufferPool;
  /** True when `b` is one of this engine's registered buffers. */
  isRegistered(b: unknown): b is PooledBuffer;
  /** Called once when the handle closes. */
  forget(file: UringFile<Mode>): void;
}

/** `O_DIRECT` alignment of one file: buffer addresses, and offsets and lengths. */
export interface DirectAlignment {
  /** Buffer start addresses must be multiples of this. */
  readonly memory: number;
  /** File offsets and lengths must be multiples of this. */
  readonly offset: number;
}

/**
 * A file opened through the uring engine. Every operation is one SQE; in
 * async mode it returns a Promise settled from the completion, in sync mode
 * it submits and waits inside `io_uring_enter`. A registered buffer from
 * the engine (`getBuffer()`) is read into or written from with
 * READ_FIXED/WRITE_FIXED; any other memory with READ/WRITE. With a
 * registered file table the descriptor is also a fixed file.
 */
export class UringFile<M extends Mode> implements File<M> {
  /** The path it was opened with. */
  readonly path: string;
  /** The engine's mode. */
  readonly mode: M;
  /** What this handle implements. */
  readonly capabilities: ReadonlySet<Capability>;
  /** Opened with `O_DIRECT`. */
  readonly direct: boolean;
  /** The `O_DIRECT` rules (undefined without it). */
  readonly directAlignment: DirectAlignment | undefined;
  /** @internal The descriptor; −1 once closed. */
  _fd: number;
  /** @internal Fixed-file slot, or −1. */
  _fixed: number;
  readonly #host: FileHost;
  readonly #core: UringCore;
  readonly #sync: boolean;
  readonly #readable: boolean;
  readonly #writable: boolean;
  readonly #append: boolean;
  #blockSize = 0;

  /** @internal The engine opens files. */
  constructor(
    mode: M,
    fd: number,
    fixed: number,
    req: OpenRequest,
    align: DirectAlignment | undefined,
    host: FileHost,
  ) {
    this.mode = mode;
    this._fd = fd;
    this._fixed = fixed;
    this.path = req.path;
    this.direct = req.direct;
    this.directAlignment = align;
    this.#host = host;
    this.#core = host.core;
    this.#sync = mode === 'sync';
    this.#readable = req.readable;
    this.#writable = req.writable;
    this.#append = req.append;
    this.capabilities = fileHandleCapabilities(req);
  }

  /** The descriptor, or −1 once closed. */
  get fd(): number {
    return this._fd;
  }

  /** True once closed. */
  get closed(): boolean {
    return this._fd < 0;
  }

  #use(op: string, need?: 'reading' | 'writing'): void {
    if (this._fd < 0) throw closedError(op, this.path, 'uring');
    if (need === 'reading' && !this.#readable) throw directionError(op, this.path, need, 'uring');
    if (need === 'writing' && !this.#writable) throw directionError(op, this.path, need, 'uring');
  }

  #checkDirect(addr: number, len: number, offset: number, op: string): void {
    const a = this.directAlignment!;
    if (addr % a.memory !== 0)
      throw misalignedError('buffer address', addr, a.memory, op, this.path);
    if (len % a.offset !== 0) throw misalignedError('length', len, a.offset, op, this.path);
    let at = offset;
    if (at < 0 && !this.#append) {
      at = lseek(this._fd, 0, SEEK.SEEK_CUR);
      if (at < 0) throw errnoError(errno(), { syscall: 'lseek', engine: 'uring', path: this.path });
    }
    if (at > 0 && at % a.offset !== 0)
      throw misalignedError('file offset', at, a.offset, op, this.path);
  }

  /**
   * Prepares one SQE on this file and finishes it in the engine's mode.
   * Returns the Promise (async), the result (sync), or undefined when the
   * async engine has no free slot (the caller queues the whole call).
   */
  #run(
    kind: number,
    op: number,
    addr: number,
    len: number,
    off: number,
    target: unknown,
    retries: number,
    signal: AbortSignal | undefined,
    opFlags: number,
    bufIndex: number,
  ): number | Promise<number> | undefined {
    const fixed = this._fixed >= 0;
    return this.#core.runLent(
      kind,
      op,
      fixed ? this._fixed : this._fd,
      fixed,
      addr,
      len,
      off,
      target,
      retries,
      signal,
      opFlags,
      bufIndex,
      this.path,
    );
  }

  // ------------------------------------------------------------- reading

  /** One read into `out`'s free space; 0 at EOF. With `offset`, a pread (cursor unmoved). */
  readInto(out: OutputBuffer, options?: ReadOptions): Ret<M, number> {
    const o = ioOptions(options, READ_OPTION_KEYS, 'read');
    const { offset, max, retries, signal } = o;
    this.#use('read', 'reading');
    // lendTarget's checks without its subarray: the hot path allocates nothing.
    if (!(out instanceof OutputBuffer)) lendTarget(out);
    out.lend();
    const free = out._bytes.byteLength - out._count;
    const len = Math.min(max, free);
    if (len === 0) {
      settleTarget(out, 0);
      return (this.#sync ? 0 : Promise.resolve(0)) as Ret<M, number>;
    }
    let fixed = -1;
    let addr: number;
    try {
      addr = addressOf(out._bytes) + out._count;
      if (this.direct) this.#checkDirect(addr, len, offset, 'read');
      if (this.#host.isRegistered(out)) fixed = out.registrationIndex;
    } catch (e) {
      settleTarget(out, 0);
      throw e;
    }
    const op = fixed >= 0 ? Op.READ_FIXED : Op.READ;
    // The engine gives `out` back once the read is done (or refused).
    const p = this.#run(Kind.READ_OUT, op, addr, len, offset, out, retries, signal, 0, fixed);
    if (p !== undefined) return p as Ret<M, number>;
    return this.#core.later(() => this.readInto(out, options) as Promise<number>) as Ret<M, number>;
  }

  /** Reads until `out` is full (or `maxBytes` were read) or EOF. */
  readFilling(out: OutputBuffer, options?: ReadOptions): Ret<M, number> {
    ioOptions(options, READ_OPTION_KEYS, 'read');
    this.#use('read', 'reading');
    return readFillingVia(this.mode, out, options, (b, o) => this.readInto(b, o));
  }

  /** Owned read: a registered buffer filled by one read (`initialized` 0 at EOF); recycle it. */
  read(options?: ReadOptions): Ret<M, OutputBuffer> {
    ioOptions(options, READ_OPTION_KEYS, 'read');
    this.#use('read', 'reading');
    const pool = this.#host.pool();
    const buf = pool.getBuffer();
    if (this.#sync) {
      try {
        this.readInto(buf, options);
      } catch (e) {
        pool.recycleBuffer(buf);
        throw e;
      }
      return buf as unknown as Ret<M, OutputBuffer>;
    }
    let p: Promise<number>;
    try {
      p = this.readInto(buf, options) as Promise<number>;
    } catch (e) {
      pool.recycleBuffer(buf);
      throw e;
    }
    return p.then(
      () => buf,
      (e) => {
        pool.recycleBuffer(buf);
        throw e;
      },
    ) as unknown as Ret<M, OutputBuffer>;
  }

  /** Owned read at `offset` (cursor unmoved). */
  readAtOffset(offset: number, options?: OpOptions): Ret<M, OutputBuffer> {
    checkOffset(offset);
    const o = checkOptions(options, ['retryOnInterrupt', 'signal'], 'readAtOffset');
    return this.read({ ...o, offset });
  }

  // ------------------------------------------------------------- writing

  /** One write (may be partial); returns the bytes written. An InputBuffer is consumed by them. */
  write(data: ByteSource, options?: WriteOptions): Ret<M, number> {
    const o = ioOptions(options, WRITE_OPTION_KEYS, 'write');
    const { offset, max, retries, signal } = o;
    this.#use('write', 'writing');
    if (offset >= 0 && this.#append) throw appendOffsetError(this.path);
    // lendSource without its subarray: address and length straight from the source.
    let base: Uint8Array;
    let start = 0;
    let avail: number;
    if (data instanceof InputBuffer) {
      data.lend();
      base = data._bytes;
      start = data._pos;
      avail = base.byteLength - start;
    } else if (data instanceof OutputBuffer) {
      data.lend();
      base = data._bytes;
      avail = data._count;
    } else {
      base = lendSource(data);
      avail = base.byteLength;
    }
    const len = Math.min(max, avail);
    if (len === 0) {
      settleSource(data, 0);
      return (this.#sync ? 0 : Promise.resolve(0)) as Ret<M, number>;
    }
    let fixed = -1;
    let addr: number;
    try {
      addr = addressOf(base) + start;
      if (this.direct) this.#checkDirect(addr, len, offset, 'write');
      if (this.#host.isRegistered(data)) fixed = data.registrationIndex;
    } catch (e) {
      settleSource(data, 0);
      throw e;
    }
    const op = fixed >= 0 ? Op.WRITE_FIXED : Op.WRITE;
    // The engine gives `data` back once the write is done (or refused).
    const p = this.#run(Kind.WRITE_SRC, op, addr, len, offset, data, retries, signal, 0, fixed);
    if (p !== undefined) return p as Ret<M, number>;
    return this.#core.later(() => this.write(data, options) as Promise<number>) as Ret<M, number>;
  }

  /** Writes everything, looping over partial writes. */
  writeAll(data: ByteSource, options?: WriteOptions): Ret<M, void> {
    const o = ioOptions(options, WRITE_OPTION_KEYS, 'write');
    this.#use('write', 'writing');
    if (o.offset >= 0 && this.#append) throw appendOffsetError(this.path);
    return writeAllVia(this.mode, data, options, (src, opts) => this.write(src, opts));
  }

  /** The proposal's `Writer`: all of `data` or an error. */
  writeBuffer(data: ByteSource, options?: OpOptions): Ret<M, void> {
    const o = checkOptions(options, ['retryOnInterrupt', 'signal'], 'writeBuffer');
    return this.writeAll(data, o);
  }

  /** Writes all of `data` at `offset` (cursor unmoved). */
  writeAtOffset(data: ByteSource, offset: number, options?: OpOptions): Ret<M, void> {
    checkOffset(offset);
    const o = checkOptions(options, ['retryOnInterrupt', 'signal'], 'writeAtOffset');
    return this.writeAll(data, { ...o, offset });
  }

  // ------------------------------------------------------------ vectored

  /** One vectored read into the list after its cursor (READV); 0 at EOF. */
  readv(list: BufferList, options?: ReadOptions): Ret<M, number> {
    return this.#vectored(list, options, true);
  }

  /** One vectored write of the list after its cursor (WRITEV). */
  writev(list: BufferList, options?: WriteOptions): Ret<M, number> {
    return this.#vectored(list, options, false);
  }

  #vectored(list: BufferList, options: ReadOptions | undefined, reading: boolean): Ret<M, number> {
    const what = reading ? 'readv' : 'writev';
    const o = ioOptions(options, READ_OPTION_KEYS, what);
    const { offset, max, retries, signal } = o;
    this.#use(what, reading ? 'reading' : 'writing');
    if (!reading && offset >= 0 && this.#append) throw appendOffsetError(this.path);
    if (typeof (list as { _pending?: unknown })?._pending !== 'function') {
      throw invalidArg('ERR_INVALID_ARG_TYPE', `${what} takes a BufferList`);
    }
    list.lend();
    let segs = list._pending();
    if (segs.length > IOV_MAX) segs = segs.slice(0, IOV_MAX);
    // maxBytes caps the total: cut the segment list at it.
    let total = 0;
    const capped: Uint8Array[] = [];
    for (const seg of segs) {
      if (total >= max) break;
      const take = Math.min(seg.byteLength, max - total);
      capped.push(take < seg.byteLength ? seg.subarray(0, take) : seg);
      total += take;
    }
    if (total === 0) {
      settleList(list, 0);
      return (this.#sync ? 0 : Promise.resolve(0)) as Ret<M, number>;
    }
    const iov = new Scratch(capped.length * IOVEC_LAYOUT.size);
    try {
      for (let i = 0; i < capped.length; i++) {
        const seg = capped[i]!;
        const addr = addressOf(seg);
        if (this.direct) this.#checkDirect(addr, seg.byteLength, i === 0 ? offset : 0, what);
        iov.view.setBigUint64(
          i * IOVEC_LAYOUT.size + IOVEC_LAYOUT.offsets.iov_base,
          BigInt(addr),
          true,
        );
        iov.view.setBigUint64(
          i * IOVEC_LAYOUT.size + IOVEC_LAYOUT.offsets.iov_len,
          BigInt(seg.byteLength),
          true,
        );
      }
    } catch (e) {
      settleList(list, 0);
      throw e;
    }
    const op = reading ? Op.READV : Op.WRITEV;
    // The engine gives `list` back once the operation is done (or refused).
    const target: ListTarget = { list, iov };
    const p = this.#run(
      Kind.LIST,
      op,
      iov.address,
      capped.length,
      offset,
      target,
      retries,
      signal,
      0,
      -1,
    );
    if (p !== undefined) return p as Ret<M, number>;
    return this.#core.later(() => this.#vectored(list, options, reading) as Promise<number>) as Ret<
      M,
      number
    >;
  }

  // ---------------------------------------------------- metadata, hints

  /** Current size in bytes (statx). */
  size(): Ret<M, number> {
    this.#use('statx');
    const r = statxOp(this.#core, this._fd, this.path);
    if (this.#sync) return decodeStatx((r as Scratch).bytes).size as Ret<M, number>;
    return (r as Promise<Scratch>).then((b) => decodeStatx(b.bytes).size) as Ret<M, number>;
  }

  /** `st_blksize`, or the `O_DIRECT` offset alignment. */
  preferredBlockSize(): Ret<M, number> {
    this.#use('statx');
    const pick = (b: Scratch) => {
      const info = decodeStatx(b.bytes);
      this.#blockSize = Math.max(this.directAlignment?.offset ?? 0, info.blockSize || 4096);
      return this.#blockSize;
    };
    if (this.#blockSize > 0)
      return (this.#sync ? this.#blockSize : Promise.resolve(this.#blockSize)) as Ret<M, number>;
    const r = statxOp(this.#core, this._fd, this.path);
    if (this.#sync) return pick(r as Scratch) as Ret<M, number>;
    return (r as Promise<Scratch>).then(pick) as Ret<M, number>;
  }

  #hintOffset(options: { offset?: number } | undefined, what: string): number {
    const o = checkOptions(options, ['offset'], what);
    const off = checkOffset(o.offset);
    if (off !== undefined) return off;
    const at = lseek(this._fd, 0, SEEK.SEEK_CUR);
    if (at < 0) throw errnoError(errno(), { syscall: 'lseek', engine: 'uring', path: this.path });
    return at;
  }

  /** Prefetch hint: `FADVISE(WILLNEED)` of `bytes` from `offset` (default: the cursor). */
  notifyExpectedReadAmount(bytes: number, options?: { offset?: number }): Ret<M, void> {
    checkInt('bytes', bytes, 0, Number.MAX_SAFE_INTEGER);
    this.#use('fadvise', 'reading');
    const off = this.#hintOffset(options, 'notifyExpectedReadAmount');
    // FADVISE's length is 32 bits; 0 means "to the end", which covers a larger hint.
    const len = bytes > 0xffffffff ? 0 : bytes;
    return this.#void(Op.FADVISE, 0, len, off, FADV.POSIX_FADV_WILLNEED);
  }

  /** Reserve hint: `FALLOCATE(KEEP_SIZE)` of `bytes` from `offset` (default: the cursor); the size is unchanged. */
  notifyExpectedWriteAmount(bytes: number, options?: { offset?: number }): Ret<M, void> {
    checkInt('bytes', bytes, 0, Number.MAX_SAFE_INTEGER);
    this.#use('fallocate', 'writing');
    const off = this.#hintOffset(options, 'notifyExpectedWriteAmount');
    if (bytes === 0) return (this.#sync ? undefined : Promise.resolve()) as Ret<M, void>;
    // FALLOCATE takes the length in `addr` and the mode in `len`.
    return this.#void(Op.FALLOCATE, bytes, FALLOC.FALLOC_FL_KEEP_SIZE, off, 0);
  }

  /** Reserves or punches space: `fallocate(mode, offset, length)`. */
  fallocate(offset: number, length: number, mode = 0): Ret<M, void> {
    checkOffset(offset);
    checkInt('length', length, 1, Number.MAX_SAFE_INTEGER);
    checkInt('mode', mode, 0, 0x7f);
    this.#use('fallocate', 'writing');
    return this.#void(Op.FALLOCATE, length, mode, offset, 0);
  }

  /** Nothing is buffered in user space: resolves at once. */
  flush(): Ret<M, void> {
    this.#use('flush', 'writing');
    return (this.#sync ? undefined : Promise.resolve()) as Ret<M, void>;
  }

  /** FSYNC (or fdatasync with `dataOnly`): settles when the data is durable. */
  fsync(options?: { dataOnly?: boolean }): Ret<M, void> {
    const o = checkOptions(options, ['dataOnly'], 'fsync');
    if (o.dataOnly !== undefined && typeof o.dataOnly !== 'boolean') {
      throw invalidArg('ERR_INVALID_ARG_TYPE', 'dataOnly must be a boolean');
    }
    this.#use('fsync');
    return this.#void(Op.FSYNC, 0, 0, 0, o.dataOnly ? FSYNC_DATASYNC : 0);
  }

  #void(op: number, addr: number, len: number, off: number, opFlags: number): Ret<M, void> {
    if (this.#core.iopoll)
      return this.#core.plain(() => this.#plainVoid(op, addr, len, off, opFlags)) as Ret<M, void>;
    this.#core.require(op);
    const r = this.#run(
      Kind.VOID,
      op,
      addr,
      len,
      off,
      undefined,
      Number.POSITIVE_INFINITY,
      undefined,
      opFlags,
      -1,
    );
    if (this.#sync) return undefined as Ret<M, void>;
    if (r !== undefined) return r as unknown as Ret<M, void>;
    return this.#core.later(() => this.#void(op, addr, len, off, opFlags) as Promise<void>) as Ret<
      M,
      void
    >;
  }

  // An IOPOLL ring refuses FSYNC, FALLOCATE and FADVISE (EINVAL): the same
  // operation (with #void's arguments) as a plain system call.
  #plainVoid(op: number, addr: number, len: number, off: number, opFlags: number): void {
    const fd = this._fd;
    let rc: number;
    let syscall: string;
    if (op === Op.FSYNC) {
      syscall = opFlags & FSYNC_DATASYNC ? 'fdatasync' : 'fsync';
      rc = opFlags & FSYNC_DATASYNC ? fdatasync(fd) : fsync(fd);
    } else if (op === Op.FALLOCATE) {
      syscall = 'fallocate';
      rc = fallocate(fd, len, off, addr);
    } else {
      syscall = 'fadvise';
      const err = posixFadvise(fd, off, len, opFlags);
      if (err !== 0) throw errnoError(err, { syscall, engine: 'uring', path: this.path });
      return;
    }
    if (rc < 0) throw errnoError(errno(), { syscall, engine: 'uring', path: this.path });
  }

  /** Closes the file (IORING_OP_CLOSE); closing twice is a no-op. */
  close(): Ret<M, void> {
    const fd = this._fd;
    if (fd < 0) return (this.#sync ? undefined : Promise.resolve()) as Ret<M, void>;
    this._fd = -1;
    this.#host.forget(this as UringFile<Mode>);
    return this.#host.core.closeFd(fd) as Ret<M, void>;
  }
}
