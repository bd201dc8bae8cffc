import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120000,
    hookTimeout: 120000,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
