// The merged spec as a module: `import spec from '@imagegen/spec'` (Node 20.19+, ESM; `require` works through require(esm)).
import { jsonPath, readSpec } from './load.js';

export { jsonPath, yamlPath } from './load.js';

/** The merged OpenAPI 3.1 document, parsed once on first import. */
const spec = readSpec(jsonPath);
export default spec;
