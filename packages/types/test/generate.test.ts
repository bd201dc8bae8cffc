// generate() on a small fixture spec: the operation table, the types it renders, and one-line errors naming the place.
import { beforeAll, describe, expect, it } from 'vitest';
import { CodegenError, generate } from '../scripts/generate.js';
import { compile } from './compile.js';
import { smallSpec } from './fixtures/small-spec.js';

let files: Record<string, string>;
type Entry = {
  method: string;
  events: string[];
  requestBodies: Record<string, { required: Record<string, unknown>; properties: Record<string, string>; aliases: string[] }>;
};
let table: { makeThing: Entry; editThing: Entry; oldThing: Entry };

beforeAll(async () => {
  files = await generate(smallSpec());
  const text = files['operations.gen.ts'] ?? '';
  table = JSON.parse(/export const operationTable = ([\s\S]*?) as const;/.exec(text)?.[1] ?? 'null');
});

describe('the operation table', () => {
  it('has every operation with its method name, path, HTTP method, deprecation and streaming', () => {
    expect(Object.keys(table)).toEqual(['makeThing', 'editThing', 'oldThing']);
    expect(table.makeThing).toMatchObject({ method: 'make', path: '/things', httpMethod: 'post', deprecated: false, stream: true });
    expect(table.makeThing.events).toEqual(['thing.partial', 'thing.done']);
    expect(table.oldThing).toMatchObject({ method: 'legacy', deprecated: true, stream: false, events: [] });
  });

  it('gives each multipart property its encoding, folds the name[] alias and lists what is required', () => {
    const body = table.editThing.requestBodies['multipart/form-data'];
    expect(body?.properties).toEqual({
      pics: 'files',
      prompt: 'text',
      overlay: 'file',
      opts: 'object',
      tags: 'array',
      strength: 'text',
      keep: 'text',
    });
    expect(body?.aliases).toEqual(['pics[]']);
    expect(body?.required).toEqual({ prompt: 'string', pics: 4 });
  });

  it('keeps the client table to what the client needs', () => {
    const client = /export const clientOperations[^=]*= (.*);\n/.exec(files['operations.gen.ts'] ?? '')?.[1];
    expect(JSON.parse(client ?? 'null')).toEqual({
      make: { path: '/things', bodies: [{ type: 'application/json', required: { prompt: 'string' } }] },
      change: {
        path: '/things/edit',
        bodies: [
          {
            type: 'multipart/form-data',
            required: { prompt: 'string', pics: 4 },
            fields: { pics: 'files', overlay: 'file', opts: 'object', tags: 'array' },
          },
        ],
      },
      legacy: {
        path: '/things/old',
        bodies: [{ type: 'multipart/form-data', required: { file: 1 }, fields: { file: 'file' } }],
      },
    });
  });
});

describe('the generated types', () => {
  it('compile, and say what the spec says', () => {
    const probe = `
import type { components } from './generated/openapi.gen.js';
import type { OperationMethods, OperationTypes } from './generated/operations.gen.js';
import type { EditRequest, Thing } from './generated/schemas.gen.js';
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const yes = <T extends true>() => {};

// an open enum: known values autocomplete, others are accepted, a non-string is not
const known: Thing['format'] = 'gif';
const other: Thing['format'] = 'avif';
// @ts-expect-error a number is not a format
const wrong: Thing['format'] = 1;
void [known, other, wrong];

// uploads are Blobs; one of pics / pics[] is required in the faithful schema
const blob = new Blob([]);
const a: EditRequest = { prompt: 'x', pics: [blob, blob] };
const b: EditRequest = { prompt: 'x', 'pics[]': [blob] };
// @ts-expect-error neither pics nor pics[] is given
const c: EditRequest = { prompt: 'x' };
void [a, b, c];

// the params fold pics[] into pics, which becomes required
type Change = OperationTypes['editThing']['params'];
yes<Equal<'pics[]' extends keyof Change ? 1 : 0, 0>>();
const d: Change = { prompt: 'x', pics: blob, opts: { model: 'm', depth: { level: 'deep' } }, tags: ['a'], strength: 0.5, keep: true };
// @ts-expect-error pics is required in the params
const e: Change = { prompt: 'x' };
void [d, e];

yes<Equal<OperationTypes['makeThing']['stream'], true>>();
yes<Equal<OperationTypes['oldThing']['event'], never>>();
yes<Equal<OperationTypes['makeThing']['event']['type'], 'thing.partial' | 'thing.done'>>();
yes<Equal<OperationTypes['makeThing']['response'], components['schemas']['Thing']>>();
yes<Equal<keyof OperationMethods<Record<keyof OperationTypes, 0>>, 'make' | 'change' | 'legacy'>>();
`;
    expect(compile(files, probe)).toEqual([]);
    expect(files['schemas.gen.ts']).not.toMatch(/export type Error\b/);
  });

  it('puts @deprecated on the method of a deprecated operation and on a deprecated property', () => {
    const methods = files['operations.gen.ts'] ?? '';
    const legacyDoc = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*legacy:/.exec(methods)?.[1] ?? '';
    expect(legacyDoc).toContain('@deprecated');
    expect(legacyDoc).toContain('Retired.');
    const makeDoc = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*make:/.exec(methods)?.[1] ?? '';
    expect(makeDoc).not.toContain('@deprecated');
    expect(files['openapi.gen.ts']).toMatch(/@deprecated[^/]*\*\/\s*style\?:/);
  });

  it('renders `x-imagegen-open-enum` as (string & {}) with the known values', () => {
    expect(files['openapi.gen.ts']).toMatch(/format\?: \(string & \{\}\) \| "png" \| "gif";/);
  });
});

describe('a spec codegen cannot use', () => {
  const fails = async (edit: (spec: ReturnType<typeof smallSpec>) => void) => {
    const spec = smallSpec();
    edit(spec);
    const error = await generate(spec).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CodegenError);
    return (error as Error).message;
  };

  it('names the operation without a method name', async () => {
    const message = await fails((s) => delete (s.paths['/things'].post as Record<string, unknown>)['x-imagegen-method']);
    expect(message).toMatch(/^#\/paths\/~1things\/post\/x-imagegen-method: missing/);
  });

  it('names a method name used twice', async () => {
    const message = await fails((s) => {
      s.paths['/things/old'].post['x-imagegen-method'] = 'make';
    });
    expect(message).toBe('#/paths/~1things~1old/post/x-imagegen-method: "make" is already used by #/paths/~1things/post');
  });

  it('names a $ref that does not resolve', async () => {
    const message = await fails((s) => {
      s.paths['/things'].post.requestBody.content['application/json'].schema.$ref = '#/components/schemas/Nope';
    });
    expect(message).toBe(
      '#/paths/~1things/post/requestBody/content/application~1json/schema: $ref #/components/schemas/Nope does not resolve',
    );
  });
});
