#!/usr/bin/env node
// Runs every package's typecheck and tests through turbo (builds first) and
// biome's lint over the tree, then prints one summary over all packages from
// the JSON reports vitest wrote; exits non-zero if any step failed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dirs = ['packages', 'apps'].flatMap((d) =>
  existsSync(join(root, d)) ? readdirSync(join(root, d)).map((p) => join(root, d, p)) : [],
);
const reportOf = (dir) => join(dir, 'test-results.json');
for (const dir of dirs) rmSync(reportOf(dir), { force: true });

const turbo = spawnSync('pnpm', ['exec', 'turbo', 'run', 'typecheck', 'test', '--concurrency=1', '--continue', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});

const lint = spawnSync('pnpm', ['exec', 'biome', 'lint', '.'], { cwd: root, stdio: 'inherit' });

let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
for (const dir of dirs) {
  if (!existsSync(reportOf(dir))) continue;
  const r = JSON.parse(readFileSync(reportOf(dir), 'utf8'));
  const p = r.numPassedTests ?? 0;
  const f = r.numFailedTests ?? 0;
  const s = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  passed += p;
  failed += f;
  skipped += s;
  rows.push(`  ${dir.slice(root.length).padEnd(28)} ${String(p).padStart(5)} passed ${String(f).padStart(4)} failed ${String(s).padStart(4)} skipped`);
}
console.log('\nbinio test summary');
for (const row of rows) console.log(row);
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (lint.status !== 0) console.log('biome lint failed (see above)');
process.exit(turbo.status === 0 && lint.status === 0 ? 0 : 1);
