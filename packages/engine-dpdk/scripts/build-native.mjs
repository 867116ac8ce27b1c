#!/usr/bin/env node
// Builds native/ (the DPDK addon) with the repository's shared node-gyp
// script when DPDK's development files are installed. Without them it prints
// what to install and skips the addon, so a workspace build on a machine
// without DPDK still succeeds; set BINIO_REQUIRE_DPDK=1 (CI) to make a
// missing DPDK an error instead.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What to install, word for word the same as the loader's message. */
export const INSTALL_HINT =
  'Install DPDK and pkg-config: `apt-get install -y dpdk-dev libdpdk-dev pkg-config` ' +
  '(Debian 12 / Ubuntu 22.04+; Fedora: `dnf install dpdk-devel pkgconf`), then rebuild: ' +
  '`pnpm --filter @binio/engine-dpdk build` in the binio workspace, or `npm rebuild @binio/engine-dpdk`.';

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));

function dpdkMissing() {
  const r = spawnSync('pkg-config', ['--exists', '--print-errors', 'libdpdk'], {
    encoding: 'utf8',
  });
  if (r.error) return 'pkg-config is not installed';
  if (r.status !== 0) return `pkg-config cannot find libdpdk (${r.stderr.trim().split('\n')[0]})`;
  return undefined;
}

function gypScript() {
  const shared = join(pkg, '..', '..', 'scripts', 'build-addon.mjs');
  if (existsSync(shared)) return [shared];
  // Published package: node-gyp from the package manager running the install.
  const require = createRequire(import.meta.url);
  try {
    return [require.resolve('node-gyp/bin/node-gyp.js'), 'rebuild'];
  } catch {
    if (process.env.npm_config_node_gyp) return [process.env.npm_config_node_gyp, 'rebuild'];
    return undefined;
  }
}

/** Builds the addon; returns true when built. */
export function buildNative({ required }) {
  const missing = dpdkMissing();
  if (missing) {
    const msg = `@binio/engine-dpdk: DPDK is not available: ${missing}. ${INSTALL_HINT}`;
    if (required) {
      console.error(msg);
      process.exit(1);
    }
    console.warn(`${msg} Skipping the native addon.`);
    return false;
  }
  const script = gypScript();
  if (!script) {
    console.warn(
      '@binio/engine-dpdk: node-gyp was not found; run `npm rebuild @binio/engine-dpdk` with npm.',
    );
    return false;
  }
  const r = spawnSync(process.execPath, [...script, '--directory=native'], {
    cwd: pkg,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    if (required) process.exit(r.status ?? 1);
    console.warn('@binio/engine-dpdk: building the native addon failed (see above).');
    return false;
  }
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildNative({ required: process.env.BINIO_REQUIRE_DPDK === '1' });
}
