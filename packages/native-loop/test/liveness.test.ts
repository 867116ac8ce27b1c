import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeFifo } from './fifo.js';

// The addon itself decides whether a watch keeps the loop alive, so these
// child processes load it directly (no TypeScript needed in the child).
const ADDON = fileURLToPath(
  new URL('../native/build/Release/binio_native_loop.node', import.meta.url),
);

// Runs `body` in a child Node that has the FIFO as its descriptor 3.
function child(body: string, fifoFd: number) {
  const script = `
    const { Watch, READABLE } = require(${JSON.stringify(ADDON)});
    const fs = require('node:fs');
    const fd = 3;
    ${body}
  `;
  return spawnSync(process.execPath, ['-e', script], {
    stdio: ['ignore', 'pipe', 'pipe', fifoFd],
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('process liveness', () => {
  it('a referenced watch keeps the process alive until it fires', () => {
    const f = makeFifo();
    try {
      const r = child(
        `const w = new Watch(fd, READABLE, () => { console.log('fired'); w.close(); });
         setTimeout(() => fs.writeSync(fd, 'x'), 50);`,
        f.fd,
      );
      expect(r.signal).toBeNull();
      expect(r.stdout.trim()).toBe('fired');
      expect(r.status).toBe(0);
    } finally {
      f.close();
    }
  });

  it('an unreferenced watch does not keep the process alive', () => {
    const f = makeFifo();
    try {
      const r = child(
        `const w = new Watch(fd, READABLE, () => console.log('fired'));
         w.unref();
         setTimeout(() => fs.writeSync(fd, 'x'), 50);`,
        f.fd,
      );
      expect(r.signal).toBeNull();
      expect(r.stdout).toBe('');
      expect(r.status).toBe(0);
    } finally {
      f.close();
    }
  });

  it('a closed watch does not keep the process alive', () => {
    const f = makeFifo();
    try {
      const r = child(
        `const w = new Watch(fd, READABLE, () => console.log('fired')); w.close();`,
        f.fd,
      );
      expect(r.signal).toBeNull();
      expect(r.status).toBe(0);
    } finally {
      f.close();
    }
  });

  it('an exception in the callback is an uncaught exception, not a crash', () => {
    const f = makeFifo();
    try {
      const r = child(
        `process.on('uncaughtException', (e) => { console.log('caught ' + e.message); process.exit(7); });
         new Watch(fd, READABLE, () => { throw new Error('boom'); });
         fs.writeSync(fd, 'x');`,
        f.fd,
      );
      expect(r.signal).toBeNull();
      expect(r.stdout.trim()).toBe('caught boom');
      expect(r.status).toBe(7);
    } finally {
      f.close();
    }
  });
});
