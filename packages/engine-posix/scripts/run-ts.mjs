#!/usr/bin/env node
// Runs one TypeScript script of this package against the workspace sources
// (the `@binio/source` condition), without a build: bundles it with the
// esbuild that vite brings, into node_modules/.cache, and imports that. For local
// measuring scripts only; tests run under vitest.
//   node scripts/run-ts.mjs scripts/bench-pread.ts [args…]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// esbuild is vite's dependency, not ours: resolve it from where vite is.
const esbuild = createRequire(createRequire(import.meta.url).resolve('vite'))('esbuild');
const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <script.ts> [args…]');
  process.exit(2);
}
// Inside node_modules (ignored by git) so that `koffi` resolves from the bundle.
const cache = join(process.cwd(), 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(join(cache, 'binio-run-'));
const out = join(dir, 'script.mjs');
try {
  await esbuild.build({
    entryPoints: [resolve(entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: out,
    conditions: ['@binio/source'],
    external: ['koffi', 'vitest', 'vite'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'error',
    absWorkingDir: process.cwd(),
  });
  process.argv = [process.argv[0], out, ...rest];
  await import(pathToFileURL(out).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
