import type { BufferList } from '../buffers/buffer-list.js';
import { checkInt } from '../buffers/check.js';
import type { InputBuffer } from '../buffers/input-buffer.js';
import type { OutputBuffer } from '../buffers/output-buffer.js';
import type { BufferPool } from '../buffers/pool.js';
import { type ByteSource, lendSource, lendTarget, settleSource, settleTarget } from '../buffers/source.js';
import { ALL_CAPABILITIES, type Capability } from '../capabilities.js';
import { IoError } from '../errors.js';
import type { Mode, Ret } from '../mode.js';
import { readFillingVia, writeAllVia } from '../span.js';
import type { File } from '../traits/file.js';
import type { OpOptions, ReadOptions, WriteOptions } from '../traits/options.js';
import { READ_OPTION_KEYS, WRITE_OPTION_KEYS, checkOffset, checkOptions } from '../traits/options.js';
import type { OpRunner } from './runner.js';

/** One file's bytes in the memory file system. */
export class MemoryInode {
  data = new Uint8Array(0);
  size = 0;

  /** Makes room for `end` bytes (doubling), zero-filled. */
  reserve(end: number): void {
    if (end <= this.data.byteLength) return;
    const next = new Uint8Array(Math.max(end, this.data.byteLength * 2, 64));
    next.set(this.data.subarray(0, this.size));
    this.data = next;
  }
}

/** Capabilities every memory file handle has. */
export const MEMORY_FILE_CAPABILITIES: readonly Capability[] = ALL_CAPABILITIES.filter((c) => c.startsWith('handle.'));

/** How a memory file was opened. */
export interface MemoryAccess {
  readable: boolean;
  writable: boolean;
  append: boolean;
}

/**
 * An open file of the memory engine. It implements every file-handle trait,
 * applying the engine's fault plan, so the span semantics (partial reads, EOF
 * is not an error, absolute offsets leave the cursor alone) are executable.
 */
export class MemoryFile<M extends Mode> implements File<M> {
  readonly capabilities: ReadonlySet<Capability>;
  #cursor = 0;
  #closed = false;

  constructor(
    readonly path: string,
    readonly inode: MemoryInode,
    readonly access: MemoryAccess,
    readonly runner: OpRunner<M>,
    readonly pool: BufferPool,
    capabilities: ReadonlySet<Capability>,
  ) {
    this.capabilities = capabilities;
  }

  get mode(): M {
    return this.runner.mode;
  }

  get closed(): boolean {
    return this.#closed;
  }

  readInto(out: OutputBuffer, options?: ReadOptions): Ret<M, number> {
    const opts = checkOptions(options, READ_OPTION_KEYS, 'read');
    const offset = checkOffset(opts.offset);
    const max = opts.maxBytes === undefined ? undefined : checkInt('maxBytes', opts.maxBytes, 0, 2 ** 31);
    this.#check('read', 'readable');
    const view = lendTarget(out, max);
    let n = 0;
    return this.runner.run({
      op: 'read',
      path: this.path,
      retry: opts.retryOnInterrupt,
      signal: opts.signal,
      attempt: (cap) => {
        this.#check('read', 'readable');
        const at = offset ?? this.#cursor;
        n = Math.max(0, Math.min(cap, view.byteLength, this.inode.size - at));
        if (n > 0) view.set(this.inode.data.subarray(at, at + n));
        if (offset === undefined) this.#cursor += n;
        return n;
      },
      settle: (ok) => settleTarget(out, ok ? n : 0),
    });
  }

  readFilling(out: OutputBuffer, options?: ReadOptions): Ret<M, number> {
    checkOptions(options, READ_OPTION_KEYS, 'read');
    checkOffset(options?.offset);
    return readFillingVia(this.mode, out, options, (o, opts) => this.readInto(o, opts));
  }

  write(data: ByteSource, options?: WriteOptions): Ret<M, number> {
    const opts = checkOptions(options, WRITE_OPTION_KEYS, 'write');
    const offset = checkOffset(opts.offset);
    const max = opts.maxBytes === undefined ? undefined : checkInt('maxBytes', opts.maxBytes, 0, 2 ** 31);
    this.#check('write', 'writable');
    const all = lendSource(data);
    const view = max === undefined ? all : all.subarray(0, max);
    let n = 0;
    return this.runner.run({
      op: 'write',
      path: this.path,
      retry: opts.retryOnInterrupt,
      signal: opts.signal,
      attempt: (cap) => {
        this.#check('write', 'writable');
        n = Math.min(cap, view.byteLength);
        const at = this.access.append ? this.inode.size : (offset ?? this.#cursor);
        this.inode.reserve(at + n);
        this.inode.data.set(view.subarray(0, n), at);
        this.inode.size = Math.max(this.inode.size, at + n);
        if (offset === undefined || this.access.append) this.#cursor = at + n;
        return n;
      },
      settle: (ok) => settleSource(data, ok ? n : 0),
    });
  }

  writeAll(data: ByteSource, options?: WriteOptions): Ret<M, void> {
    checkOptions(options, WRITE_OPTION_KEYS, 'write');
    checkOffset(options?.offset);
    this.#check('write', 'writable');
    return writeAllVia(this.mode, data, options, (src: InputBuffer, opts) => this.write(src, opts));
  }

  writeBuffer(data: ByteSource, options?: OpOptions): Ret<M, void> {
    return this.writeAll(data, options);
  }

  writeAtOffset(data: ByteSource, offset: number, options?: OpOptions): Ret<M, void> {
    return this.writeAll(data, { ...options, offset: checkOffset(offset) ?? 0 });
  }

  read(options?: ReadOptions): Ret<M, OutputBuffer> {
    return this.#owned(options);
  }

  readAtOffset(offset: number, options?: OpOptions): Ret<M, OutputBuffer> {
    return this.#owned({ ...options, offset: checkOffset(offset) ?? 0 });
  }

  readv(list: BufferList, options?: ReadOptions): Ret<M, number> {
    return this.#vectored(true, list, options);
  }

  writev(list: BufferList, options?: WriteOptions): Ret<M, number> {
    return this.#vectored(false, list, options);
  }

  /** One vectored transfer between the file and the list's pending segments. */
  #vectored(reading: boolean, list: BufferList, options: ReadOptions | undefined): Ret<M, number> {
    const name = reading ? 'readv' : 'writev';
    const opts = checkOptions(options, READ_OPTION_KEYS, name);
    const offset = checkOffset(opts.offset);
    this.#check(name, reading ? 'readable' : 'writable');
    list.lend();
    const segs = list._pending();
    let n = 0;
    return this.runner.run({
      op: reading ? 'read' : 'write',
      path: this.path,
      retry: opts.retryOnInterrupt,
      signal: opts.signal,
      attempt: (cap) => {
        let at = !reading && this.access.append ? this.inode.size : (offset ?? this.#cursor);
        let budget = reading ? Math.min(cap, Math.max(0, this.inode.size - at)) : cap;
        n = 0;
        for (const seg of segs) {
          const take = Math.min(seg.byteLength, budget);
          if (reading) seg.set(this.inode.data.subarray(at, at + take));
          else {
            this.inode.reserve(at + take);
            this.inode.data.set(seg.subarray(0, take), at);
            this.inode.size = Math.max(this.inode.size, at + take);
          }
          at += take;
          n += take;
          budget -= take;
          if (budget === 0) break;
        }
        if (offset === undefined || (!reading && this.access.append)) this.#cursor = at;
        return n;
      },
      settle: (ok) => {
        list.settle();
        if (ok) list._pos += n;
      },
    });
  }

  preferredBlockSize(): Ret<M, number> {
    this.#check('preferredBlockSize');
    return this.runner.run({ op: 'read', attempt: () => 4096 });
  }

  notifyExpectedReadAmount(bytes: number, options?: { offset?: number }): Ret<M, void> {
    checkInt('bytes', bytes, 0, Number.MAX_SAFE_INTEGER);
    checkOffset(checkOptions(options, ['offset'], 'notify').offset);
    this.#check('notifyExpectedReadAmount');
    return this.runner.run({ op: 'read', attempt: () => undefined });
  }

  notifyExpectedWriteAmount(bytes: number, options?: { offset?: number }): Ret<M, void> {
    checkInt('bytes', bytes, 0, 2 ** 40);
    const offset = checkOffset(checkOptions(options, ['offset'], 'notify').offset);
    this.#check('notifyExpectedWriteAmount', 'writable');
    return this.runner.run({
      op: 'write',
      attempt: () => this.inode.reserve((offset ?? this.#cursor) + bytes),
    });
  }

  flush(): Ret<M, void> {
    this.#check('flush');
    return this.runner.run({ op: 'fsync', path: this.path, attempt: () => undefined });
  }

  fsync(options?: { dataOnly?: boolean }): Ret<M, void> {
    checkOptions(options, ['dataOnly'], 'fsync');
    this.#check('fsync');
    return this.runner.run({ op: 'fsync', path: this.path, attempt: () => undefined });
  }

  size(): Ret<M, number> {
    this.#check('size');
    return this.runner.run({ op: 'read', attempt: () => this.inode.size });
  }

  close(): Ret<M, void> {
    this.#closed = true;
    return (this.mode === 'sync' ? undefined : Promise.resolve()) as Ret<M, void>;
  }

  #owned(options: ReadOptions | undefined): Ret<M, OutputBuffer> {
    const buf = this.pool.getBuffer();
    const recycle = () => {
      if (buf.ownership === 'caller') this.pool.recycleBuffer(buf);
    };
    try {
      const r = this.readInto(buf, options);
      if (this.mode === 'sync') return buf as unknown as Ret<M, OutputBuffer>;
      return (r as Promise<number>).then(
        () => buf,
        (e: unknown) => {
          recycle();
          throw e;
        },
      ) as unknown as Ret<M, OutputBuffer>;
    } catch (e) {
      recycle();
      throw e;
    }
  }

  #check(syscall: string, need?: 'readable' | 'writable'): void {
    if (this.#closed) {
      throw new IoError({ code: 'EBADF', errno: 9, syscall, engine: this.runner.engine, path: this.path, message: `EBADF: ${syscall} on a closed file '${this.path}'` });
    }
    if (need && !this.access[need]) {
      throw new IoError({ code: 'EBADF', errno: 9, syscall, engine: this.runner.engine, path: this.path, message: `EBADF: ${syscall} on a file not opened ${need === 'readable' ? 'for reading' : 'for writing'} '${this.path}'` });
    }
  }
}
