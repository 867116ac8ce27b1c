import type {
  BufferList,
  ByteSource,
  Flushable,
  Mode,
  NotifyExpectedReadAmount,
  NotifyExpectedWriteAmount,
  OffsetReader,
  OffsetWriter,
  OutputBuffer,
  PreferredBlockSize,
  ReadableFile,
  Reader,
  Ret,
  Syncable,
  VectoredIo,
  WritableFile,
  Writer,
} from '@binio/core';
import type { StatxInfo } from '../linux/file-layouts.js';
import type { DirectAlignment } from './direct.js';
import type { RwfReadOptions, RwfWriteOptions } from './rwf.js';

/** What every posix file handle has beyond core's traits. */
export interface PosixFileExtras<M extends Mode> extends VectoredIo<M>, PreferredBlockSize<M> {
  /** The descriptor, or -1 once closed. Operations on it outside the handle are the caller's risk. */
  readonly fd: number;
  /** Opened with `O_DIRECT`. */
  readonly direct: boolean;
  /** The `O_DIRECT` alignment rules (undefined without `O_DIRECT`). */
  readonly directAlignment: DirectAlignment | undefined;
  /** `statx` of the open file. */
  stat(): Ret<M, StatxInfo>;
  /** `preadv2`; `flags` are this call's `RWF_*` flags by name (`hipri`, `nowait`). */
  readv(list: BufferList, options?: RwfReadOptions): Ret<M, number>;
  /** `pwritev2`; `flags` are this call's `RWF_*` flags by name (`hipri`, `nowait`, `dsync`, `sync`, `append`). */
  writev(list: BufferList, options?: RwfWriteOptions): Ret<M, number>;
}

/** A posix file opened for reading. */
export interface PosixReadableFile<M extends Mode>
  extends ReadableFile<M>,
    PosixFileExtras<M>,
    Reader<M>,
    OffsetReader<M>,
    NotifyExpectedReadAmount<M> {
  /** One read into `out`'s free space; with `flags`, one `preadv2` with those `RWF_*` flags. */
  readInto(out: OutputBuffer, options?: RwfReadOptions): Ret<M, number>;
}

/** A posix file opened for writing. */
export interface PosixWritableFile<M extends Mode>
  extends WritableFile<M>,
    PosixFileExtras<M>,
    Writer<M>,
    OffsetWriter<M>,
    NotifyExpectedWriteAmount<M>,
    Flushable<M>,
    Syncable<M> {
  /** One write of `data` (may be partial); with `flags`, one `pwritev2` with those `RWF_*` flags. */
  write(data: ByteSource, options?: RwfWriteOptions): Ret<M, number>;
  /** Sets the file's size (`ftruncate`): cut to `size` bytes, or extended with zeros. */
  truncate(size: number): Ret<M, void>;
}

/** A posix file opened for reading and writing. */
export interface PosixFile<M extends Mode> extends PosixReadableFile<M>, PosixWritableFile<M> {}
