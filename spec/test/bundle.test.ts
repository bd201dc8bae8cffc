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
const operations = [
  { path: '/images/generations', operationId: 'createImage', streams: 'ImageGenStreamEvent' },
  { path: '/images/edits', operationId: 'createImageEdit', streams: 'ImageEditStreamEvent' },
  { path: '/images/variations', operationId: 'createImageVariation', streams: undefined },
] as const;
const errorResponses = {
  '400': 'BadRequest',
  '401': 'Unauthorized',
  '403': 'PermissionDenied',
  '404': 'NotFound',
  '429': 'TooManyRequests',
  '500': 'InternalServerError',
  '503': 'ServiceUnavailable',
} as const;
const streamEvents = {
  ImageGenPartialImageEvent: ['image_generation.partial_image', 'partial_image_index'],
  ImageGenCompletedEvent: ['image_generation.completed', 'usage'],
  ImageEditPartialImageEvent: ['image_edit.partial_image', 'partial_image_index'],
  ImageEditCompletedEvent: ['image_edit.completed', 'usage'],
} as const;
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
  ajv.addVocabulary(['discriminator', ...Object.keys(spec).filter((key) => key !== '$id')]);
  ajv.addSchema(spec, SPEC_ID);
}, 60000);

/** Ajv's error messages for `value` against the schema at `schemaPointer` (empty when valid). */
function validationErrors(schemaPointer: string, value: Json | undefined): string[] {
  const fragment = schemaPointer.split('/').map(encodeURIComponent).join('/');
  const validate = ajv.getSchema(`${SPEC_ID}#${fragment}`);
  if (!validate) throw new Error(`no schema at ${schemaPointer}`);
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

describe('bundled spec (dist/openapi.json)', () => {
  it('has the three operations with their operationIds', () => {
    for (const { path: route, operationId } of operations) {
      expect(obj(child('/paths', route)).post).toMatchObject({ operationId });
    }
  });

  it('accepts multipart and JSON bodies on /images/edits', () => {
    const content = obj('/paths/~1images~1edits/post/requestBody/content');
    expect(Object.keys(content).sort()).toEqual(['application/json', 'multipart/form-data']);
    expect(at(deref('/paths/~1images~1edits/post/requestBody/content/multipart~1form-data/schema'))).toBe(
      at('/components/schemas/CreateImageEditRequest'),
    );
    expect(at(deref('/paths/~1images~1edits/post/requestBody/content/application~1json/schema'))).toBe(
      at('/components/schemas/EditImageBodyJsonParam'),
    );
  });

  it('streams text/event-stream on generations and edits, not on variations', () => {
    for (const { path: route, streams } of operations) {
      const content = obj(`${child('/paths', route)}/post/responses/200/content`);
      expect(content['application/json']).toMatchObject({ schema: { $ref: '#/components/schemas/ImagesResponse' } });
      if (streams) {
        expect(content['text/event-stream']).toMatchObject({ schema: { $ref: `#/components/schemas/${streams}` } });
      } else {
        expect(content['text/event-stream']).toBeUndefined();
      }
    }
  });

  it('defines the four stream events with all eight fields required and a constant type', () => {
    for (const [name, [type, last]] of Object.entries(streamEvents)) {
      const schema = obj(`/components/schemas/${name}`);
      expect(schema.required).toEqual(['type', 'b64_json', 'created_at', 'size', 'quality', 'background', 'output_format', last]);
      expect(Object.keys(obj(`/components/schemas/${name}/properties`)).sort()).toEqual([...(schema.required as string[])].sort());
      expect(obj(`/components/schemas/${name}/properties/type`).const).toBe(type);
    }
    for (const [union, prefix] of [
      ['ImageGenStreamEvent', 'ImageGen'],
      ['ImageEditStreamEvent', 'ImageEdit'],
    ] as const) {
      expect(obj(`/components/schemas/${union}`)).toMatchObject({
        oneOf: [{ $ref: `#/components/schemas/${prefix}PartialImageEvent` }, { $ref: `#/components/schemas/${prefix}CompletedEvent` }],
        discriminator: { propertyName: 'type' },
      });
    }
  });

  it('defines ErrorResponse and references all seven error responses from every operation', () => {
    expect(obj('/components/schemas/ErrorResponse')).toMatchObject({
      required: ['error'],
      properties: { error: { $ref: '#/components/schemas/Error' } },
    });
    expect(obj('/components/schemas/Error').required).toEqual(['message', 'type', 'param', 'code']);
    for (const { path: route } of operations) {
      const responses = obj(`${child('/paths', route)}/post/responses`);
      for (const [status, name] of Object.entries(errorResponses)) {
        expect(responses[status], `${route} ${status}`).toEqual({ $ref: `#/components/responses/${name}` });
        expect(obj(`/components/responses/${name}/content/application~1json/schema`)).toEqual({
          $ref: '#/components/schemas/ErrorResponse',
        });
      }
    }
  });

  it('sends Retry-After and retry-after-ms with 429', () => {
    const headers = obj('/components/responses/TooManyRequests/headers');
    expect(headers['Retry-After']).toEqual({ $ref: '#/components/headers/Retry-After' });
    expect(headers['retry-after-ms']).toEqual({ $ref: '#/components/headers/retry-after-ms' });
  });

  it('requires only `created` in ImagesResponse', () => {
    expect(obj('/components/schemas/ImagesResponse').required).toEqual(['created']);
  });

  it('has examples that validate against their schemas (Ajv, JSON Schema 2020-12)', () => {
    const cases = collectExamples();
    expect(cases.length).toBeGreaterThan(40);
    const invalid = cases.flatMap(({ pointer, schemaPointer, value }) =>
      validationErrors(schemaPointer, value).map((error) => `#${pointer}: ${error}`),
    );
    expect(invalid, `invalid examples:\n${invalid.join('\n')}`).toEqual([]);
  });

  it('validates strictly enough to catch broken examples', () => {
    const completed = obj('/components/examples/ImageGenCompletedEventSunrise').value;
    if (!isObject(completed)) throw new Error('expected an object example');
    const { usage: _usage, ...withoutUsage } = completed;
    expect(validationErrors('/components/schemas/ImageGenStreamEvent', withoutUsage)).not.toEqual([]);
    expect(validationErrors('/components/schemas/ImageGenStreamEvent', { ...completed, type: 'image_edit.completed' })).not.toEqual([]);
    expect(validationErrors('/components/schemas/CreateImageEditRequest', { prompt: 'Add clouds' })).not.toEqual([]);
    expect(validationErrors('/components/schemas/ImageRefParam', { image_url: 'https://a.example/x.png', file_id: 'file-1' })).not.toEqual(
      [],
    );
    expect(
      validationErrors('/components/schemas/CreateImageRequest', { prompt: 'A sunrise', size: '2048x1152', model: 'gpt-image-9' }),
    ).toEqual([]);
  });

  it('has no placeholder values anywhere inside its examples', () => {
    const found = collectExamples().flatMap(({ pointer, value }) => placeholders(value, pointer));
    expect(found).toEqual([]);
  });
});
