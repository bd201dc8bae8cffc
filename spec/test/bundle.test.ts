import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { specDir } from './redocly.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const SPEC_ID = 'https://imagegen.invalid/openapi.json';
const PLACEHOLDER = /example_value|lorem ipsum|^(string|foo|bar|baz|placeholder|todo|xxx|\.\.\.)$/i;

let spec: JsonObject;
let ajv: Ajv2020;

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function at(pointer: string): Json | undefined {
  let node: Json | undefined = spec;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    node = Array.isArray(node) ? node[Number(key)] : isObject(node) ? node[key] : undefined;
  }
  return node;
}

function obj(pointer: string): JsonObject {
  const node = at(pointer);
  if (!isObject(node)) throw new Error(`expected an object at ${pointer}`);
  return node;
}

function child(pointer: string, key: string | number): string {
  return `${pointer}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/** Follows a local `$ref` chain and returns the pointer of the node it ends at. */
function deref(pointer: string): string {
  const node = at(pointer);
  if (isObject(node) && typeof node.$ref === 'string') return deref(node.$ref.slice(1));
  return pointer;
}

interface ExampleCase {
  pointer: string;
  schemaPointer: string;
  value: Json | undefined;
}

/** Every example in the merged spec with the pointer of the schema it must satisfy. */
function collectExamples(): ExampleCase[] {
  const cases: ExampleCase[] = [];
  const seen = new Set<string>();

  const mediaType = (pointer: string) => {
    const node = obj(pointer);
    const schemaPointer = child(pointer, 'schema');
    if ('example' in node) cases.push({ pointer: child(pointer, 'example'), schemaPointer, value: node.example });
    if (isObject(node.examples)) {
      for (const name of Object.keys(node.examples)) {
        const examplePointer = deref(child(child(pointer, 'examples'), name));
        cases.push({ pointer: `${examplePointer}/value`, schemaPointer, value: obj(examplePointer).value });
      }
    }
  };
  const contentOf = (pointer: string) => {
    const target = deref(pointer);
    if (seen.has(target)) return;
    seen.add(target);
    const content = obj(target).content;
    if (isObject(content)) for (const type of Object.keys(content)) mediaType(child(child(target, 'content'), type));
    const headers = obj(target).headers;
    if (isObject(headers)) for (const name of Object.keys(headers)) header(child(child(target, 'headers'), name));
  };
  const header = (pointer: string) => {
    const target = deref(pointer);
    if (seen.has(target)) return;
    seen.add(target);
    const node = obj(target);
    if ('example' in node) cases.push({ pointer: `${target}/example`, schemaPointer: `${target}/schema`, value: node.example });
  };
  const schema = (pointer: string, node: Json | undefined) => {
    if (Array.isArray(node)) for (const [i, item] of node.entries()) schema(child(pointer, i), item);
    if (!isObject(node)) return;
    if ('example' in node) cases.push({ pointer: `${pointer}/example`, schemaPointer: pointer, value: node.example });
    if (Array.isArray(node.examples)) {
      for (const [i, value] of node.examples.entries()) cases.push({ pointer: `${pointer}/examples/${i}`, schemaPointer: pointer, value });
    }
    for (const key of ['properties', '$defs'] as const) {
      const map = node[key];
      if (isObject(map)) for (const name of Object.keys(map)) schema(child(child(pointer, key), name), map[name]);
    }
    for (const key of ['items', 'not', 'additionalProperties', 'anyOf', 'oneOf', 'allOf'] as const) {
      if (key in node) schema(child(pointer, key), node[key]);
    }
  };

  for (const [route, item] of Object.entries(obj('/paths'))) {
    if (!isObject(item)) continue;
    for (const method of Object.keys(item)) {
      const op = child(child('/paths', route), method);
      if (isObject(obj(op).requestBody)) contentOf(`${op}/requestBody`);
      for (const status of Object.keys(obj(`${op}/responses`))) contentOf(child(`${op}/responses`, status));
    }
  }
  for (const name of Object.keys(obj('/components/responses'))) contentOf(child('/components/responses', name));
  for (const name of Object.keys(obj('/components/headers'))) header(child('/components/headers', name));
  for (const name of Object.keys(obj('/components/schemas'))) schema(child('/components/schemas', name), obj('/components/schemas')[name]);
  return cases;
}

function placeholders(value: Json | undefined, pointer: string): string[] {
  if (typeof value === 'string') return PLACEHOLDER.test(value) ? [`${pointer}: ${JSON.stringify(value)}`] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => placeholders(v, child(pointer, i)));
  if (isObject(value)) return Object.entries(value).flatMap(([k, v]) => placeholders(v, child(pointer, k)));
  return [];
}

beforeAll(() => {
  // Always rebuild, so the test reads the bundle of the current source, never a stale one.
  execFileSync('pnpm', ['run', 'build'], { cwd: specDir, stdio: 'pipe', env: { ...process.env, REDOCLY_TELEMETRY: 'off' } });
  spec = JSON.parse(readFileSync(path.join(specDir, 'dist', 'openapi.json'), 'utf8')) as JsonObject;

  ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });
  addFormats.default(ajv);
  ajv.addFormat('binary', true);
  // The OpenAPI document itself is added as one schema resource so that `#/components/...`
  // references resolve; its top-level OpenAPI fields and `discriminator` are annotations here.
  // `x-…` extensions in schemas are annotations too.
  ajv.addVocabulary(['discriminator', ...extensions(spec), ...Object.keys(spec).filter((key) => key !== '$id' && !key.startsWith('x-'))]);
  ajv.addSchema(spec, SPEC_ID);
}, 60000);

/** Ajv's error messages for `value` against the schema at `schemaPointer` (empty when valid). */
function validationErrors(schemaPointer: string, value: Json | undefined): string[] {
  const fragment = schemaPointer.split('/').map(encodeURIComponent).join('/');
  const validate = ajv.getSchema(`${SPEC_ID}#${fragment}`);
  if (!validate) throw new Error(`no schema at ${schemaPointer}`);
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

interface Operation {
  label: string;
  pointer: string;
  node: JsonObject;
}

/** Every operation of the merged spec, labelled `METHOD /path`. */
function operations(): Operation[] {
  const methods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
  return Object.entries(obj('/paths')).flatMap(([route, item]) =>
    isObject(item)
      ? Object.keys(item)
          .filter((m) => methods.has(m))
          .map((m) => ({
            label: `${m.toUpperCase()} ${route}`,
            pointer: child(child('/paths', route), m),
            node: obj(child(child('/paths', route), m)),
          }))
      : [],
  );
}

/** The media types (`content`) of `pointer` (a request body or response, `$ref`s followed), by type. */
function mediaTypes(pointer: string): [string, string][] {
  const target = deref(pointer);
  const content = obj(target).content;
  return isObject(content) ? Object.keys(content).map((type) => [type, child(child(target, 'content'), type)]) : [];
}

/** Every key starting with `x-` anywhere in `node`: the spec's extensions, annotations to Ajv. */
function extensions(node: Json | undefined, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) extensions(item, out);
  if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('x-')) out.add(key);
      extensions(value, out);
    }
  }
  return out;
}

/** Every schema node under /components/schemas with its pointer (properties, items, anyOf/oneOf/allOf branches). */
function schemaNodes(): [string, JsonObject][] {
  const out: [string, JsonObject][] = [];
  const walk = (pointer: string, node: Json | undefined) => {
    if (Array.isArray(node)) for (const [i, item] of node.entries()) walk(child(pointer, i), item);
    if (!isObject(node)) return;
    out.push([pointer, node]);
    for (const key of ['properties', '$defs'] as const) {
      const map = node[key];
      if (isObject(map)) for (const name of Object.keys(map)) walk(child(child(pointer, key), name), map[name]);
    }
    for (const key of ['items', 'not', 'additionalProperties', 'anyOf', 'oneOf', 'allOf'] as const) {
      if (key in node) walk(child(pointer, key), node[key]);
    }
  };
  for (const [name, node] of Object.entries(obj('/components/schemas'))) walk(child('/components/schemas', name), node);
  return out;
}

interface StreamUnion {
  operation: string;
  status: string;
  union: string;
  discriminator: string;
  /** Pointer of each member schema. */
  members: string[];
}

/** The `text/event-stream` schema of each operation that streams: a oneOf of event objects. */
function streamUnions(): StreamUnion[] {
  return operations().flatMap(({ label, pointer }) =>
    Object.keys(obj(`${pointer}/responses`)).flatMap((status) =>
      mediaTypes(child(`${pointer}/responses`, status))
        .filter(([type]) => type === 'text/event-stream')
        .map(([, media]) => {
          const union = deref(`${media}/schema`);
          const node = obj(union);
          const oneOf = Array.isArray(node.oneOf) ? node.oneOf : [];
          return {
            operation: label,
            status,
            union,
            discriminator: isObject(node.discriminator) ? String(node.discriminator.propertyName) : '',
            members: oneOf.map((_, i) => deref(child(`${union}/oneOf`, i))),
          };
        }),
    ),
  );
}

describe('bundled spec (dist/openapi.json)', () => {
  it('gives every operation a unique operationId', () => {
    const ids = operations().map(({ node }) => node.operationId);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('bases every request media type on a component schema, and names only its properties in a multipart `encoding`', () => {
    const problems: string[] = [];
    for (const { label, pointer, node } of operations()) {
      if (!isObject(node.requestBody)) continue;
      for (const [type, media] of mediaTypes(`${pointer}/requestBody`)) {
        const schema = deref(`${media}/schema`);
        if (!schema.startsWith('/components/schemas/')) problems.push(`${label} ${type}: schema is not a $ref to a component`);
        const properties = obj(schema).properties;
        const encoding = obj(media).encoding;
        for (const name of isObject(encoding) ? Object.keys(encoding) : []) {
          // A file list goes on the wire as repeated `name[]` parts; its encoding may be given under that name.
          const property = name.endsWith('[]') ? name.slice(0, -2) : name;
          if (!isObject(properties) || !(property in properties)) problems.push(`${label} ${type}: encoding ${name} names no property`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('answers JSON beside every event stream, and types the stream as a oneOf of events discriminated on a constant', () => {
    const unions = streamUnions();
    expect(unions.length).toBeGreaterThan(0);
    const seen = new Map<string, string>();
    for (const { operation, status, union, discriminator, members } of unions) {
      const op = operations().find((o) => o.label === operation);
      expect(op && mediaTypes(child(`${op.pointer}/responses`, status)).map(([type]) => type), operation).toContain('application/json');
      expect(discriminator, `${union} has a discriminator`).not.toBe('');
      expect(members.length, `${union} has members`).toBeGreaterThan(0);
      const mapping = obj(union).discriminator as JsonObject;
      const consts: string[] = [];
      for (const member of members) {
        const value = obj(`${member}/properties/${discriminator}`).const;
        expect(typeof value, `${member}/properties/${discriminator} is a const`).toBe('string');
        consts.push(value as string);
        expect(obj(member).required, member).toContain(discriminator);
        const owner = seen.get(value as string);
        expect(owner === undefined || owner === member, `${value} names one event schema`).toBe(true);
        seen.set(value as string, member);
      }
      if (isObject(mapping.mapping)) expect(Object.keys(mapping.mapping).sort(), `${union} mapping`).toEqual([...consts].sort());
    }
  });

  it('requires only properties an event defines, and gives same-named events of every stream the same fields', () => {
    const fieldsByKind = new Map<string, { member: string; fields: string[]; required: string[] }[]>();
    for (const { discriminator, members } of streamUnions()) {
      for (const member of members) {
        const fields = Object.keys(obj(`${member}/properties`)).sort();
        const required = ((obj(member).required as string[] | undefined) ?? []).slice().sort();
        expect(
          required.filter((name) => !fields.includes(name)),
          `${member} requires undefined properties`,
        ).toEqual([]);
        // `image_generation.completed` and `image_edit.completed` are the same event of two operations.
        const kind =
          String(obj(`${member}/properties/${discriminator}`).const)
            .split('.')
            .at(-1) ?? '';
        fieldsByKind.set(kind, [...(fieldsByKind.get(kind) ?? []), { member, fields, required }]);
      }
    }
    for (const [kind, events] of fieldsByKind) {
      const [first, ...rest] = events;
      for (const other of rest) {
        expect(other.fields, `${kind}: ${other.member} vs ${first?.member}`).toEqual(first?.fields);
        expect(other.required, `${kind}: required of ${other.member} vs ${first?.member}`).toEqual(first?.required);
      }
    }
  });

  it('declares the same error responses on every operation, each with the one error body schema', () => {
    const errorStatuses = operations().map(({ pointer }) => Object.keys(obj(`${pointer}/responses`)).filter((s) => /^[45]/.test(s)));
    expect(errorStatuses[0]?.length ?? 0).toBeGreaterThan(0);
    for (const statuses of errorStatuses) expect(statuses).toEqual(errorStatuses[0]);
    const bodies = new Set<string>();
    for (const { pointer } of operations()) {
      for (const status of errorStatuses[0] ?? []) {
        for (const [, media] of mediaTypes(child(`${pointer}/responses`, status))) bodies.add(deref(`${media}/schema`));
      }
    }
    expect([...bodies]).toHaveLength(1);
  });

  it('sends a retry header with every 429', () => {
    for (const { label, pointer } of operations()) {
      const response = obj(`${pointer}/responses`)['429'];
      if (response === undefined) continue;
      const headers = obj(deref(child(`${pointer}/responses`, '429'))).headers;
      expect(
        Object.keys(isObject(headers) ? headers : {}).some((name) => /^retry-after/i.test(name)),
        label,
      ).toBe(true);
    }
  });

  it('marks as open enums only fields that list their known values', () => {
    const open = schemaNodes().filter(([, node]) => node['x-imagegen-open-enum'] === true);
    for (const [pointer, node] of open) {
      const lists = Array.isArray(node.enum) || (Array.isArray(node.anyOf) && node.anyOf.some((b) => isObject(b) && Array.isArray(b.enum)));
      expect(lists, `${pointer} has x-imagegen-open-enum but no enum`).toBe(true);
    }
  });

  it('has examples that validate against their schemas (Ajv, JSON Schema 2020-12)', () => {
    const cases = collectExamples();
    expect(cases.length).toBeGreaterThan(0);
    const invalid = cases.flatMap(({ pointer, schemaPointer, value }) =>
      validationErrors(schemaPointer, value).map((error) => `#${pointer}: ${error}`),
    );
    expect(invalid, `invalid examples:\n${invalid.join('\n')}`).toEqual([]);
  });

  it('validates strictly enough to catch broken examples', () => {
    let checked = 0;
    // Every example stops validating when any property its schema requires is left out.
    for (const { pointer, schemaPointer, value } of collectExamples()) {
      const schema = at(deref(schemaPointer));
      if (!isObject(value) || !isObject(schema)) continue;
      const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      for (const name of required) {
        const { [name]: _dropped, ...rest } = value;
        expect(validationErrors(schemaPointer, rest), `#${pointer} without ${name}`).not.toEqual([]);
        checked++;
      }
    }
    // A stream event whose discriminator no event declares.
    for (const { union, discriminator } of streamUnions()) {
      const example = collectExamples().find((c) => c.schemaPointer.endsWith('/schema') && deref(c.schemaPointer) === union);
      if (!isObject(example?.value)) continue;
      expect(validationErrors(union, { ...example.value, [discriminator]: 'image.unknown_event' })).not.toEqual([]);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('accepts any string where a field is a free string beside its known values (e.g. a new model)', () => {
    let checked = 0;
    for (const [pointer, node] of schemaNodes()) {
      const branches = Array.isArray(node.anyOf) ? node.anyOf.filter(isObject) : [];
      const free = branches.some((b) => b.type === 'string' && !('enum' in b) && !('pattern' in b) && !('const' in b));
      if (!free || !branches.some((b) => Array.isArray(b.enum))) continue;
      expect(validationErrors(pointer, 'a-value-no-enum-lists'), pointer).toEqual([]);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('has no placeholder values anywhere inside its examples', () => {
    const found = collectExamples().flatMap(({ pointer, value }) => placeholders(value, pointer));
    expect(found).toEqual([]);
  });
});
