import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstLine, runCommand } from './process.js';

/** Where `native/` is, next to `dist/` (and `src/`). */
export const NATIVE_DIR = new URL('../../native/', import.meta.url);

/** What a helper needs beyond `cc -O2 file.c`. */
export interface HelperBuild {
  /** Folders of headers it includes (their `.h` files count in the cache key). */
  readonly includeDirs?: readonly string[];
  /** Compiler and linker flags after the source (e.g. from `pkg-config --cflags --libs`). */
  readonly flags?: readonly string[];
}

/**
 * Compiles a C helper from `native/` with `cc -O2` into `cacheDir`, once per
 * version of its source, headers (`native/`'s and `includeDirs`') and flags
 * (the file name carries a hash of them), and returns the executable's
 * path. Throws a one-line reason when there is no compiler or the build
 * fails.
 */
export async function compileHelper(
  name: string,
  cacheDir: string,
  build: HelperBuild = {},
): Promise<string> {
  const source = new URL(`${name}.c`, NATIVE_DIR);
  const h = createHash('sha256').update(readFileSync(source));
  const includes = build.includeDirs ?? [];
  // native/'s own headers (bench-protocol.h) are found next to the source.
  for (const dir of [fileURLToPath(NATIVE_DIR), ...includes]) {
    for (const f of readdirSync(dir)
      .filter((f) => f.endsWith('.h'))
      .sort()) {
      h.update(f).update(readFileSync(join(dir, f)));
    }
  }
  const args = [...includes.map((d) => `-I${d}`), ...(build.flags ?? [])];
  const hash = h.update(args.join(' ')).digest('hex').slice(0, 12);
  const bin = join(cacheDir, `${name}-${hash}`);
  if (existsSync(bin)) return bin;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  const out = await runCommand('cc', ['-O2', '-o', tmp, fileURLToPath(source), ...args], 120_000);
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
