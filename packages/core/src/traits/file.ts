import type { Mode, Ret } from '../mode.js';
import type { Handle } from './handle.js';
import type { FileInfo, SpanReader, SpanWriter } from './io.js';

/** Options when opening an existing file. Unknown keys are refused. */
export interface OpenOptions {
  /** `O_DIRECT`: bypass the page cache; buffers, offsets and lengths must be aligned. */
  direct?: boolean;
  /** `O_DSYNC` (`'data'`) or `O_SYNC` (`'full'`): writes return once durable. */
  sync?: 'data' | 'full';
  /** `O_NOFOLLOW`: fail with `ELOOP` if the last component is a symbolic link. */
  noFollow?: boolean;
  /** `O_TRUNC`: truncate to 0 on open (writable opens only). */
  truncate?: boolean;
  /** Abort the open (async engines). */
  signal?: AbortSignal;
}

/** Options when creating a file. */
export interface CreateOptions extends Omit<OpenOptions, 'truncate'> {
  /** Permission bits (default 0o666, masked by the umask). */
  mode?: number;
  /** `O_EXCL`: fail with `EEXIST` if the file exists (default true). */
  exclusive?: boolean;
  /** Truncate an existing file when `exclusive` is false (default true). */
  truncate?: boolean;
}

/** Keys of {@link OpenOptions}. */
export const OPEN_OPTION_KEYS = ['direct', 'sync', 'noFollow', 'truncate', 'signal'] as const;
/** Keys of {@link CreateOptions}. */
export const CREATE_OPTION_KEYS = [...OPEN_OPTION_KEYS, 'mode', 'exclusive'] as const;

/** A file opened for reading. */
export interface ReadableFile<M extends Mode> extends Handle<M>, SpanReader<M>, FileInfo<M> {
  /** The path it was opened with. */
  readonly path: string;
}

/** A file opened for writing. */
export interface WritableFile<M extends Mode> extends Handle<M>, SpanWriter<M>, FileInfo<M> {
  /** The path it was opened with. */
  readonly path: string;
}

/** A file opened for reading and writing. */
export interface File<M extends Mode> extends ReadableFile<M>, WritableFile<M> {}

/** `IoEngine_File_Open_ReadOnly`. */
export interface FileOpenReadOnly<M extends Mode> {
  /** Opens an existing file for reading. */
  openReadOnly(path: string, options?: OpenOptions): Ret<M, ReadableFile<M>>;
}

/** `IoEngine_File_Open_WriteOnly`. */
export interface FileOpenWriteOnly<M extends Mode> {
  /** Opens an existing file for writing. */
  openWriteOnly(path: string, options?: OpenOptions): Ret<M, WritableFile<M>>;
}

/** `IoEngine_File_Open_ReadWrite`. */
export interface FileOpenReadWrite<M extends Mode> {
  /** Opens an existing file for reading and writing. */
  openReadWrite(path: string, options?: OpenOptions): Ret<M, File<M>>;
}

/** `IoEngine_File_Open_Append`. */
export interface FileOpenAppend<M extends Mode> {
  /** Opens an existing file for appending: every write goes to the end. */
  openAppend(path: string, options?: OpenOptions): Ret<M, WritableFile<M>>;
}

/** `IoEngine_File_Create`. */
export interface FileCreate<M extends Mode> {
  /** Creates a file and opens it for reading and writing. */
  create(path: string, options?: CreateOptions): Ret<M, File<M>>;
}

/** `IoEngine_File_Close`. */
export interface FileClose<M extends Mode> {
  /** Closes a file handle from this engine (same as `handle.close()`). */
  closeFile(handle: ReadableFile<M> | WritableFile<M>): Ret<M, void>;
}

/** `IoEngine_FileHandler`: all six file traits. */
export interface FileHandler<M extends Mode>
  extends FileOpenReadOnly<M>,
    FileOpenWriteOnly<M>,
    FileOpenReadWrite<M>,
    FileOpenAppend<M>,
    FileCreate<M>,
    FileClose<M> {}
