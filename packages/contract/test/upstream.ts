// A loopback "OpenAI-compatible server" for the target-mode tests. Clean, it answers what the spec
// describes for the request it got (n images of the size and format asked, echoed fields, usage
// that adds up, streams with the partial images asked, validation errors naming the field). Each
// deviation plants one way a real gateway breaks users; each variation is one the spec allows.
// Everything it knows about the API comes from the merged spec.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeSse } from '@imagegen/client/internal/sse';
import { ENCODERS, imageInfo } from '@imagegen/mock';
import { VOCABULARY } from '../src/cases.js';
import { parseSize } from '../src/image-format.js';
import { SchemaValidator } from '../src/schema.js';
import { requestProperties, undeclaredValue } from '../src/schema-facts.js';
import { imageShape } from '../src/semantics.js';
import { isObject, type JsonObject, loadSpec, type OperationInfo, type ResponseInfo, type Spec } from '../src/spec.js';
import { EVENT_STREAM, streamSchemaFor } from '../src/stream-schema.js';

export const DEVIATIONS = [
  'ignores-stream',
  'extra-image',
  'wrong-size',
  'wrong-format',
  'b64-not-base64',
  'b64-not-image',
  'data-missing',
  'image-field-renamed',
  'dead-url',
  'accepts-any-upload',
  'text-errors',
  'bare-429',
  'no-auth-check',
  'usage-mismatch',
  'stall',
  'schema-drift',
] as const;
export type Deviation = (typeof DEVIATIONS)[number];
export const VARIATIONS = ['fewer-partials', 'keep-alive', 'extra-fields', 'slow', 'cr-line-ends'] as const;
export type Variation = (typeof VARIATIONS)[number];

export interface UpstreamOptions {
  /** Requests without `Authorization: Bearer <apiKey>` get the spec's 401. */
  apiKey: string;
  deviation?: Deviation;
  variation?: Variation;
  /** Answer the first authorised request with the spec's 429 (retry-after-ms: 50), like a rate-limited server. */
  rateLimitFirst?: boolean;
  /** Default: the merged spec of `@imagegen/spec`. */
  specFile?: string;
}

export interface Upstream {
  /** Base URL including `/v1`, like the real API. */
  url: string;
  requests: Array<{ path: string; contentType: string; imageParts: number }>;
  close(): Promise<void>;
}

const SLOW_MS = 50;

export async function startUpstream(options: UpstreamOptions): Promise<Upstream> {
  const spec = loadSpec(options.specFile);
  const validator = new SchemaValidator(spec);
  const requests: Upstream['requests'] = [];
  const files = new Map<string, Uint8Array>();
  const state = { rateLimited: false, bare429: false, base: '' };
  const server = createServer((req, res) => {
    handle({ spec, validator, options, files, state, log: requests }, req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.base = `http://127.0.0.1:${port}`;
  return {
    url: `${state.base}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Context {
  spec: Spec;
  validator: SchemaValidator;
  options: UpstreamOptions;
  files: Map<string, Uint8Array>;
  state: { rateLimited: boolean; bare429: boolean; base: string };
  log: Upstream['requests'];
}

async function handle(ctx: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { spec, options } = ctx;
  const deviation = options.deviation;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/v1/, '');
  const file = ctx.files.get(path);
  if (req.method === 'GET' && file && deviation !== 'dead-url') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(file);
    return;
  }
  const op = [...spec.operations.values()].find((o) => o.method === req.method && o.path === path);
  if (!op) return sendError(res, 404, { message: `no route ${req.method} ${path}`, param: null }, deviation);
  const contentType = req.headers['content-type'] ?? '';
  ctx.log.push({ path, contentType, imageParts: (body.toString('latin1').match(/name="image(\[\])?"/g) ?? []).length });
  if (options.variation === 'slow') await new Promise((resolve) => setTimeout(resolve, SLOW_MS));

  if (deviation !== 'no-auth-check' && req.headers.authorization !== `Bearer ${options.apiKey}`)
    return sendExample(res, op, '401', {}, deviation);
  if (deviation === 'bare-429' && !ctx.state.bare429) {
    ctx.state.bare429 = true;
    res.writeHead(429, { 'content-type': 'text/plain' });
    res.end('Too Many Requests');
    return;
  }
  if (options.rateLimitFirst && !ctx.state.rateLimited) {
    ctx.state.rateLimited = true;
    return sendExample(res, op, '429', { 'retry-after-ms': '50', 'retry-after': '1' }, deviation);
  }

  const mediaType = contentType.split(';')[0]?.trim() ?? '';
  const parsed = await parseRequest(spec, op, mediaType, body, contentType, deviation !== 'accepts-any-upload');
  if ('error' in parsed) return sendError(res, 400, parsed.error, deviation);
  const media = op.requestContent.get(mediaType);
  if (!media?.schemaPointer) return sendError(res, 400, { message: `unsupported content type ${mediaType}`, param: null }, deviation);
  const problems = ctx.validator.validate(media.schemaPointer, parsed.forValidation, 'request body');
  const problem = problems[0];
  if (problem) {
    const param = problem.path.split('/')[1]?.replace(/~1/g, '/').replace(/~0/g, '~') ?? null;
    return sendError(res, 400, { message: `Invalid request: ${problem.path} ${problem.message}`, param: param || null }, deviation);
  }
  const fields = parsed.fields;
  if (deviation === 'schema-drift' && op === [...spec.operations.values()][2]) {
    // Undeclared status, no x-request-id, and the caller's key echoed back (the suite must mask it).
    res.writeHead(418, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ error: { message: `teapot; you sent ${req.headers.authorization}`, type: 'teapot', param: null, code: null } }),
    );
    return;
  }
  if (fields[VOCABULARY.stream] === true && deviation !== 'ignores-stream') return sendStream(ctx, op, fields, res);
  return sendJson(ctx, op, fields, res);
}

type Parsed = { fields: JsonObject; forValidation: JsonObject } | { error: { message: string; param: string | null } };

/** The request's fields, typed by the request schema (multipart text parts are strings on the wire), and the uploads checked to be images. */
async function parseRequest(
  spec: Spec,
  op: OperationInfo,
  mediaType: string,
  body: Buffer,
  contentType: string,
  checkUploads: boolean,
): Promise<Parsed> {
  const pointer = op.requestContent.get(mediaType)?.schemaPointer;
  if (!pointer) return { fields: {}, forValidation: {} };
  if (mediaType.endsWith('json')) {
    try {
      const json: unknown = JSON.parse(body.toString('utf8'));
      return isObject(json) ? { fields: json, forValidation: json } : { error: { message: 'the body must be a JSON object', param: null } };
    } catch {
      return { error: { message: 'the body is not JSON', param: null } };
    }
  }
  const props = requestProperties(spec, pointer);
  const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  const fields: JsonObject = {};
  const forValidation: JsonObject = {};
  for (const [rawName, value] of form.entries()) {
    // `svg[reasoning][effort]` → svg.reasoning.effort (deepObject); `image[]` is a property of its own.
    const nested = props.has(rawName) ? null : /^([^[]+)((?:\[[^\]]+\])+)$/.exec(rawName);
    const name = nested?.[1] ?? rawName;
    const facts = props.get(name);
    if (typeof value !== 'string') {
      const bytes = new Uint8Array(await value.arrayBuffer());
      if (checkUploads && !imageInfo(bytes)) return { error: { message: `Invalid file '${name}': not an image`, param: name } };
      const list = facts?.binary?.multiple && (!facts.binary.single || name.endsWith('[]') || forValidation[name] !== undefined);
      forValidation[name] = list ? [...((forValidation[name] as unknown[] | undefined) ?? []), '<binary>'] : '<binary>';
      fields[name] = forValidation[name];
      continue;
    }
    let typed: unknown = value;
    if (facts?.numeric && value.trim() !== '' && !Number.isNaN(Number(value))) typed = Number(value);
    else if (facts?.boolean && (value === 'true' || value === 'false')) typed = value === 'true';
    if (nested) {
      const keys = [...(nested[2] ?? '').matchAll(/\[([^\]]+)\]/g)].map((m) => m[1] ?? '');
      let target = (isObject(fields[name]) ? fields[name] : {}) as JsonObject;
      fields[name] = target;
      forValidation[name] = target;
      for (const key of keys.slice(0, -1)) {
        const inner: JsonObject = isObject(target[key]) ? target[key] : {};
        target[key] = inner;
        target = inner;
      }
      target[keys.at(-1) ?? ''] = typed;
    } else {
      fields[name] = typed;
      forValidation[name] = typed;
    }
  }
  return { fields, forValidation };
}

/** The request field values the response echoes: those valid for the response property of the same name. */
function echoed(ctx: Context, pointer: string, fields: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [name, prop] of ctx.spec.objectShape(pointer).properties) {
    const value = fields[name];
    if (typeof value === 'string' && value !== 'auto' && ctx.validator.validate(prop.pointer, value, name).length === 0) out[name] = value;
  }
  return out;
}

const COLOUR = { r: 120, g: 80, b: 200, a: 255 };

function fakeImage(format: string, width: number, height: number): Uint8Array {
  const encoder = ENCODERS[format] ?? ENCODERS.png;
  if (!encoder) throw new Error('@imagegen/mock has no encoders');
  return encoder.encode({ width, height, color: COLOUR });
}

/** The image formats the spec lists for responses that the mock's encoders can write. */
function formats(spec: Spec): string[] {
  const pointer = [...spec.operations.values()][0]?.responses.get('200')?.content.get('application/json')?.schemaPointer;
  const prop = pointer ? spec.objectShape(pointer).properties.get(VOCABULARY.outputFormat) : undefined;
  return (prop ? requestEnum(spec, prop.pointer) : []).filter((v): v is string => typeof v === 'string' && v in ENCODERS);
}

function imageBytes(spec: Spec, format: unknown, fields: JsonObject, deviation: Deviation | undefined): Uint8Array {
  const size = parseSize(fields[VOCABULARY.size]) ?? { width: 1024, height: 1024 };
  const known = formats(spec);
  const asked = typeof format === 'string' ? format : (known[0] ?? '');
  const sent = deviation === 'wrong-format' ? (known.find((f) => f !== asked) ?? asked) : asked;
  if (deviation === 'wrong-size') return fakeImage(sent, Math.max(16, size.width / 2), Math.max(16, size.height / 2));
  if (deviation === 'b64-not-image') return new Uint8Array(Buffer.from('definitely not an image'));
  return fakeImage(sent, size.width, size.height);
}

function b64(bytes: Uint8Array, deviation: Deviation | undefined): string {
  return deviation === 'b64-not-base64' ? '***not base64***' : Buffer.from(bytes).toString('base64');
}

/** `total = input + output` wherever a usage object has those numbers. */
function fixUsage(value: unknown, deviation: Deviation | undefined): void {
  if (!isObject(value)) return;
  const keys = Object.keys(value);
  const total = keys.find((k) => /^total/.test(k));
  const input = keys.find((k) => /^input/.test(k) && typeof value[k] === 'number');
  const output = keys.find((k) => /^output/.test(k) && typeof value[k] === 'number');
  if (total && input && output) value[total] = Number(value[input]) + Number(value[output]) + (deviation === 'usage-mismatch' ? 1 : 0);
  for (const inner of Object.values(value)) fixUsage(inner, deviation);
}

function sendJson(ctx: Context, op: OperationInfo, fields: JsonObject, res: ServerResponse): void {
  const { spec, options } = ctx;
  const deviation = options.deviation;
  const ok = op.responses.get('200');
  const media = ok?.content.get('application/json');
  if (!media?.schemaPointer) throw new Error(`no JSON 200 for ${op.operationId}`);
  const example = media.examples.find(isObject);
  if (!example) throw new Error(`no 200 example for ${op.operationId}`);
  const shape = imageShape(spec, media.schemaPointer);
  const response: JsonObject = { ...structuredClone(example), ...echoed(ctx, media.schemaPointer, fields) };
  const count = Number(fields[VOCABULARY.count] ?? 1) + (deviation === 'extra-image' ? 1 : 0);
  const asksForUrl = shape.url !== undefined && Object.values(fields).includes(shape.url);
  if (shape.list) {
    const template = Array.isArray(example[shape.list]) ? ((example[shape.list] as unknown[])[0] ?? {}) : {};
    response[shape.list] = Array.from({ length: count }, (_, i) => {
      const item: JsonObject = isObject(template) ? structuredClone(template) : {};
      if (shape.b64) delete item[shape.b64];
      if (shape.url) delete item[shape.url];
      const bytes = imageBytes(spec, response[VOCABULARY.outputFormat], fields, deviation);
      if ((asksForUrl || deviation === 'dead-url') && shape.url) {
        const file = `/files/${Date.now()}-${i}`;
        ctx.files.set(file, bytes);
        item[shape.url] = `${ctx.state.base}${file}`;
      } else if (shape.b64) item[deviation === 'image-field-renamed' ? `image_${shape.b64}` : shape.b64] = b64(bytes, deviation);
      return item;
    });
    if (deviation === 'data-missing') delete response[shape.list];
  }
  fixUsage(response, deviation);
  if (options.variation === 'extra-fields')
    response.undeclared_extra_field = { note: 'allowed: the schema does not forbid extra properties' };
  if (deviation === 'schema-drift') drift(ctx, op, media.schemaPointer, response);
  res.writeHead(200, { ...exampleHeaders(ok), 'content-type': 'application/json' });
  res.end(JSON.stringify(response));
}

async function sendStream(ctx: Context, op: OperationInfo, fields: JsonObject, res: ServerResponse): Promise<void> {
  const { spec, options } = ctx;
  const deviation = options.deviation;
  const schema = streamSchemaFor(spec, op);
  if (typeof schema === 'string') throw new Error(schema);
  const byKind = (partial: boolean) =>
    schema.examples.filter(isObject).find((e) => schema.branches.get(String(e[schema.discriminator]))?.partial === partial);
  const partialExample = byKind(true);
  const finalExample = byKind(false);
  if (!partialExample || !finalExample) throw new Error(`${op.operationId}: the spec has no partial and completed stream examples`);
  const asked = Number(fields[VOCABULARY.partialImages] ?? 0);
  const partials = options.variation === 'fewer-partials' ? Math.max(0, asked - 1) : asked;
  const count = Number(fields[VOCABULARY.count] ?? 1) + (deviation === 'extra-image' ? 1 : 0);
  const events: JsonObject[] = [];
  const imageField = (example: JsonObject) =>
    Object.keys(example).find((k) => {
      const branch = schema.branches.get(String(example[schema.discriminator]));
      const prop = branch ? spec.objectShape(branch.pointer).properties.get(k) : undefined;
      return prop ? spec.variants(prop.pointer).some((v) => v.node.contentEncoding === 'base64') : false;
    });
  const build = (example: JsonObject, extra: JsonObject) => {
    const branch = schema.branches.get(String(example[schema.discriminator]));
    const event: JsonObject = { ...structuredClone(example), ...(branch ? echoed(ctx, branch.pointer, fields) : {}), ...extra };
    const field = imageField(example);
    if (field) {
      const value = b64(imageBytes(spec, event[VOCABULARY.outputFormat], fields, deviation), deviation);
      delete event[field];
      event[deviation === 'image-field-renamed' ? `image_${field}` : field] = value;
    }
    fixUsage(event, deviation);
    if (options.variation === 'extra-fields') event.undeclared_extra_field = true;
    return event;
  };
  for (let i = 0; i < partials; i++) events.push(build(partialExample, { [schema.indexField]: i }));
  for (let i = 0; i < count; i++) events.push(build(finalExample, {}));
  res.writeHead(200, { ...exampleHeaders(op.responses.get('200')), 'content-type': EVENT_STREAM, 'cache-control': 'no-cache' });
  const ops = [...spec.operations.values()];
  for (const [i, event] of events.entries()) {
    if (options.variation === 'keep-alive') res.write(': keep-alive\n\n');
    if (options.variation === 'slow') await new Promise((resolve) => setTimeout(resolve, SLOW_MS / 3));
    let data = JSON.stringify(event);
    if (deviation === 'schema-drift' && op === ops[0] && i === 1) data = data.slice(0, 40);
    const message = encodeSse(String(event[schema.discriminator]), data);
    res.write(options.variation === 'cr-line-ends' ? message.replace(/\n/g, '\r') : message);
    if (deviation === 'stall') return; // headers and one event sent; the connection stays open, silent
  }
  res.end();
}

/**
 * Schema drift, one kind per operation (in spec order): the first loses its first required field
 * (renamed) and answers an undeclared enum value; the second sends a usage count as a string.
 */
function drift(ctx: Context, op: OperationInfo, pointer: string, response: JsonObject): void {
  const [first, second] = [...ctx.spec.operations.values()];
  const { properties, required } = ctx.spec.objectShape(pointer);
  if (op === first) {
    const name = [...required][0];
    if (name) {
      response[`${name}_at`] = response[name];
      delete response[name];
    }
    const format = properties.get(VOCABULARY.outputFormat);
    if (format) response[VOCABULARY.outputFormat] = undeclaredValue(requestEnum(ctx.spec, format.pointer));
  }
  if (op === second) {
    const usage = Object.values(response).find((v) => isObject(v) && Object.values(v).some((n) => typeof n === 'number'));
    if (isObject(usage)) {
      const key = Object.keys(usage).find((k) => typeof usage[k] === 'number');
      if (key) usage[key] = String(usage[key]);
    }
  }
}

function requestEnum(spec: Spec, pointer: string): unknown[] {
  return spec.variants(pointer).flatMap((v) => (Array.isArray(v.node.enum) ? v.node.enum : []));
}

function sendError(
  res: ServerResponse,
  status: number,
  error: { message: string; param: string | null },
  deviation: Deviation | undefined,
): void {
  if (deviation === 'text-errors') {
    res.writeHead(status, { 'content-type': 'text/plain', 'x-request-id': 'req_text' });
    res.end(`Error: ${error.message}`);
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_${status}` });
  res.end(JSON.stringify({ error: { message: error.message, type: 'invalid_request_error', param: error.param, code: null } }));
}

function sendExample(
  res: ServerResponse,
  op: OperationInfo,
  status: string,
  headers: Record<string, string>,
  deviation: Deviation | undefined,
): void {
  const response = op.responses.get(status);
  const example = response?.content.get('application/json')?.examples[0];
  if (deviation === 'text-errors') {
    sendError(res, Number(status), { message: 'rejected', param: null }, deviation);
    return;
  }
  res.writeHead(Number(status), { ...exampleHeaders(response), ...headers, 'content-type': 'application/json' });
  res.end(JSON.stringify(example ?? {}));
}

function exampleHeaders(response: ResponseInfo | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of response?.headers ?? []) if (h.example !== undefined) headers[h.name.toLowerCase()] = String(h.example);
  return headers;
}
