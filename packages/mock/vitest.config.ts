import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 60000,
    hookTimeout: 60000,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
