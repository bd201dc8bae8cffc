// Every request example in the spec is accepted, and what the mock answers validates against the spec: the mock and
// the spec agree wherever the spec shows a request (the contract suite relies on it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENCODERS } from '../src/images.js';
import { type MockServer, startMock } from '../src/server.js';
import { fileKind, isObject, type JsonObject, type MockOperation, type RequestMedia } from '../src/spec.js';
import { eventErrors, responseErrors, spec } from './spec-facts.js';

const png = () =>
  new Blob(
    [new Uint8Array((ENCODERS.png as (typeof ENCODERS)[string]).encode({ width: 8, height: 8, color: { r: 5, g: 5, b: 5, a: 255 } }))],
    { type: 'image/png' },
  );

/** A multipart body from an example: file properties get a PNG per item, objects become `a[b][c]` fields. */
function toForm(media: RequestMedia, value: JsonObject): FormData {
  const form = new FormData();
  const appendObject = (prefix: string, object: JsonObject) => {
    for (const [key, item] of Object.entries(object))
      isObject(item) ? appendObject(`${prefix}[${key}]`, item) : form.append(`${prefix}[${key}]`, String(item));
  };
  for (const [name, item] of Object.entries(value)) {
    const schema = media.properties.get(name) ?? {};
    const items = Array.isArray(item) ? item : [item];
    const field = Array.isArray(item) && !name.endsWith('[]') ? `${name}[]` : name;
    if (fileKind(schema, spec.resolve)) for (const _ of items) form.append(field, png(), 'example.png');
    else if (isObject(item)) appendObject(name, item);
    else for (const v of items) form.append(field, String(v));
  }
  return form;
}

const cases: Array<[string, MockOperation, RequestMedia, JsonObject]> = [];
for (const op of spec.operations) {
  const node = spec.resolve((spec.doc.paths as JsonObject)[op.path]) as JsonObject;
  const content = (spec.resolve((spec.resolve(node[op.httpMethod.toLowerCase()]) as JsonObject).requestBody) as JsonObject)
    .content as JsonObject;
  for (const [type, media] of op.requests) {
    const examples = (content[type] as JsonObject).examples;
    for (const [name, example] of Object.entries(isObject(examples) ? examples : {})) {
      const value = (spec.resolve(example) as JsonObject).value;
      if (isObject(value)) cases.push([`${op.operationId} ${type} example '${name}'`, op, media, value]);
    }
  }
}

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock({ seed: 'examples' });
});
afterAll(() => mock.close());

describe('the spec’s request examples', () => {
  it('there are some', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases)('%s: 200, and the answer validates against the spec', async (_label, op, media, value) => {
    const form = media.form;
    const res = await fetch(`${mock.url}${op.path}`, {
      method: op.httpMethod,
      headers: { authorization: 'Bearer sk-test', ...(form ? {} : { 'content-type': media.mediaType }) },
      body: form ? toForm(media, value) : JSON.stringify(value),
    });
    const text = await res.text();
    expect(res.status, text.slice(0, 300)).toBe(200);
    if (res.headers.get('content-type') === 'text/event-stream') {
      const events = text
        .split('\n\n')
        .filter(Boolean)
        .map((frame) => ({
          name: /^event: (.*)$/m.exec(frame)?.[1] ?? '',
          data: JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? 'null') as unknown,
        }));
      expect(events.length).toBeGreaterThan(0);
      for (const e of events) expect(eventErrors(op, e.name, e.data)).toEqual([]);
    } else expect(responseErrors(op, JSON.parse(text))).toEqual([]);
  });
});
