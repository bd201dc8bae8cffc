import { defineConfig } from 'tsdown';

export default defineConfig([
  { entry: ['src/index.ts', 'src/node.ts', 'src/sse.ts'], format: 'esm', dts: true, platform: 'neutral', clean: true },
  // openapi-fetch ships ESM whose default export does not survive CJS interop (`openapi_fetch.default` is not a
  // function under require()), so the CJS build carries its own copy.
  { entry: ['src/index.ts', 'src/node.ts', 'src/sse.ts'], format: 'cjs', dts: true, platform: 'neutral', noExternal: ['openapi-fetch'] },
  // @imagegen/client/internal/retry (the contract suite waits out rate limits with it), built on its own: as one more
  // entry above it would re-chunk the main bundle.
  { entry: ['src/retry.ts'], format: ['esm', 'cjs'], dts: true, platform: 'neutral' },
]);
