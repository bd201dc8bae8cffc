// The merged spec, read as untrusted JSON: every lookup narrows what it finds.
import { deref, jsonPath, readSpec } from '@imagegen/spec/internal/load';

export { deref };

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
  return jsonPath;
}

export function loadSpec(file = specFile()): JsonObject {
  return readSpec(file);
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

/** `#/components/schemas/Name` → `Name`, else undefined. */
export function refName(node: unknown): string | undefined {
  return isObject(node) && typeof node.$ref === 'string' ? node.$ref.split('/').pop() : undefined;
}

/** The branches of an `anyOf` / `oneOf`, dereferenced; a schema without either is its own only branch. */
export function branches(doc: JsonObject, schema: unknown): JsonObject[] {
  const s = deref(doc, schema);
  if (!isObject(s)) return [];
  const list = [...(Array.isArray(s.anyOf) ? s.anyOf : []), ...(Array.isArray(s.oneOf) ? s.oneOf : [])];
  return list.length === 0 ? [s] : list.flatMap((b) => branches(doc, b));
}

/** The values a schema names (`enum`, `const`, through `anyOf` / `oneOf`), in order, without `null`. */
export function knownValues(doc: JsonObject, schema: unknown): Array<string | number | boolean> {
  const values: Array<string | number | boolean> = [];
  for (const b of branches(doc, schema)) {
    const listed = Array.isArray(b.enum) ? b.enum : b.const !== undefined ? [b.const] : [];
    for (const v of listed) if (v !== null && typeof v !== 'object' && !values.includes(v as string)) values.push(v as string);
  }
  return values;
}

/** The properties of an object schema (through `$ref`, `allOf`, `anyOf` and `oneOf` branches). */
export function schemaProperties(doc: JsonObject, schema: unknown): { properties: Record<string, unknown>; required: string[] } {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  const visit = (node: unknown) => {
    const s = deref(doc, node);
    if (!isObject(s)) return;
    for (const part of Array.isArray(s.allOf) ? s.allOf : []) visit(part);
    if (isObject(s.properties)) Object.assign(properties, s.properties);
    if (Array.isArray(s.required)) for (const r of s.required) if (typeof r === 'string' && !required.includes(r)) required.push(r);
    for (const b of [...(Array.isArray(s.anyOf) ? s.anyOf : []), ...(Array.isArray(s.oneOf) ? s.oneOf : [])]) visit(b);
  };
  visit(schema);
  return { properties, required };
}

/**
 * A schema by a dotted path: `CreateImageRequest.quality`, `CreateImageEditRequest.svg.reasoning.effort`
 * (the first segment names a component schema). Throws naming the first segment that does not exist.
 */
export function schemaAt(doc: JsonObject, dotted: string): JsonObject {
  const [name = '', ...props] = dotted.split('.');
  const schemas = isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {};
  const root = deref(doc, schemas[name]);
  if (!isObject(root)) throw new Error(`the spec has no schema ${name}`);
  let node: JsonObject = root;
  const walked = [name];
  for (const prop of props) {
    let { properties } = schemaProperties(doc, node);
    // An array's items carry the properties (e.g. `ImagesResponse.data.b64_json`).
    if (!(prop in properties) && isObject(node.items)) properties = schemaProperties(doc, node.items).properties;
    const next = deref(doc, properties[prop]);
    walked.push(prop);
    if (!isObject(next)) throw new Error(`the spec has no ${walked.join('.')}`);
    node = next;
  }
  return node;
}

/** The operation with this operationId; throws naming it when the spec has none. */
export function operation(doc: JsonObject, operationId: string): Operation {
  const op = operations(doc).find((o) => o.operationId === operationId);
  if (!op) throw new Error(`the spec has no operation ${operationId}`);
  return op;
}
