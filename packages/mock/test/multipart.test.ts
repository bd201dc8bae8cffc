// Multipart semantics (where Prism goes wrong) and a spec that grows: the mock follows what the spec says, with
// no code change, for new output formats and for deepObject fields such as `svg[model]`.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageInfo } from '../src/image-info.js';
import { ENCODERS } from '../src/images.js';
import { type MockServer, startMock } from '../src/server.js';
import { defaultSpecFile, type JsonObject } from '../src/spec.js';
import { editOp, fileArray, media, models } from './spec-facts.js';

const editBody = media(editOp, 'multipart/form-data');
const { gpt } = models(editBody);
const png = () =>
  new Blob(
    [new Uint8Array((ENCODERS.png as (typeof ENCODERS)[string]).encode({ width: 8, height: 8, color: { r: 9, g: 9, b: 9, a: 255 } }))],
    { type: 'image/png' },
  );
const arrayField = fileArray(editBody).name;
const baseName = arrayField.replace(/\[\]$/, '');

async function edit(target: MockServer, parts: Array<[string, string | Blob]>) {
  const form = new FormData();
  for (const [name, value] of parts) typeof value === 'string' ? form.append(name, value) : form.append(name, value, 'a.png');
  const res = await fetch(`${target.url}${editOp.path}`, {
    method: editOp.httpMethod,
    headers: { authorization: 'Bearer sk' },
    body: form,
  });
  return {
    status: res.status,
    body: (await res.json()) as JsonObject & { error?: { param: string; message: string }; data?: Array<{ b64_json: string }> },
  };
}

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(() => mock.close());

describe('multipart as the API reads it', () => {
  it.each([
    [`one ${arrayField} part (an array of one)`, [arrayField]],
    [`one ${baseName} part (a file)`, [baseName]],
    [`repeated bare ${baseName} parts (an array)`, [baseName, baseName]],
  ])('%s is accepted', async (_label, names) => {
    const parts: Array<[string, string | Blob]> = [['prompt', 'x'], ...names.map((name): [string, Blob] => [name, png()])];
    expect((await edit(mock, parts)).status).toBe(200);
  });

  it('numbers and booleans in text parts are coerced by the schema, and still checked', async () => {
    const ok = await edit(mock, [
      ['prompt', 'x'],
      ['model', gpt],
      ['n', '2'],
      [arrayField, png()],
    ]);
    expect(ok.body.data).toHaveLength(2);
    const bad = await edit(mock, [
      ['prompt', 'x'],
      ['n', 'two'],
      [arrayField, png()],
    ]);
    expect([bad.status, bad.body.error?.param]).toEqual([400, 'n']);
  });

  it('a text value where a file belongs, a file that is not an image, an unknown field: 400 naming it', async () => {
    const text = await edit(mock, [
      ['prompt', 'x'],
      [baseName, 'not a file'],
    ]);
    expect([text.status, text.body.error?.param]).toEqual([400, baseName]);
    const notImage = await edit(mock, [
      ['prompt', 'x'],
      [arrayField, new Blob(['hello'], { type: 'text/plain' })],
    ]);
    expect([notImage.status, notImage.body.error?.param]).toEqual([400, arrayField]);
    const unknown = await edit(mock, [
      ['prompt', 'x'],
      [arrayField, png()],
      ['colour', 'red'],
    ]);
    expect([unknown.status, unknown.body.error?.param, unknown.body.error?.message]).toEqual([
      400,
      'colour',
      "Unknown parameter: 'colour'.",
    ]);
  });
});

describe('a spec that lists more formats and a deepObject field', () => {
  let grown: MockServer;
  const extra = Object.keys(ENCODERS).filter((f) => f !== 'jpg');

  beforeAll(async () => {
    const doc = JSON.parse(readFileSync(defaultSpecFile(), 'utf8')) as JsonObject;
    const schemas = (doc.components as { schemas: Record<string, { properties: Record<string, JsonObject> }> }).schemas;
    const ref = editBody.schema;
    const name = Object.entries(schemas).find(([, s]) => s === ref || JSON.stringify(s) === JSON.stringify(ref))?.[0] as string;
    const target = schemas[name] as { properties: Record<string, JsonObject> };
    target.properties.output_format = { type: ['string', 'null'], enum: [...extra, null] };
    target.properties.svg = {
      type: 'object',
      additionalProperties: false,
      properties: {
        model: { type: 'string' },
        reasoning: { type: 'object', properties: { effort: { type: 'string', enum: ['low', 'high'] } } },
      },
    };
    grown = await startMock({ spec: doc });
  });
  afterAll(() => grown.close());

  it.each(extra)('output_format %s decodes with the requested size', async (format) => {
    const { status, body } = await edit(grown, [
      ['prompt', 'x'],
      ['output_format', format],
      ['size', '1536x1024'],
      [arrayField, png()],
    ]);
    expect(status).toBe(200);
    expect(imageInfo(body.data?.[0]?.b64_json ?? '')).toEqual({ format, width: 1536, height: 1024 });
  });

  it.each(['gif', 'svg'])('stream with output_format %s: 400 naming stream (those formats do not stream)', async (format) => {
    const { status, body } = await edit(grown, [
      ['prompt', 'x'],
      ['output_format', format],
      ['stream', 'true'],
      [arrayField, png()],
    ]);
    expect([status, body.error?.param]).toEqual([400, 'stream']);
  });

  it('svg[model] and svg[reasoning][effort] form an object the schema checks', async () => {
    const ok = await edit(grown, [
      ['prompt', 'x'],
      ['output_format', 'svg'],
      ['svg[model]', 'svg-1'],
      ['svg[reasoning][effort]', 'high'],
      [arrayField, png()],
    ]);
    expect(ok.status).toBe(200);
    const bad = await edit(grown, [
      ['prompt', 'x'],
      ['svg[reasoning][effort]', 'extreme'],
      [arrayField, png()],
    ]);
    expect([bad.status, bad.body.error?.param]).toEqual([400, 'svg.reasoning.effort']);
    const unknown = await edit(grown, [
      ['prompt', 'x'],
      ['svg[colour]', 'red'],
      [arrayField, png()],
    ]);
    expect([unknown.status, unknown.body.error?.param]).toEqual([400, 'svg.colour']);
  });
});
