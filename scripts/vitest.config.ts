import { defineConfig } from 'vitest/config';

// The suites copy the monorepo, install and build it, start verdaccio and a turbo cache server: slow, mostly waiting
// on child processes. Two files at a time keep both cores busy without piling more builds onto a 2-core machine.
export default defineConfig({
  test: {
    testTimeout: 600_000,
    hookTimeout: 600_000,
    maxWorkers: 2,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
