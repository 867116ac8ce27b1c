import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real kernel pipe without FFI: a FIFO opened read-write and non-blocking
 * gives one descriptor that both ends can use, and that epoll watches.
 */
export function makeFifo(): {
  fd: number;
  path: string;
  write(s?: string): void;
  drain(): number;
  close(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'binio-loop-'));
  const path = join(dir, 'fifo');
  execFileSync('mkfifo', [path]);
  const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  return {
    fd,
    path,
    write(s = 'x') {
      writeSync(fd, s);
    },
    drain() {
      const buf = Buffer.alloc(4096);
      let total = 0;
      for (;;) {
        try {
          const n = readSync(fd, buf);
          if (n <= 0) return total;
          total += n;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return total;
          throw e;
        }
      }
    },
    close() {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Lets the loop run through at least one poll phase. */
export function loopTurn(): Promise<void> {
  return new Promise((r) => setTimeout(r, 15));
}
