import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Standalone config for the reliability suite (`pnpm exec vitest run --config reliability/vitest.config.ts` from
// scripts/). The suite measures open sockets and timers around each scenario, so files run one at a time.
export default defineConfig({
  // The package's cache, not a node_modules/ inside this folder.
  cacheDir: path.join(import.meta.dirname, '..', 'node_modules', '.vite'),
  test: {
    root: import.meta.dirname,
    include: ['*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
