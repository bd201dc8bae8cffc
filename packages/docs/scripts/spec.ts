// The merged spec, read as untrusted JSON: every lookup narrows what it finds.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export type JsonObject = { [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface Operation {
  operationId: string;
  method: string;
  path: string;
  /** The operation object itself (mutable: code samples are added to it). */
  node: JsonObject;
}

/** The path of the merged spec, as `@imagegen/spec` exports it. */
export function specFile(): string {
  return createRequire(import.meta.url).resolve('@imagegen/spec/openapi.json');
}

export function loadSpec(file = specFile()): JsonObject {
  const doc: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isObject(doc) || !isObject(doc.paths)) throw new Error(`${file} is not an OpenAPI document (no paths)`);
  return doc;
}

/** Every operation with an operationId, in document order. */
export function operations(doc: JsonObject): Operation[] {
  const result: Operation[] = [];
  for (const [path, item] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const node = item[method];
      if (isObject(node) && typeof node.operationId === 'string') result.push({ operationId: node.operationId, method, path, node });
    }
  }
  return result;
}

/** Follows local `$ref`s until a node without one. */
export function deref(doc: JsonObject, node: unknown): unknown {
  for (let hops = 0; hops < 32; hops++) {
    if (!isObject(node) || typeof node.$ref !== 'string') return node;
    const ref = node.$ref;
    if (!ref.startsWith('#/')) throw new Error(`external $ref ${ref} in the merged spec`);
    node = ref
      .slice(2)
      .split('/')
      .map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((at, key) => (isObject(at) ? at[key] : Array.isArray(at) ? at[Number(key)] : undefined), doc);
  }
  throw new Error('$ref cycle in the merged spec');
}

/** The `example` and `examples[*].value` of a media type object, in document order. */
export function mediaExamples(doc: JsonObject, media: unknown): Array<{ name: string; value: unknown }> {
  const m = deref(doc, media);
  if (!isObject(m)) return [];
  const found: Array<{ name: string; value: unknown }> = [];
  if (m.example !== undefined) found.push({ name: 'example', value: m.example });
  for (const [name, example] of Object.entries(isObject(m.examples) ? m.examples : {})) {
    const e = deref(doc, example);
    if (isObject(e) && e.value !== undefined) found.push({ name, value: e.value });
  }
  return found;
}
