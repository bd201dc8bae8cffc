// The merged spec as a module: `import spec from '@imagegen/spec'` (Node 20.19+, ESM; `require` works through require(esm)).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of the merged spec as JSON. */
export const jsonPath = fileURLToPath(new URL('./dist/openapi.json', import.meta.url));
/** Absolute path of the merged spec as YAML (the same document). */
export const yamlPath = fileURLToPath(new URL('./dist/openapi.yaml', import.meta.url));

/** The merged OpenAPI 3.1 document, parsed once on first import. */
const spec = JSON.parse(readFileSync(jsonPath, 'utf8'));
export default spec;
