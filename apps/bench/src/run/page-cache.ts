import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Rebuilds a file's page cache the way PLATFORM.md asks for stable cached
 * reads: drop it (`posix_fadvise(POSIX_FADV_DONTNEED)`, through GNU dd's
 * `iflag=nocache`, so the bench needs no native code of its own), then read
 * the whole file sequentially, so it comes back as readahead brings it and
 * not as the fragments random 4 KiB refaults leave after the kernel aged it
 * out. Returns false when the drop was not possible (the sequential read
 * still happens).
 */
export function recache(path: string): boolean {
  const dd = spawnSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none'], {
    stdio: 'ignore',
  });
  readSequentially(path);
  return dd.status === 0;
}

/** Reads `path` from start to end in 1 MiB reads (brings it into the page cache). */
export function readSequentially(path: string): void {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    let offset = 0;
    for (
      let n = readSync(fd, buf, 0, buf.length, offset);
      n > 0;
      n = readSync(fd, buf, 0, buf.length, offset)
    ) {
      offset += n;
    }
  } finally {
    closeSync(fd);
  }
}
