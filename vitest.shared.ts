import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * The one vitest configuration every package uses: tests import workspace
 * packages from their TypeScript sources (the `@binio/source` export
 * condition) so they never run against a stale build.
 */
export const sharedConfig = defineConfig({
  resolve: { conditions: ['@binio/source', ...defaultServerConditions] },
  ssr: { resolve: { conditions: ['@binio/source', ...defaultServerConditions] } },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    // The JSON report feeds the one summary scripts/test-all.mjs prints.
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
  },
});
