import {
  type Capability,
  lendTarget,
  type Mode,
  type OffsetReader,
  type OpOptions,
  OutputBuffer,
  READ_OPTION_KEYS,
  type ReadableFile,
  type Reader,
  type ReadOptions,
  type Ret,
  settleTarget,
} from '@binio/core';
import { callAsync } from '../file/async-call.js';
import type { FileHost } from '../file/base.js';
import { closedError } from '../file/errors.js';
import { ioOptions } from '../file/options.js';
import { OP_OPTION_KEYS, requiredOffset } from '../file/sync-file.js';
import { koffi } from '../libc/lib.js';
import { MAP_FAILED, memcpyFrom, mmap, munmap } from '../libc/memory-calls.js';
import { MMAN } from '../linux/file-constants.js';

const CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>([
  'handle.reader',
  'handle.offsetReader',
]);

/**
 * A file read through a memory mapping (`mmap`, `MAP_PRIVATE`): reads copy
 * from the mapping instead of calling `read`, and {@link bytes} shows the
 * whole file without any copy. The length is fixed when it is opened.
 *
 * In sync mode a read copies on the JS thread, so a page not yet in memory
 * is faulted in there; in async mode the copy is a `memcpy` on the thread
 * pool, so the faults (disk reads) happen there, and the mapping is
 * unmapped only after those copies settle.
 *
 * Safety: the mapping is private and writable, so a write through
 * {@link bytes} changes this process's copy, never the file, and cannot
 * fault. Once {@link bytes} was taken, `close()` puts anonymous zero pages
 * in its place instead of unmapping (a stale view then reads zeros, it
 * cannot crash); the address range stays reserved. One hazard no check can
 * prevent: if another process truncates the file, touching the lost pages
 * raises SIGBUS, which kills the process — map only files that do not
 * shrink.
 */
export class MappedFile<M extends Mode> implements ReadableFile<M>, Reader<M>, OffsetReader<M> {
  /** The path it was opened with. */
  readonly path: string;
  /** The engine's mode. */
  readonly mode: M;
  /** `handle.reader`, `handle.offsetReader`. */
  readonly capabilities = CAPABILITIES;
  #address: bigint;
  readonly #length: number;
  readonly #host: FileHost;
  #view: Uint8Array | undefined;
  #exposed = false;
  #cursor = 0;
  #pending = 0;
  #idle: (() => void)[] = [];
  #closing: Promise<void> | undefined;
  #closed = false;

  /** @internal made by the engine's `openMapped` */
  constructor(mode: M, path: string, address: bigint, length: number, host: FileHost) {
    this.mode = mode;
    this.path = path;
    this.#address = address;
    this.#length = length;
    this.#host = host;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes mapped (the file's size when it was opened). */
  get length(): number {
    return this.#length;
  }

  /**
   * The whole mapping as bytes, without a copy. Valid until `close()`,
   * after which it reads as zeros.
   */
  get bytes(): Uint8Array {
    if (this.#closed) throw closedError('access the mapping of', this.path);
    this.#exposed = true;
    return this.#mapped();
  }

  #mapped(): Uint8Array {
    if (this.#view === undefined) {
      this.#view =
        this.#length === 0
          ? new Uint8Array(0)
          : new Uint8Array(koffi.view(this.#address, this.#length));
    }
    return this.#view;
  }

  readInto(out: OutputBuffer, options?: ReadOptions): Ret<M, number> {
    const o = ioOptions(options, READ_OPTION_KEYS, 'read');
    return this.#copy(out, o.offset, o.max);
  }

  readFilling(out: OutputBuffer, options?: ReadOptions): Ret<M, number> {
    // One copy fills as much as the mapping holds: there are no short reads.
    const o = ioOptions(options, READ_OPTION_KEYS, 'read');
    return this.#copy(out, o.offset, o.max);
  }

  read(options?: ReadOptions): Ret<M, OutputBuffer> {
    const o = ioOptions(options, READ_OPTION_KEYS, 'read');
    return this.#owned(o.offset, o.max);
  }

  readAtOffset(offset: number, options?: OpOptions): Ret<M, OutputBuffer> {
    const at = requiredOffset(offset);
    ioOptions(options, OP_OPTION_KEYS, 'read');
    return this.#owned(at, Number.POSITIVE_INFINITY);
  }

  #owned(offset: number, max: number): Ret<M, OutputBuffer> {
    if (this.#closed) throw closedError('read', this.path);
    const pool = this.#host.pool();
    const buf = pool.getBuffer();
    let r: number | Promise<number>;
    try {
      r = this.#copy(buf, offset, max) as number | Promise<number>;
    } catch (e) {
      pool.recycleBuffer(buf);
      throw e;
    }
    if (typeof r === 'number') return buf as unknown as Ret<M, OutputBuffer>;
    return r.then(
      () => buf,
      (e: unknown) => {
        pool.recycleBuffer(buf);
        throw e;
      },
    ) as unknown as Ret<M, OutputBuffer>;
  }

  #copy(out: OutputBuffer, offset: number, max: number): Ret<M, number> {
    if (this.#closed) throw closedError('read', this.path);
    if (!(out instanceof OutputBuffer)) lendTarget(out);
    const at = offset < 0 ? this.#cursor : offset;
    let n = Math.min(out._bytes.byteLength - out._count, this.#length - at, max);
    if (n < 0) n = 0;
    out.assertOwned('read into');
    if (offset < 0) this.#cursor += n;
    if (this.mode === 'sync') {
      if (n > 0) out._bytes.set(this.#mapped().subarray(at, at + n), out._count);
      out._count += n;
      return n as Ret<M, number>;
    }
    if (n === 0) return Promise.resolve(0) as Ret<M, number>;
    const dst = lendTarget(out, n);
    this.#pending++;
    return new Promise<number>((resolve, reject) => {
      callAsync(memcpyFrom, [dst, this.#address + BigInt(at), n], (err) => {
        settleTarget(out, err ? 0 : n);
        if (--this.#pending === 0) for (const w of this.#idle.splice(0)) w();
        if (err) reject(err);
        else resolve(n);
      });
    }) as Ret<M, number>;
  }

  /** The mapped length. */
  size(): Ret<M, number> {
    if (this.#closed) throw closedError('size', this.path);
    return (this.mode === 'sync' ? this.#length : Promise.resolve(this.#length)) as Ret<M, number>;
  }

  /** Unmaps (after pending copies in async mode). Closing twice is a no-op. */
  close(): Ret<M, void> {
    if (this.#closed)
      return (this.mode === 'sync' ? undefined : (this.#closing ?? Promise.resolve())) as Ret<
        M,
        void
      >;
    this.#closed = true;
    this.#host.forget(this);
    if (this.mode === 'sync') {
      this.#unmap();
      return undefined as Ret<M, void>;
    }
    this.#closing = new Promise<void>((resolve) => {
      if (this.#pending === 0) resolve();
      else this.#idle.push(resolve);
    }).then(() => this.#unmap());
    return this.#closing as Ret<M, void>;
  }

  #unmap(): void {
    const address = this.#address;
    this.#address = 0n;
    this.#view = undefined;
    if (this.#length === 0 || address === 0n) return;
    if (this.#exposed) {
      // Someone may still hold `bytes`: swap in zero pages at the same place.
      const flags = MMAN.MAP_PRIVATE | MMAN.MAP_ANONYMOUS | MMAN.MAP_FIXED | MMAN.MAP_NORESERVE;
      if (
        mmap(address, this.#length, MMAN.PROT_READ | MMAN.PROT_WRITE, flags, -1, 0) !== MAP_FAILED
      )
        return;
      // Could not replace it: leave the mapping in place rather than risk a crash.
      return;
    }
    munmap(address, this.#length);
  }
}
