import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts', 'src/spec-upstream.ts'],
  format: ['esm'],
  dts: true,
  platform: 'node',
  clean: true,
  fixedExtension: false,
});
