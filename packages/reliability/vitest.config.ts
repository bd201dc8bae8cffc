import { defineConfig } from 'vitest/config';

// The suite counts open sockets, timers and file handles around each scenario, and the load test measures memory:
// files run one at a time. Scenarios fail on a hang only, so the timeouts are generous.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
