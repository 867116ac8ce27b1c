import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { nodeApiSubjects } from '../run/node-api.js';
import { POOLED_OVERHEAD_MS } from '../run/plan.js';
import { firstLine, runCommand } from '../run/process.js';
import type { ProbeResult, SubjectFamily } from '../run/subject.js';

const PLATFORM_PACKAGE = '@oven/bun-linux-x64';

/**
 * The Bun binary: from the platform package (an optional dependency of the
 * bench, which carries the binary in its tarball, where the `bun` package
 * would need its postinstall), else `BUN` or `bun` on PATH.
 */
export function locateBun(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve(`${PLATFORM_PACKAGE}/package.json`);
    const bin = join(dirname(pkg), 'bin', 'bun');
    if (existsSync(bin)) return bin;
  } catch {
    // Not installed (another platform, or optional dependencies skipped).
  }
  return process.env.BUN ?? 'bun';
}

/** Bun running the very same Node-API workload scripts as the Node references. */
export const family: SubjectFamily = {
  name: 'Bun',
  order: 30,
  async probe(): Promise<ProbeResult> {
    const command = locateBun()!;
    const v = await runCommand(command, ['--version'], 15_000);
    if (v.code !== 0) {
      return {
        subjects: [],
        missing: [
          {
            what: 'bun',
            reason: `no runnable Bun (${firstLine(v.stderr) || `exit ${v.code}`})`,
            hint: `pnpm install (optional dependency ${PLATFORM_PACKAGE}), or put bun on PATH`,
          },
        ],
      };
    }
    const subjects = nodeApiSubjects(
      { name: 'bun', command },
      'bun',
      'bun',
      POOLED_OVERHEAD_MS,
    ).map((s) => ({ ...s, label: `${s.label} (Bun ${v.stdout.trim()})` }));
    return { subjects, missing: [] };
  },
};
