import { defineConfig } from 'vitest/config';

// The suites copy the monorepo, build it, start verdaccio and a turbo cache server: slow, and heavy enough that
// they run one file at a time.
export default defineConfig({
  test: {
    testTimeout: 600_000,
    hookTimeout: 600_000,
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
