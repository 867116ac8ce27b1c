import type { BufferPool, Capability, OutputBuffer } from '@binio/core';
import { lseek } from '../libc/file-calls.js';
import { lastErrno } from '../libc/lib.js';
import { SEEK } from '../linux/file-constants.js';
import { fileHandleCapabilities } from './capabilities.js';
import { checkDirect, type DirectAlignment } from './direct.js';
import { closedError, directionError, syscallError } from './errors.js';
import type { OpenRequest } from './open-flags.js';

/** What a file handle needs from its engine. */
export interface FileHost {
  /** The engine's buffer pool (made on first use) for owned reads. */
  pool(): BufferPool;
  /** Called once when a handle is closed (the engine stops tracking it). */
  forget(handle: object): void;
}

/**
 * State and checks both modes share: the descriptor (-1 once closed), how
 * it was opened, and the `O_DIRECT` alignment. The hot paths read these
 * fields directly; everything here is cheap enough to run on every call.
 */
export abstract class FileBase {
  /** @internal The descriptor; -1 once closed. */
  _fd: number;
  /** The path it was opened with. */
  readonly path: string;
  /** What this handle implements. */
  readonly capabilities: ReadonlySet<Capability>;
  /** Opened with `O_DIRECT`. */
  readonly direct: boolean;
  /** The `O_DIRECT` alignment rules (undefined without `O_DIRECT`). */
  readonly directAlignment: DirectAlignment | undefined;
  /** @internal */ readonly _readable: boolean;
  /** @internal */ readonly _writable: boolean;
  /** @internal */ readonly _append: boolean;
  /** @internal */ readonly _host: FileHost;
  /** @internal `st_blksize`, read once. */
  _blockSize = 0;

  constructor(fd: number, req: OpenRequest, align: DirectAlignment | undefined, host: FileHost) {
    this._fd = fd;
    this.path = req.path;
    this._readable = req.readable;
    this._writable = req.writable;
    this._append = req.append;
    this.direct = req.direct;
    this.directAlignment = align;
    this._host = host;
    this.capabilities = fileHandleCapabilities(req);
  }

  /** The descriptor, or -1 once closed. */
  get fd(): number {
    return this._fd;
  }

  /** True once closed. */
  get closed(): boolean {
    return this._fd < 0;
  }

  /** @internal The descriptor, or the reason this operation is refused. */
  _use(op: string, need?: 'reading' | 'writing'): number {
    const fd = this._fd;
    if (fd < 0) throw closedError(op, this.path);
    if (need === 'reading' && !this._readable) throw directionError(op, this.path, need);
    if (need === 'writing' && !this._writable) throw directionError(op, this.path, need);
    return fd;
  }

  /**
   * @internal Applies the `O_DIRECT` rules to `bytes[start, start+len)` at
   * `offset` (-1: the cursor, read with `lseek`, which does no IO).
   */
  _checkDirect(bytes: Uint8Array, start: number, len: number, offset: number, op: string): void {
    const align = this.directAlignment!;
    let at = offset;
    if (at < 0) {
      // An append write lands at the end, wherever the cursor is: the kernel judges it.
      if (this._append) at = 0;
      else {
        at = Number(lseek(this._fd, 0, SEEK.SEEK_CUR));
        if (at < 0) throw syscallError(lastErrno(), 'lseek', this.path, 0);
      }
    }
    checkDirect(align, bytes, start, len, at, offset < 0, op, this.path);
  }

  /**
   * @internal The `O_DIRECT` check for a read target: a buffer held
   * elsewhere or recycled is refused for that first (the clearer reason).
   */
  _checkDirectTarget(out: OutputBuffer, start: number, len: number, offset: number): void {
    out.assertOwned('read into');
    this._checkDirect(out._bytes, start, len, offset, 'read');
  }

  /** @internal The cursor position (for hints without an offset). */
  _cursor(): number {
    const at = Number(lseek(this._fd, 0, SEEK.SEEK_CUR));
    if (at < 0) throw syscallError(lastErrno(), 'lseek', this.path, 0);
    return at;
  }
}
