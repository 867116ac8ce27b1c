import { abortError } from '@binio/core';
import { close, openat } from '../libc/file-calls.js';
import { lastErrno } from '../libc/lib.js';
import { E } from '../linux/errno.js';
import { AT } from '../linux/file-constants.js';
import { callAsync } from './async-call.js';
import { AsyncFile } from './async-file.js';
import type { FileHost } from './base.js';
import type { DirectAlignment } from './direct.js';
import { syscallError } from './errors.js';
import type { OpenRequest } from './open-flags.js';
import { directAlignment, statxAsync, statxSync } from './stat.js';
import { SyncFile } from './sync-file.js';

/**
 * Opens a file on the JS thread. `open` is retried on EINTR (a FIFO open
 * can be interrupted). If anything after the open fails, the descriptor is
 * closed before the error is thrown: nothing is left behind.
 */
export function openSync(req: OpenRequest, host: FileHost): SyncFile {
  let fd: number;
  for (;;) {
    fd = openat(AT.AT_FDCWD, req.path, req.flags, req.mode);
    if (fd >= 0) break;
    const errno = lastErrno();
    if (errno !== E.EINTR) throw syscallError(errno, 'openat', req.path, 0);
  }
  let align: DirectAlignment | undefined;
  try {
    if (req.direct) align = directAlignment(statxSync(fd, req.path), fd, req.path);
  } catch (e) {
    close(fd);
    throw e;
  }
  return new SyncFile(fd, req, align, host);
}

function openOnPool(req: OpenRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const attempt = () =>
      callAsync(openat, [AT.AT_FDCWD, req.path, req.flags, req.mode], (err, fd, errno) => {
        if (err) reject(err);
        else if (fd >= 0) resolve(fd);
        else if (errno === E.EINTR) attempt();
        else reject(syscallError(errno, 'openat', req.path, 0));
      });
    attempt();
  });
}

/**
 * Opens a file on the thread pool. A signal aborted while the open runs
 * rejects with `ERR_ABORTED` once it returns, and the new descriptor is
 * closed: nothing is left behind.
 */
export async function openAsync(req: OpenRequest, host: FileHost): Promise<AsyncFile> {
  if (req.signal?.aborted) throw abortError(req.signal, 'openat');
  const fd = await openOnPool(req);
  try {
    if (req.signal?.aborted) throw abortError(req.signal, 'openat');
    const align = req.direct
      ? directAlignment(await statxAsync(fd, req.path), fd, req.path)
      : undefined;
    return new AsyncFile(fd, req, align, host);
  } catch (e) {
    close(fd);
    throw e;
  }
}
