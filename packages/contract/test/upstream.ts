// A loopback "OpenAI-compatible server" for the target-mode tests: @imagegen/mock (the one faithful
// fake) behind a small proxy that plants one deviation a real gateway might have, or one variation
// the spec allows. Everything it knows about the API comes from the merged spec.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeSse, readSse } from '@imagegen/client/internal/sse';
import { ENCODERS, FAULT_HEADER, imageInfo, type MockServer, startMock } from '@imagegen/mock';
import { VOCABULARY } from '../src/cases.js';
import { undeclaredValue } from '../src/schema-facts.js';
import { imageShape } from '../src/semantics.js';
import { isObject, type JsonObject, loadSpec, type OperationInfo, type Spec } from '../src/spec.js';
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
/** Allowed too, but only generated requests meet it: a per-model limit (here: one image per JSON request). */
export const ONE_IMAGE_ONLY = 'one-image-only';
export type Variation = (typeof VARIATIONS)[number];

export interface UpstreamOptions {
  /** The key the server accepts (`Authorization: Bearer <apiKey>`). */
  apiKey: string;
  deviation?: Deviation;
  variation?: Variation | typeof ONE_IMAGE_ONLY;
  /** Answer the first request with a 429 (retry-after-ms: 50), like a rate-limited server. */
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
const COLOUR = { r: 120, g: 80, b: 200, a: 255 };
const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

export async function startUpstream(options: UpstreamOptions): Promise<Upstream> {
  const spec = loadSpec(options.specFile);
  const mock = await startMock({ spec: spec.file, key: options.apiKey, seed: 1 });
  const requests: Upstream['requests'] = [];
  const state = { first: true, base: '' };
  const server = createServer((req, res) => {
    handle({ spec, mock, options, state, log: requests }, req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${state.base}/v1`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await mock.close();
    },
  };
}

interface Context {
  spec: Spec;
  mock: MockServer;
  options: UpstreamOptions;
  state: { first: boolean; base: string };
  log: Upstream['requests'];
}

async function handle(ctx: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { spec, options } = ctx;
  const deviation = options.deviation;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let body: Uint8Array<ArrayBuffer> = new Uint8Array(Buffer.concat(chunks));
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname.replace(/^\/v1/, '');
  const op = [...spec.operations.values()].find((o) => o.method === req.method && o.path === path);
  if (op)
    ctx.log.push({
      path,
      contentType: req.headers['content-type'] ?? '',
      imageParts: (
        Buffer.from(body)
          .toString('latin1')
          .match(/name="image(\[\])?"/g) ?? []
      ).length,
    });

  const first = ctx.state.first && op !== undefined;
  if (first) ctx.state.first = false;
  if (first && deviation === 'bare-429') {
    res.writeHead(429, { 'content-type': 'text/plain' });
    res.end('Too Many Requests');
    return;
  }
  if (op && deviation === 'schema-drift' && op === [...spec.operations.values()][2]) {
    // Undeclared status, no x-request-id, and the caller's key echoed back (the suite must mask it).
    res.writeHead(418, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ error: { message: `teapot; you sent ${req.headers.authorization}`, type: 'teapot', param: null, code: null } }),
    );
    return;
  }

  if (op && options.variation === ONE_IMAGE_ONLY && req.headers['content-type']?.includes('json')) {
    const fields: unknown = JSON.parse(Buffer.from(body).toString('utf8'));
    if (isObject(fields) && Number(fields[VOCABULARY.count] ?? 1) > 1) {
      res.writeHead(400, { 'content-type': 'application/json', 'x-request-id': 'req_one_image' });
      res.end(
        JSON.stringify({
          error: { message: 'this model makes one image per request', type: 'invalid_request_error', param: VOCABULARY.count, code: null },
        }),
      );
      return;
    }
  }

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name) && typeof value === 'string') headers[name] = value;
  const faults: string[] = [];
  if (first && options.rateLimitFirst) faults.push('429;retry-after-ms=50');
  if (deviation === 'ignores-stream') faults.push('no-stream');
  if (deviation === 'stall') faults.push('stall-after-events=1');
  if (options.variation === 'slow') faults.push(`delay-ms=${SLOW_MS}`, `pacing-ms=${SLOW_MS / 2}`);
  if (faults.length > 0) headers[FAULT_HEADER] = faults.join(',');
  if (deviation === 'no-auth-check') headers.authorization = `Bearer ${options.apiKey}`;
  if (deviation === 'accepts-any-upload' && headers['content-type']?.startsWith('multipart/')) {
    ({ body, contentType: headers['content-type'] } = await withImagesOnly(body, headers['content-type']));
  }

  const answer = await fetch(`${ctx.mock.url}${path}${url.search}`, {
    method: req.method ?? 'GET',
    headers,
    ...(req.method !== 'GET' && req.method !== 'HEAD' && { body }),
  });
  const type = answer.headers.get('content-type') ?? '';
  const outHeaders: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name) && name !== 'content-encoding') outHeaders[name] = value;
  });

  if (deviation === 'text-errors' && answer.status >= 400 && answer.status < 500) {
    res.writeHead(answer.status, { ...outHeaders, 'content-type': 'text/plain' });
    res.end(`Error: ${await answer.text()}`);
    return;
  }
  if (op && answer.status === 200 && type.startsWith(EVENT_STREAM)) return relayStream(ctx, op, answer, outHeaders, res);
  if (op && answer.status === 200 && type.includes('json')) {
    const json: unknown = await answer.json();
    if (isObject(json)) changeJson(ctx, op, json);
    res.writeHead(200, { ...outHeaders, 'content-type': 'application/json' });
    res.end(JSON.stringify(json));
    return;
  }
  res.writeHead(answer.status, outHeaders);
  res.end(Buffer.from(await answer.arrayBuffer()));
}

/** A multipart body with every non-image file replaced by a PNG: the server "accepts" anything as an image. */
async function withImagesOnly(
  body: Uint8Array<ArrayBuffer>,
  contentType: string,
): Promise<{ body: Uint8Array<ArrayBuffer>; contentType: string }> {
  const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  const out = new FormData();
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') out.append(name, value);
    else {
      const bytes = new Uint8Array(await value.arrayBuffer()) as Uint8Array<ArrayBuffer>;
      out.append(
        name,
        imageInfo(bytes) ? new Blob([bytes], { type: value.type }) : new Blob([encode('png', 64, 64)], { type: 'image/png' }),
        value.name,
      );
    }
  }
  const encoded = new Response(out);
  return { body: new Uint8Array(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type') ?? contentType };
}

function encode(format: string, width: number, height: number): Uint8Array<ArrayBuffer> {
  const encoder = ENCODERS[format] ?? ENCODERS.png;
  if (!encoder) throw new Error('@imagegen/mock has no encoders');
  return new Uint8Array(encoder.encode({ width, height, color: COLOUR }));
}

/** The response's image formats (its `output_format` enum) that the mock can write. */
function formats(spec: Spec, pointer: string): string[] {
  const prop = spec.objectShape(pointer).properties.get(VOCABULARY.outputFormat);
  const values = prop ? spec.variants(prop.pointer).flatMap((v) => (Array.isArray(v.node.enum) ? v.node.enum : [])) : [];
  return values.filter((v): v is string => typeof v === 'string' && v in ENCODERS);
}

/** One image (base64) as the planted deviation changes it. */
function changeImage(ctx: Context, b64: string, pointer: string): string {
  const { deviation } = ctx.options;
  if (deviation === 'b64-not-base64') return '***not base64***';
  if (deviation === 'b64-not-image') return Buffer.from('definitely not an image').toString('base64');
  const info = imageInfo(Buffer.from(b64, 'base64'));
  if (!info) return b64;
  if (deviation === 'wrong-size')
    return Buffer.from(encode(info.format, Math.max(16, info.width / 2), Math.max(16, info.height / 2))).toString('base64');
  if (deviation === 'wrong-format') {
    const other = formats(ctx.spec, pointer).find((f) => f !== info.format) ?? info.format;
    return Buffer.from(encode(other, info.width, info.height)).toString('base64');
  }
  return b64;
}

/** `total = input + output + 1` wherever an object has those numbers. */
function breakUsage(value: unknown): void {
  if (!isObject(value)) return;
  const keys = Object.keys(value).filter((k) => typeof value[k] === 'number');
  const total = keys.find((k) => /^total/.test(k));
  if (total && keys.some((k) => /^input/.test(k)) && keys.some((k) => /^output/.test(k))) value[total] = Number(value[total]) + 1;
  for (const inner of Object.values(value)) breakUsage(inner);
}

function changeJson(ctx: Context, op: OperationInfo, json: JsonObject): void {
  const { spec, options } = ctx;
  const deviation = options.deviation;
  const pointer = op.responses.get('200')?.content.get('application/json')?.schemaPointer;
  if (!pointer) return;
  const shape = imageShape(spec, pointer);
  const list = shape.list ? json[shape.list] : undefined;
  if (shape.list && Array.isArray(list)) {
    if (deviation === 'extra-image' && list.length > 0) list.push(structuredClone(list.at(-1)));
    if (deviation === 'data-missing') delete json[shape.list];
    for (const [i, item] of list.entries()) {
      if (!isObject(item)) continue;
      const b64 = shape.b64 ? item[shape.b64] : undefined;
      if (shape.b64 && typeof b64 === 'string') {
        item[shape.b64] = changeImage(ctx, b64, pointer);
        if (deviation === 'image-field-renamed') {
          item[`image_${shape.b64}`] = item[shape.b64];
          delete item[shape.b64];
        }
        if (deviation === 'dead-url' && shape.url) {
          delete item[shape.b64];
          item[shape.url] = `${ctx.state.base}/files/expired-${i}.png`;
        }
      } else if (shape.url && typeof item[shape.url] === 'string') {
        if (deviation === 'dead-url') item[shape.url] = `${ctx.state.base}/files/expired-${i}.png`;
        if (deviation === 'image-field-renamed') {
          item[`image_${shape.url}`] = item[shape.url];
          delete item[shape.url];
        }
      }
    }
  }
  if (deviation === 'usage-mismatch') breakUsage(json);
  if (options.variation === 'extra-fields') json.undeclared_extra_field = { note: 'allowed: the schema does not forbid extra properties' };
  if (deviation === 'schema-drift') drift(ctx, op, pointer, json);
}

/**
 * Schema drift, one kind per operation (in spec order): the first loses its first required field
 * (renamed) and answers an undeclared enum value; the second sends a number as a string.
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
    if (format) response[VOCABULARY.outputFormat] = undeclaredValue(formats(ctx.spec, pointer));
  }
  if (op === second) {
    const usage = Object.values(response).find((v) => isObject(v) && Object.values(v).some((n) => typeof n === 'number'));
    if (isObject(usage)) {
      const key = Object.keys(usage).find((k) => typeof usage[k] === 'number');
      if (key) usage[key] = String(usage[key]);
    }
  }
}

/** The mock's stream, event by event, with the deviation or variation applied. */
async function relayStream(
  ctx: Context,
  op: OperationInfo,
  answer: Response,
  headers: Record<string, string>,
  res: ServerResponse,
): Promise<void> {
  const { spec, options } = ctx;
  const deviation = options.deviation;
  const schema = streamSchemaFor(spec, op);
  if (typeof schema === 'string') throw new Error(schema);
  res.writeHead(200, { ...headers, 'content-type': EVENT_STREAM });
  const write = (event: string | undefined, data: string) => {
    if (options.variation === 'keep-alive') res.write(': keep-alive\n\n');
    const message = encodeSse(event, data);
    res.write(options.variation === 'cr-line-ends' ? message.replace(/\n/g, '\r') : message);
  };
  let index = 0;
  let held: { event: string | undefined; data: string } | undefined;
  for await (const message of readSse(answer.body ?? new ReadableStream())) {
    let payload: unknown;
    try {
      payload = JSON.parse(message.data);
    } catch {
      write(message.event, message.data);
      continue;
    }
    if (!isObject(payload)) continue;
    const branch = schema.branches.get(String(payload[schema.discriminator]));
    if (branch) changeEvent(ctx, branch, payload);
    let data = JSON.stringify(payload);
    if (deviation === 'schema-drift' && op === [...spec.operations.values()][0] && index === 1) data = data.slice(0, 40);
    index++;
    // fewer-partials: the last partial image before each completed event is left out.
    if (options.variation === 'fewer-partials' && branch?.partial) {
      if (held) write(held.event, held.data);
      held = { event: message.event, data };
      continue;
    }
    held = undefined;
    write(message.event, data);
    if (deviation === 'extra-image' && branch && !branch.partial) write(message.event, data);
  }
  res.end();
}

function changeEvent(ctx: Context, branch: { pointer: string }, payload: JsonObject): void {
  const { spec, options } = ctx;
  for (const [name, prop] of spec.objectShape(branch.pointer).properties) {
    const value = payload[name];
    if (typeof value !== 'string' || !spec.variants(prop.pointer).some((v) => v.node.contentEncoding === 'base64')) continue;
    payload[name] = changeImage(ctx, value, branch.pointer);
    if (options.deviation === 'image-field-renamed') {
      payload[`image_${name}`] = payload[name];
      delete payload[name];
    }
  }
  if (options.deviation === 'usage-mismatch') breakUsage(payload);
  if (options.variation === 'extra-fields') payload.undeclared_extra_field = true;
}
