import type { BufferList } from '../buffers/buffer-list.js';
import type { OutputBuffer } from '../buffers/output-buffer.js';
import type { ByteSource } from '../buffers/source.js';
import type { Mode, Ret } from '../mode.js';
import type { OpOptions, ReadOptions, WriteOptions } from './options.js';

/**
 * Span reads (`read(into:)`, `read(filling:)`): the read appends to an
 * {@link OutputBuffer} and commits what arrived. EOF is not an error.
 */
export interface SpanReader<M extends Mode> {
  /**
   * One read into `out`'s free space; returns the bytes read, 0 at EOF (or
   * when `out` has no free space). With `offset`, reads at that absolute
   * position without moving the cursor.
   */
  readInto(out: OutputBuffer, options?: ReadOptions): Ret<M, number>;
  /**
   * Reads until `out` is full or EOF; returns the bytes read (short only at
   * EOF). With `offset`, the reads continue from that position.
   */
  readFilling(out: OutputBuffer, options?: ReadOptions): Ret<M, number>;
}

/**
 * Span writes (`write`, `writeAll`). An {@link InputBuffer} source is consumed
 * by what was written.
 */
export interface SpanWriter<M extends Mode> {
  /** One write; may be partial; returns the bytes written. */
  write(data: ByteSource, options?: WriteOptions): Ret<M, number>;
  /** Writes everything, looping over partial writes; resolves when all is written. */
  writeAll(data: ByteSource, options?: WriteOptions): Ret<M, void>;
}

/** The proposal's `Writer`: the whole buffer or an error. */
export interface Writer<M extends Mode> {
  /** Writes all of `data` (same as `writeAll`). */
  writeBuffer(data: ByteSource, options?: OpOptions): Ret<M, void>;
}

/** The proposal's owned reader: the engine hands back a buffer it filled. */
export interface Reader<M extends Mode> {
  /** A buffer from the engine's provider, filled by one read; `initialized === 0` at EOF. Recycle it. */
  read(options?: ReadOptions): Ret<M, OutputBuffer>;
}

/** Reads at an absolute offset without moving the cursor (pread). */
export interface OffsetReader<M extends Mode> {
  /** Owned read at `offset`: a filled engine buffer, to be recycled. */
  readAtOffset(offset: number, options?: OpOptions): Ret<M, OutputBuffer>;
}

/** Writes at an absolute offset without moving the cursor (pwrite). */
export interface OffsetWriter<M extends Mode> {
  /** Writes all of `data` at `offset`. */
  writeAtOffset(data: ByteSource, offset: number, options?: OpOptions): Ret<M, void>;
}

/** Vectored IO over a {@link BufferList}: the list's cursor tracks progress. */
export interface VectoredIo<M extends Mode> {
  /** One vectored read into the list after its cursor; returns bytes read (0 at EOF). */
  readv(list: BufferList, options?: ReadOptions): Ret<M, number>;
  /** One vectored write of the list after its cursor; returns bytes written. */
  writev(list: BufferList, options?: WriteOptions): Ret<M, number>;
}

/** The block size IO should use for best speed. */
export interface PreferredBlockSize<M extends Mode> {
  /** Bytes; `st_blksize`, or the logical block size under `O_DIRECT`. */
  preferredBlockSize(): Ret<M, number>;
}

/** Hints that a read of this amount is coming (prefetch). */
export interface NotifyExpectedReadAmount<M extends Mode> {
  /** Prefetches `bytes` from `offset` (default: the cursor). */
  notifyExpectedReadAmount(bytes: number, options?: { offset?: number }): Ret<M, void>;
}

/** Hints that a write of this amount is coming (reserve space). */
export interface NotifyExpectedWriteAmount<M extends Mode> {
  /** Reserves `bytes` from `offset` (default: the cursor) without changing the size. */
  notifyExpectedWriteAmount(bytes: number, options?: { offset?: number }): Ret<M, void>;
}

/** Pushes buffered data to the kernel. */
export interface Flushable<M extends Mode> {
  /** Resolves when everything written so far has reached the kernel. */
  flush(): Ret<M, void>;
}

/** Makes data durable. */
export interface Syncable<M extends Mode> {
  /** fsync (or fdatasync with `dataOnly`): resolves when the data is durable. */
  fsync(options?: { dataOnly?: boolean }): Ret<M, void>;
}

/** Size and cursor of a file. */
export interface FileInfo<M extends Mode> {
  /** Current size in bytes. */
  size(): Ret<M, number>;
}
