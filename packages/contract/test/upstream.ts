// A loopback "OpenAI-compatible server" for the proxy tests, built from the merged spec's own
// examples: `clean` answers exactly what the spec describes; `drift` deviates in known ways.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeSse } from '@imagegen/client/internal/sse';
import { isObject, loadSpec, type OperationInfo, type ResponseInfo, type Spec } from '../src/spec.js';
import { buildEvents } from '../src/sse-mock.js';
import { EVENT_STREAM, streamSchemaFor } from '../src/stream-schema.js';

export interface UpstreamOptions {
  mode: 'clean' | 'drift';
  /** Requests without `Authorization: Bearer <apiKey>` get the spec's 401. */
  apiKey: string;
  /** Answer the first authorised request with the spec's 429 (retry-after-ms: 50), like a rate-limited server. */
  rateLimitFirst?: boolean;
}

export interface Upstream {
  /** Base URL including `/v1`, like the real API. */
  url: string;
  requests: Array<{ path: string; contentType: string; imageParts: number }>;
  close(): Promise<void>;
}

/** The deviations `drift` mode makes, and where the suite must report them. */
export const DRIFT = {
  renamedField: {
    operationId: 'createImage',
    check: 'success (json)',
    where: 'body',
    path: '/created',
    message: 'required property is missing',
  },
  extraEnumValue: {
    operationId: 'createImage',
    check: 'success (json)',
    where: 'body',
    path: '/output_format',
    message: 'must be equal to one of the allowed values',
  },
  wrongType: {
    operationId: 'createImageEdit',
    check: 'multipart: one image',
    where: 'body',
    path: '/usage/input_tokens',
    message: 'must be integer',
  },
  missingRequired: {
    operationId: 'createImageEdit',
    check: 'multipart: one image',
    where: 'body',
    path: '/usage/input_tokens_details',
    message: 'required property is missing',
  },
  undeclaredStatus: {
    operationId: 'createImageVariation',
    check: 'multipart: one image',
    where: 'status',
    path: '',
    message: 'not declared',
  },
  missingRequestId: {
    operationId: 'createImageVariation',
    check: 'x-request-id',
    where: 'header x-request-id',
    path: '',
    message: 'missing',
  },
  malformedEvent: {
    operationId: 'createImage',
    check: 'stream (SSE events)',
    where: 'event[1]',
    path: '',
    message: 'data is not valid JSON',
  },
  eventExtraEnumValue: {
    operationId: 'createImageEdit',
    check: 'stream (SSE events)',
    where: 'event[0]',
    path: '/quality',
    message: 'must be equal to one of the allowed values',
  },
  eventWrongType: {
    operationId: 'createImageEdit',
    check: 'stream (SSE events)',
    where: 'event[1]',
    path: '/b64_json',
    message: 'must be string',
  },
} as const;

export async function startUpstream(options: UpstreamOptions): Promise<Upstream> {
  const spec = loadSpec();
  const requests: Upstream['requests'] = [];
  const server = createServer((req, res) => {
    handle(spec, options, req, res, requests).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  spec: Spec,
  options: UpstreamOptions,
  req: IncomingMessage,
  res: ServerResponse,
  log: Upstream['requests'],
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/v1/, '');
  const op = [...spec.operations.values()].find((o) => o.method === req.method && o.path === path);
  if (!op) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error', param: null, code: null } }),
    );
    return;
  }
  const contentType = req.headers['content-type'] ?? '';
  log.push({ path, contentType, imageParts: (body.toString('latin1').match(/name="image(\[\])?"/g) ?? []).length });
  const drift = options.mode === 'drift';

  if (req.headers.authorization !== `Bearer ${options.apiKey}`) return sendExample(res, op, '401');
  if (options.rateLimitFirst && !rateLimited.has(options)) {
    rateLimited.add(options);
    return sendExample(res, op, '429', { 'retry-after-ms': '50', 'retry-after': '1' });
  }

  let fields: Record<string, unknown> = {};
  if (contentType.includes('json')) fields = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  else {
    const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    for (const [k, v] of form.entries()) if (typeof v === 'string') fields[k] = v;
  }

  if (String(fields.stream) === 'true') {
    const schema = streamSchemaFor(spec, op);
    if (typeof schema === 'string') throw new Error(schema);
    const events = buildEvents(schema, Number(fields.partial_images ?? 0));
    if (typeof events === 'string') throw new Error(events);
    res.writeHead(200, { ...exampleHeaders(op.responses.get('200')), 'content-type': EVENT_STREAM });
    events.forEach((event, i) => {
      let data = JSON.stringify(event.payload);
      if (drift && op.operationId === 'createImage' && i === 1) data = data.slice(0, 40);
      if (drift && op.operationId === 'createImageEdit' && i === 0) data = JSON.stringify({ ...event.payload, quality: 'ultra' });
      if (drift && op.operationId === 'createImageEdit' && i === 1) data = JSON.stringify({ ...event.payload, b64_json: 42 });
      res.write(encodeSse(event.type, data));
    });
    res.end();
    return;
  }

  if (drift && op.operationId === 'createImageVariation') {
    // Undeclared status, no x-request-id, and the caller's key echoed back (the suite must mask it).
    res.writeHead(418, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ error: { message: `teapot; you sent ${req.headers.authorization}`, type: 'teapot', param: null, code: null } }),
    );
    return;
  }
  const ok = op.responses.get('200');
  const example = structuredClone(ok?.content.get('application/json')?.examples[0]);
  if (!isObject(example)) throw new Error(`no 200 example for ${op.operationId}`);
  if (drift && op.operationId === 'createImage') {
    example.created_at = example.created;
    delete example.created;
    example.output_format = 'gif';
  }
  if (drift && op.operationId === 'createImageEdit' && isObject(example.usage)) {
    example.usage.input_tokens = String(example.usage.input_tokens);
    delete example.usage.input_tokens_details;
  }
  res.writeHead(200, { ...exampleHeaders(ok), 'content-type': 'application/json' });
  res.end(JSON.stringify(example));
}

const rateLimited = new WeakSet<UpstreamOptions>();

function sendExample(res: ServerResponse, op: OperationInfo, status: string, headers: Record<string, string> = {}): void {
  const response = op.responses.get(status);
  res.writeHead(Number(status), { ...exampleHeaders(response), ...headers, 'content-type': 'application/json' });
  res.end(JSON.stringify(response?.content.get('application/json')?.examples[0] ?? {}));
}

function exampleHeaders(response: ResponseInfo | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of response?.headers ?? []) if (h.example !== undefined) headers[h.name.toLowerCase()] = String(h.example);
  return headers;
}
