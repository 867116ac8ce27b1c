import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstLine, runCommand } from './process.js';

/** Where `native/` is, next to `dist/` (and `src/`). */
export const NATIVE_DIR = new URL('../../native/', import.meta.url);

/**
 * Compiles a C helper from `native/` with `cc -O2` into `cacheDir`, once per
 * version of its source (the file name carries a hash of it), and returns
 * the executable's path. Throws a one-line reason when there is no compiler
 * or the build fails.
 */
export async function compileHelper(name: string, cacheDir: string): Promise<string> {
  const source = new URL(`${name}.c`, NATIVE_DIR);
  const text = readFileSync(source);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  const bin = join(cacheDir, `${name}-${hash}`);
  if (existsSync(bin)) return bin;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  const out = await runCommand('cc', ['-O2', '-o', tmp, fileURLToPath(source)], 120_000);
  if (out.code !== 0) {
    throw new Error(
      out.code === null
        ? `no C compiler (cc): ${firstLine(out.stderr)}`
        : `cc failed: ${firstLine(out.stderr)}`,
    );
  }
  // Rename last: a concurrent bench never runs a half-written binary.
  renameSync(tmp, bin);
  return bin;
}
