import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['scripts/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120000,
    hookTimeout: 120000,
    // expect.poll's default of 1 s is a wall-clock bound a loaded machine outlasts (a Try-it round trip in Chromium):
    // polls wait up to a minute, as a hang guard only.
    expect: { poll: { timeout: 60_000 } },
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
