import { createRequire } from 'node:module';
import { IoError } from '@binio/core';

/** The native side of a watch (see `native/watch.cc`). */
export interface NativeWatch {
  update(events: number): void;
  close(): void;
  ref(): void;
  unref(): void;
  hasRef(): boolean;
}

/** What the addon exports. */
export interface NativeLoopAddon {
  Watch: new (
    fd: number,
    events: number,
    callback: (errno: number, events: number) => void,
  ) => NativeWatch;
  READABLE: number;
  WRITABLE: number;
  DISCONNECT: number;
  PRIORITIZED: number;
}

// The same relative path works from src/ (tests) and dist/ (published).
const ADDON_PATH = '../native/build/Release/binio_native_loop.node';

let cached: NativeLoopAddon | undefined;

/**
 * Loads the compiled addon once. It is built by the package's `build`
 * script (the workspace build), never at install, so a missing file is
 * reported with the command that builds it.
 */
export function loadAddon(): NativeLoopAddon {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  try {
    cached = require(ADDON_PATH) as NativeLoopAddon;
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND';
    throw new IoError({
      code: 'ERR_UNSUPPORTED',
      message: missing
        ? '@binio/native-loop: the native addon is not built (native/build/Release/binio_native_loop.node is missing). ' +
          'Build it with `pnpm --filter @binio/native-loop build` (or `pnpm build` at the workspace root); ' +
          'it needs a C++ compiler, python3 and make (node-gyp).'
        : `@binio/native-loop: the native addon failed to load: ${(e as Error).message}`,
      cause: e,
    });
  }
  return cached;
}
