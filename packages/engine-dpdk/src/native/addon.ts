import { createRequire } from 'node:module';
import { IoError } from '@binio/core';
import { INSTALL_HINT } from './install-hint.js';
import type { DpdkAddon } from './types.js';

// The same relative path works from src/ (tests) and dist/ (published).
const ADDON_PATH = '../../native/build/Release/binio_dpdk.node';

let cached: DpdkAddon | undefined;
let failure: IoError | undefined;

/**
 * Loads the addon once. When it is missing or DPDK's libraries are not
 * installed, throws `ERR_UNSUPPORTED` saying exactly what to install.
 */
export function loadAddon(path: string = ADDON_PATH): DpdkAddon {
  if (cached) return cached;
  if (failure && path === ADDON_PATH) throw failure;
  const require = createRequire(import.meta.url);
  try {
    const addon = require(path) as DpdkAddon;
    if (path === ADDON_PATH) cached = addon;
    return addon;
  } catch (e) {
    const err = explainLoadFailure(e);
    if (path === ADDON_PATH) failure = err;
    throw err;
  }
}

/** Why the addon is unavailable, or undefined when it loads. Suites use it to skip. */
export function addonUnavailableReason(): string | undefined {
  try {
    loadAddon();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function explainLoadFailure(e: unknown): IoError {
  const code = (e as NodeJS.ErrnoException).code;
  const text = (e as Error).message ?? String(e);
  let why: string;
  if (code === 'MODULE_NOT_FOUND') {
    why = 'its native addon is not built (native/build/Release/binio_dpdk.node is missing)';
  } else if (/librte_\S+\.so/.test(text)) {
    why = `DPDK's shared libraries are missing (${text.match(/librte_\S+\.so[.\d]*/)?.[0]} cannot be loaded)`;
  } else {
    why = `its native addon failed to load: ${text}`;
  }
  return new IoError({
    code: 'ERR_UNSUPPORTED',
    engine: 'dpdk',
    message: `@binio/engine-dpdk cannot run: ${why}. ${INSTALL_HINT}`,
    cause: e,
  });
}
