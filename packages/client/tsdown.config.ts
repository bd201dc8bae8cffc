import { defineConfig } from 'tsdown';

export default defineConfig([
  { entry: ['src/index.ts', 'src/node.ts', 'src/sse.ts'], format: 'esm', dts: true, platform: 'neutral', clean: true },
  // openapi-fetch ships ESM whose default export does not survive CJS interop (`openapi_fetch.default` is not a
  // function under require()), so the CJS build carries its own copy.
  { entry: ['src/index.ts', 'src/node.ts', 'src/sse.ts'], format: 'cjs', dts: true, platform: 'neutral', noExternal: ['openapi-fetch'] },
]);
