import path from 'node:path';
import {
  checkSpec,
  escapePointer,
  followRefs,
  jsonPath,
  parseSpec as parseJsonSpec,
  pointerGet,
  readSpec,
  SpecError,
} from '@imagegen/spec/internal/load';
import { parse as parseYaml } from 'yaml';
import { ContractSetupError, oneLine } from './errors.js';

export { escapePointer };

export type JsonObject = { [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface MediaInfo {
  mediaType: string;
  /** JSON pointer (into the spec) of the schema, when the media type declares one. */
  schemaPointer?: string;
  /** The media type's `example` and `examples[*].value`, in document order. */
  examples: unknown[];
  /** The same examples with their names (`example` for a lone `example`). */
  namedExamples: Array<{ name: string; value: unknown }>;
  /** The media type's `encoding` map (multipart), property name → its `contentType` when stated. */
  encoding: Map<string, string | undefined>;
}

export interface HeaderInfo {
  /** As written in the spec; compare case-insensitively. */
  name: string;
  required: boolean;
  schemaPointer?: string;
  example?: unknown;
}

export interface ResponseInfo {
  status: string;
  headers: HeaderInfo[];
  content: Map<string, MediaInfo>;
}

export interface OperationInfo {
  operationId: string;
  method: string;
  /** The path as written in the spec (without the server's base path). */
  path: string;
  /** `deprecated: true` in the spec. */
  deprecated: boolean;
  /** The client method name the spec gives the operation (`x-imagegen-method`), if any. */
  clientMethod?: string;
  requestContent: Map<string, MediaInfo>;
  responses: Map<string, ResponseInfo>;
}

/** The merged OpenAPI document plus the few lookups the suite needs. All reads go through here. */
export class Spec {
  readonly file: string;
  readonly doc: JsonObject;
  readonly operations: Map<string, OperationInfo>;

  constructor(file: string, doc: JsonObject) {
    this.file = file;
    this.doc = doc;
    this.operations = this.#collectOperations();
  }

  /** Follows local `$ref`s (`#/…`) from the node at `pointer`; returns the target and its pointer. */
  resolve(pointer: string): { node: unknown; pointer: string } {
    return setup(() => followRefs(this.doc, pointer, this.file));
  }

  /** The node at a JSON pointer, or undefined. */
  at(pointer: string): unknown {
    return pointerGet(this.doc, pointer);
  }

  #collectOperations(): Map<string, OperationInfo> {
    const result = new Map<string, OperationInfo>();
    const paths = this.doc.paths;
    if (!isObject(paths)) return result;
    for (const [p, item] of Object.entries(paths)) {
      if (!isObject(item)) continue;
      for (const method of HTTP_METHODS) {
        const opPointer = `/paths/${escapePointer(p)}/${method}`;
        const op = this.at(opPointer);
        if (!isObject(op) || typeof op.operationId !== 'string') continue;
        result.set(op.operationId, {
          operationId: op.operationId,
          method: method.toUpperCase(),
          path: p,
          deprecated: op.deprecated === true,
          ...(typeof op['x-imagegen-method'] === 'string' && { clientMethod: op['x-imagegen-method'] }),
          requestContent: this.#requestContent(`${opPointer}/requestBody`),
          responses: this.#responses(`${opPointer}/responses`),
        });
      }
    }
    return result;
  }

  #requestContent(pointer: string): Map<string, MediaInfo> {
    const { node, pointer: resolved } = this.resolve(pointer);
    return isObject(node) ? this.#content(`${resolved}/content`) : new Map();
  }

  #responses(pointer: string): Map<string, ResponseInfo> {
    const result = new Map<string, ResponseInfo>();
    const responses = this.at(pointer);
    if (!isObject(responses)) return result;
    for (const status of Object.keys(responses)) {
      const { node, pointer: resolved } = this.resolve(`${pointer}/${escapePointer(status)}`);
      if (!isObject(node)) continue;
      result.set(status, { status, headers: this.#headers(`${resolved}/headers`), content: this.#content(`${resolved}/content`) });
    }
    return result;
  }

  #headers(pointer: string): HeaderInfo[] {
    const headers = this.at(pointer);
    if (!isObject(headers)) return [];
    return Object.keys(headers).map((name) => {
      const { node, pointer: resolved } = this.resolve(`${pointer}/${escapePointer(name)}`);
      const header = isObject(node) ? node : {};
      const info: HeaderInfo = { name, required: header.required === true };
      if (isObject(header.schema)) info.schemaPointer = `${resolved}/schema`;
      const example = header.example ?? firstExampleValue(this, `${resolved}/examples`);
      if (example !== undefined) info.example = example;
      return info;
    });
  }

  #content(pointer: string): Map<string, MediaInfo> {
    const result = new Map<string, MediaInfo>();
    const content = this.at(pointer);
    if (!isObject(content)) return result;
    for (const [mediaType, media] of Object.entries(content)) {
      if (!isObject(media)) continue;
      const mediaPointer = `${pointer}/${escapePointer(mediaType)}`;
      const namedExamples = this.#examples(mediaPointer);
      const encoding = new Map<string, string | undefined>();
      if (isObject(media.encoding))
        for (const [name, entry] of Object.entries(media.encoding))
          encoding.set(name, isObject(entry) && typeof entry.contentType === 'string' ? entry.contentType : undefined);
      const info: MediaInfo = { mediaType, examples: namedExamples.map((e) => e.value), namedExamples, encoding };
      if (isObject(media.schema)) info.schemaPointer = `${mediaPointer}/schema`;
      result.set(mediaType, info);
    }
    return result;
  }

  #examples(mediaPointer: string): Array<{ name: string; value: unknown }> {
    const media = this.at(mediaPointer);
    if (!isObject(media)) return [];
    const out: Array<{ name: string; value: unknown }> = [];
    if (media.example !== undefined) out.push({ name: 'example', value: media.example });
    const examples = media.examples;
    if (isObject(examples)) {
      for (const key of Object.keys(examples)) {
        const { node } = this.resolve(`${mediaPointer}/examples/${escapePointer(key)}`);
        if (isObject(node) && node.value !== undefined) out.push({ name: key, value: node.value });
      }
    }
    return out;
  }

  /**
   * The properties of the object schema at `pointer` (through `$ref` and `allOf`), each with the
   * pointer of its resolved schema, plus the names listed as `required`.
   */
  objectShape(pointer: string): { properties: Map<string, { pointer: string; node: JsonObject }>; required: Set<string> } {
    const properties = new Map<string, { pointer: string; node: JsonObject }>();
    const required = new Set<string>();
    const visit = (at: string, depth: number) => {
      if (depth > 8) return;
      const { node, pointer: resolved } = this.resolve(at);
      if (!isObject(node)) return;
      if (Array.isArray(node.required)) for (const name of node.required) if (typeof name === 'string') required.add(name);
      if (isObject(node.properties)) {
        for (const name of Object.keys(node.properties)) {
          const prop = this.resolve(`${resolved}/properties/${escapePointer(name)}`);
          if (isObject(prop.node)) properties.set(name, { pointer: prop.pointer, node: prop.node });
        }
      }
      if (Array.isArray(node.allOf)) for (let i = 0; i < node.allOf.length; i++) visit(`${resolved}/allOf/${i}`, depth + 1);
    };
    visit(pointer, 0);
    return { properties, required };
  }

  /** The schema at `pointer` and each schema it is a union of (`anyOf`/`oneOf` members), resolved. */
  variants(pointer: string): Array<{ pointer: string; node: JsonObject }> {
    const { node, pointer: resolved } = this.resolve(pointer);
    if (!isObject(node)) return [];
    const out = [{ pointer: resolved, node }];
    for (const keyword of ['anyOf', 'oneOf'] as const) {
      const members = node[keyword];
      if (Array.isArray(members)) for (let i = 0; i < members.length; i++) out.push(...this.variants(`${resolved}/${keyword}/${i}`));
    }
    return out;
  }
}

function firstExampleValue(spec: Spec, pointer: string): unknown {
  const examples = spec.at(pointer);
  if (!isObject(examples)) return undefined;
  for (const key of Object.keys(examples)) {
    const { node } = spec.resolve(`${pointer}/${escapePointer(key)}`);
    if (isObject(node) && node.value !== undefined) return node.value;
  }
  return undefined;
}

/** The shared loader's SpecError as the suite's setup error (the CLI prints it as one line, exit 2). */
function setup<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw error instanceof SpecError ? new ContractSetupError(error.message) : error;
  }
}

/** Where the merged spec of `@imagegen/spec` lives. */
export function defaultSpecPath(): string {
  return jsonPath;
}

/** Reads and sanity-checks a merged OpenAPI 3.x JSON document; every failure is one line. */
export function loadSpec(file = defaultSpecPath()): Spec {
  return checkedSpec(
    setup(() => readSpec(file)),
    file,
    path.resolve(file),
  );
}

/**
 * Parses an OpenAPI 3.x document from its text: JSON, or YAML when `yaml` is set (an official
 * document to compare with); `name` labels the errors, `file` is what {@link Spec.file} says.
 */
export function parseSpec(text: string, name: string, file = name, yaml = false): Spec {
  return checkedSpec(
    setup(() => (yaml ? checkSpec(yamlDocument(text, name), name) : parseJsonSpec(text, name))),
    name,
    file,
  );
}

function yamlDocument(text: string, name: string): unknown {
  try {
    return parseYaml(text, { maxAliasCount: -1 });
  } catch (error) {
    throw new ContractSetupError(`spec ${name}: not YAML (${oneLine(error)})`);
  }
}

function checkedSpec(doc: JsonObject, file: string, absolute: string): Spec {
  if (Object.keys(doc.paths as JsonObject).length === 0) throw new ContractSetupError(`spec ${file}: it declares no paths`);
  const spec = new Spec(absolute, doc);
  if (spec.operations.size === 0) throw new ContractSetupError(`spec ${file}: no operation has an operationId`);
  return spec;
}
