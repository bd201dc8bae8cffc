import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Hang guards only (the compile and mutation tests run tsc in-process: seconds quiet, far more on a loaded machine).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    include: ['test/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
