import { randomFillSync } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataFiles } from './subject.js';

/** The data files and how to remove what the bench made. */
export interface PreparedFiles extends DataFiles {
  /** Removes the files the bench created (never a `--file` that was there before). */
  cleanup(): void;
}

const CHUNK = 1 << 20;

/** Writes `size` bytes of random-looking data to a new file at `path`. */
export function writeDataFile(path: string, size: number): void {
  const chunk = new Uint8Array(CHUNK);
  randomFillSync(chunk);
  const fd = openSync(path, 'w');
  try {
    for (let done = 0; done < size; ) {
      const n = Math.min(CHUNK, size - done);
      // Vary each chunk a little so no two blocks of the file are alike.
      chunk[0] = (done / CHUNK) & 0xff;
      done += writeSync(fd, chunk, 0, n, done);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The files of the file workloads. By default both live in a fresh temp
 * directory and go at the end. With `--file PATH`, reads use PATH as it is
 * (made at `size` if absent, and kept); writes always go to a file of the
 * bench's own beside it, so a user's file is never written.
 */
export function prepareDataFiles(size: number, userPath?: string): PreparedFiles {
  const made: string[] = [];
  let dir: string | undefined;
  let readPath: string;
  let writePath: string;
  if (userPath === undefined) {
    dir = mkdtempSync(join(tmpdir(), 'binio-bench-'));
    readPath = join(dir, 'read.dat');
    writePath = join(dir, 'write.dat');
  } else {
    readPath = userPath;
    writePath = `${userPath}.binio-bench-write`;
  }
  if (existsSync(readPath)) {
    size = statSync(readPath).size;
    if (size < 1 << 20)
      throw new Error(
        `${readPath} is too small for the file workloads (${size} bytes; 1 MiB at least)`,
      );
  } else {
    writeDataFile(readPath, size);
  }
  writeDataFile(writePath, size);
  made.push(writePath);
  return {
    readPath,
    writePath,
    size,
    cleanup() {
      for (const f of made) rmSync(f, { force: true });
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
