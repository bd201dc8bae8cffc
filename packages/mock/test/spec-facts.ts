// What the tests need to know about the API, read from the merged spec (never restated here).
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { loadSpec, type MockOperation, type RequestMedia, type Schema, schemaEnum } from '../src/spec.js';

const addFormats = (addFormatsModule as unknown as { default: FormatsPlugin }).default;

export const spec = loadSpec();
const resolve = spec.resolve;

function only<T>(list: T[], what: string): T {
  if (list.length !== 1) throw new Error(`expected one ${what} in the spec, found ${list.length}`);
  return list[0] as T;
}

/** The streaming operation with a JSON-only body (generate), the streaming one with uploads (edit), the other (variation). */
export const generateOp = only(
  spec.operations.filter((o) => o.events.length > 0 && !o.requests.has('multipart/form-data')),
  'streaming JSON operation',
);
export const editOp = only(
  spec.operations.filter((o) => o.events.length > 0 && o.requests.has('multipart/form-data')),
  'streaming upload operation',
);
export const variationOp = only(
  spec.operations.filter((o) => o.events.length === 0 && o.requests.has('multipart/form-data')),
  'upload operation without a stream',
);

export function media(op: MockOperation, type: string): RequestMedia {
  const m = op.requests.get(type);
  if (!m) throw new Error(`${op.operationId} has no ${type} body`);
  return m;
}

export function property(m: RequestMedia, name: string): Schema {
  const p = m.properties.get(name);
  if (!p) throw new Error(`${m.mediaType} body has no '${name}'`);
  return p;
}

export const enumOf = (m: RequestMedia, name: string) => schemaEnum(property(m, name), resolve);
export const maximumOf = (m: RequestMedia, name: string) => {
  const max = property(m, name).maximum;
  if (typeof max !== 'number') throw new Error(`'${name}' has no maximum`);
  return max;
};
/** The array property (of files) with a maxItems, and that limit. */
export function fileArray(m: RequestMedia): { name: string; maxItems: number } {
  for (const [name, schema] of m.properties)
    if (schema.type === 'array' && typeof schema.maxItems === 'number') return { name, maxItems: schema.maxItems };
  throw new Error(`${m.mediaType} body has no array property with maxItems`);
}
export const requiredOf = (m: RequestMedia) => (Array.isArray(m.schema.required) ? (m.schema.required as string[]) : []);

export const isLegacy = (model: string) => /^dall-e/.test(model);
/** A GPT image model and a legacy one the operation lists. */
export function models(m: RequestMedia): { gpt: string; legacy: string | undefined } {
  const all = enumOf(m, 'model');
  const gpt = all.find((x) => !isLegacy(x));
  if (!gpt) throw new Error('no GPT image model in the enum');
  return { gpt, legacy: all.find(isLegacy) };
}

/** Sizes of the form WxH the enum lists. */
export const fixedSizes = (m: RequestMedia) => enumOf(m, 'size').filter((s) => /^\d+x\d+$/.test(s));

/** A validator for the spec's schemas (events, responses), by component pointer. */
const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
addFormats(ajv);
for (const format of ['binary', 'byte']) ajv.addFormat(format, true);
ajv.addSchema({ ...spec.doc, $id: 'urn:test:spec' }, undefined, undefined, false);

const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
function validator(ref: string) {
  let fn = compiled.get(ref);
  if (!fn) {
    fn = ajv.compile({ $ref: `urn:test:spec${ref}` });
    compiled.set(ref, fn);
  }
  return fn;
}

/** Errors of a stream event against the schema its name maps to in the operation's discriminator mapping. */
export function eventErrors(op: MockOperation, name: string, data: unknown): string[] {
  const event = op.events.find((e) => e.name === name);
  if (!event) return [`event '${name}' is not in ${op.operationId}'s mapping`];
  const validate = validator(event.ref);
  return validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** Errors of a JSON success body against the operation's 200 schema. */
export function responseErrors(op: MockOperation, body: unknown): string[] {
  if (!op.response?.ref) return [`${op.operationId} has no $ref'd 200 JSON schema`];
  const validate = validator(op.response.ref);
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

export const partialEventName = (op: MockOperation) => op.events.find((e) => e.partial)?.name;
export const completedEventName = (op: MockOperation) => op.events.find((e) => !e.partial)?.name;
