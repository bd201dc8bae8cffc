import { checkSpec, deref, jsonPath, readSpec, SpecError } from '@imagegen/spec/internal/load';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';

// ajv-formats is CommonJS: the imported value is either the plugin or its module object; both carry `.default`.
const addFormats = (addFormatsModule as unknown as { default: FormatsPlugin }).default;

export type JsonObject = { [key: string]: unknown };
export type Schema = JsonObject;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A spec that cannot drive the mock: the message is one line naming the file and what is wrong. */
export { SpecError };

export interface RequestMedia {
  mediaType: string;
  /** The request schema with `$ref`s followed at the top level (properties may still hold `$ref`s). */
  schema: Schema;
  /** Top-level properties, each `$ref`-resolved. */
  properties: Map<string, Schema>;
  validate: ValidateFunction;
  /** multipart/form-data and x-www-form-urlencoded: values arrive as text and are coerced by the schema's types. */
  form: boolean;
  /** Media types a part may have, by part name (`encoding.<name>.contentType`, split on commas, lower case). */
  partTypes: Map<string, string[]>;
}

export interface StreamEvent {
  /** The event name: the discriminator mapping key (also the payload's `type`). */
  name: string;
  /** The mapping's `$ref` to the event schema (`#/components/schemas/…`). */
  ref: string;
  schema: Schema;
  properties: Map<string, Schema>;
  /** A partial-image event (it carries an index) rather than a completed one. */
  partial: boolean;
}

export interface HeaderSpec {
  name: string;
  schema: Schema;
  example: unknown;
}

export interface MockOperation {
  operationId: string;
  /** `x-imagegen-method` when the spec gives one (the client's method name), else the operationId. */
  method: string;
  httpMethod: string;
  path: string;
  pathPattern: RegExp;
  deprecated: boolean;
  requests: Map<string, RequestMedia>;
  /** The 200 JSON body schema (`ImagesResponse`) and its resolved properties. */
  response: { ref: string | undefined; schema: Schema; properties: Map<string, Schema> } | undefined;
  /** The events of the 200 `text/event-stream` response, in mapping order; empty when the operation does not stream. */
  events: StreamEvent[];
  /** Response headers the spec declares, by status (`200`, `400`, `429`, …; `default` too). */
  headers: Map<string, HeaderSpec[]>;
}

export interface MockSpec {
  file: string;
  doc: JsonObject;
  operations: MockOperation[];
  resolve(node: unknown): unknown;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const SPEC_ID = 'urn:imagegen:mock:openapi';

/** The merged spec `@imagegen/spec` ships (spec/dist/openapi.json). */
export function defaultSpecFile(): string {
  return jsonPath;
}

/** Reads the operations of a merged OpenAPI document: routes, request schemas (compiled), responses, events, headers. */
export function loadSpec(source: string | JsonObject = defaultSpecFile()): MockSpec {
  const file = typeof source === 'string' ? source : '(spec object)';
  const doc: JsonObject = typeof source === 'string' ? readSpec(source) : checkSpec(source, file);
  const resolve = (node: unknown): unknown => deref(doc, node, file);
  const schemaAt = (node: unknown): Schema => {
    const schema = resolve(node);
    return isObject(schema) ? schema : {};
  };
  const propertiesOf = (schema: Schema): Map<string, Schema> => {
    const out = new Map<string, Schema>();
    const collect = (s: Schema) => {
      if (isObject(s.properties)) for (const [name, prop] of Object.entries(s.properties)) out.set(name, schemaAt(prop));
      for (const part of Array.isArray(s.allOf) ? s.allOf : []) collect(schemaAt(part));
    };
    collect(schema);
    return out;
  };

  const ajvOptions = { strict: false, allErrors: true, logger: false, validateSchema: false } as const;
  const jsonAjv = new Ajv2020(ajvOptions);
  const formAjv = new Ajv2020({ ...ajvOptions, coerceTypes: true });
  for (const ajv of [jsonAjv, formAjv]) {
    addFormats(ajv);
    for (const format of ['binary', 'byte', 'unixtime']) ajv.addFormat(format, true);
    ajv.addSchema({ ...doc, $id: SPEC_ID }, undefined, undefined, false);
  }
  const compile = (ajv: Ajv2020, schemaNode: unknown, where: string): ValidateFunction => {
    const ref = isObject(schemaNode) && typeof schemaNode.$ref === 'string' ? schemaNode.$ref : undefined;
    try {
      return ref ? ajv.compile({ $ref: `${SPEC_ID}${ref}` }) : ajv.compile(schemaAt(schemaNode));
    } catch (error) {
      throw new SpecError(`spec ${file}: the schema at ${where} does not compile (${(error as Error).message})`);
    }
  };

  const operations: MockOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths as JsonObject)) {
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const where = `paths.${path}.${method}`;
      if (typeof op.operationId !== 'string') throw new SpecError(`spec ${file}: ${where} has no operationId`);
      const requests = new Map<string, RequestMedia>();
      const body = schemaAt(op.requestBody);
      for (const [mediaType, media] of Object.entries(isObject(body.content) ? body.content : {})) {
        if (!isObject(media) || media.schema === undefined) continue;
        const form = mediaType === 'multipart/form-data' || mediaType === 'application/x-www-form-urlencoded';
        const schema = schemaAt(media.schema);
        const partTypes = new Map<string, string[]>();
        for (const [part, rule] of Object.entries(isObject(media.encoding) ? media.encoding : {}))
          if (isObject(rule) && typeof rule.contentType === 'string')
            partTypes.set(
              part,
              rule.contentType.split(',').map((t) => t.trim().toLowerCase()),
            );
        requests.set(mediaType, {
          partTypes,
          mediaType,
          schema,
          properties: propertiesOf(schema),
          validate: compile(form ? formAjv : jsonAjv, media.schema, `${where}.requestBody.${mediaType}`),
          form,
        });
      }
      const responses = isObject(op.responses) ? op.responses : {};
      const headers = new Map<string, HeaderSpec[]>();
      for (const [status, raw] of Object.entries(responses)) {
        const response = schemaAt(raw);
        const list: HeaderSpec[] = [];
        for (const [name, header] of Object.entries(isObject(response.headers) ? response.headers : {})) {
          const h = schemaAt(header);
          list.push({ name, schema: schemaAt(h.schema), example: h.example });
        }
        headers.set(status, list);
      }
      const ok = schemaAt(responses['200'] ?? responses['201']);
      const content = isObject(ok.content) ? ok.content : {};
      const jsonMedia = schemaAt(content['application/json']);
      const response = jsonMedia.schema === undefined ? undefined : schemaAt(jsonMedia.schema);
      const events: StreamEvent[] = [];
      const streamMedia = schemaAt(content['text/event-stream']);
      if (streamMedia.schema !== undefined) {
        const union = schemaAt(streamMedia.schema);
        const discriminator = isObject(union.discriminator) ? union.discriminator : {};
        const mapping = isObject(discriminator.mapping) ? discriminator.mapping : {};
        for (const [name, ref] of Object.entries(mapping)) {
          const schema = schemaAt({ $ref: ref });
          const properties = propertiesOf(schema);
          // A partial event is the one that numbers its image: it has an integer property its siblings lack.
          events.push({ name, ref: String(ref), schema, properties, partial: false });
        }
        const integerProps = events.map(
          (e) => new Set([...e.properties].filter(([, s]) => schemaTypes(s).includes('integer')).map(([k]) => k)),
        );
        events.forEach((event, i) => {
          const others = integerProps.filter((_, j) => j !== i);
          event.partial = [...(integerProps[i] ?? [])].some((k) => others.every((set) => !set.has(k)));
        });
        if (events.length === 0)
          throw new SpecError(`spec ${file}: ${where} streams but its event union has no discriminator mapping (event names)`);
      }
      operations.push({
        operationId: op.operationId,
        method: typeof op['x-imagegen-method'] === 'string' ? op['x-imagegen-method'] : op.operationId,
        httpMethod: method.toUpperCase(),
        path,
        pathPattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
        deprecated: op.deprecated === true,
        requests,
        response: response
          ? {
              ref: isObject(jsonMedia.schema) && typeof jsonMedia.schema.$ref === 'string' ? jsonMedia.schema.$ref : undefined,
              schema: response,
              properties: propertiesOf(response),
            }
          : undefined,
        events,
        headers,
      });
    }
  }
  if (operations.length === 0) throw new SpecError(`spec ${file}: no operations under "paths"`);
  return { file, doc, operations, resolve };
}

/** The JSON types a schema admits (`type`, or the union of its `anyOf`/`oneOf` branches). */
export function schemaTypes(schema: Schema, resolve: (node: unknown) => unknown = (n) => n): string[] {
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return schema.type.filter((t): t is string => typeof t === 'string');
  const branches = [...(Array.isArray(schema.anyOf) ? schema.anyOf : []), ...(Array.isArray(schema.oneOf) ? schema.oneOf : [])];
  return [...new Set(branches.flatMap((b) => (isObject(resolve(b)) ? schemaTypes(resolve(b) as Schema, resolve) : [])))];
}

/** Every `enum` value a schema lists (directly or in its `anyOf`/`oneOf` branches), nulls left out. */
export function schemaEnum(schema: Schema, resolve: (node: unknown) => unknown = (n) => n): string[] {
  const own = Array.isArray(schema.enum) ? schema.enum.filter((v): v is string => typeof v === 'string') : [];
  const branches = [...(Array.isArray(schema.anyOf) ? schema.anyOf : []), ...(Array.isArray(schema.oneOf) ? schema.oneOf : [])];
  return [...new Set([...own, ...branches.flatMap((b) => (isObject(resolve(b)) ? schemaEnum(resolve(b) as Schema, resolve) : []))])];
}

/** Whether a schema only admits free strings (no enum anywhere): an open set such as `model` or `size`. */
export function isOpenString(schema: Schema, resolve: (node: unknown) => unknown = (n) => n): boolean {
  const branches = [...(Array.isArray(schema.anyOf) ? schema.anyOf : []), ...(Array.isArray(schema.oneOf) ? schema.oneOf : [])];
  if (branches.length) return branches.some((b) => isObject(resolve(b)) && isOpenString(resolve(b) as Schema, resolve));
  return schemaTypes(schema).includes('string') && !Array.isArray(schema.enum) && schema.const === undefined;
}

/** Whether a schema describes an uploaded file (`format: binary` or `contentMediaType`), or an array of them. */
export function fileKind(schema: Schema, resolve: (node: unknown) => unknown = (n) => n): 'file' | 'files' | 'either' | undefined {
  const isFile = (s: Schema) => schemaTypes(s).includes('string') && (s.format === 'binary' || typeof s.contentMediaType === 'string');
  const isFiles = (s: Schema) => schemaTypes(s).includes('array') && isObject(s.items) && isFile(resolve(s.items) as Schema);
  const branches = [
    schema,
    ...[...(Array.isArray(schema.anyOf) ? schema.anyOf : []), ...(Array.isArray(schema.oneOf) ? schema.oneOf : [])].map(
      (b) => resolve(b) as Schema,
    ),
  ].filter(isObject);
  const file = branches.some(isFile);
  const files = branches.some(isFiles);
  return file && files ? 'either' : file ? 'file' : files ? 'files' : undefined;
}

export type { ErrorObject };
