/** The merged OpenAPI 3.1 document. Precise request and response types are in `@imagegen/types`. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string; [key: string]: unknown };
  servers?: Array<{ url: string; description?: string; [key: string]: unknown }>;
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** Absolute path of the merged spec as JSON. */
export declare const jsonPath: string;
/** Absolute path of the merged spec as YAML (the same document). */
export declare const yamlPath: string;

/** The merged OpenAPI 3.1 document, parsed once on first import. */
declare const spec: OpenApiDocument;
export default spec;
