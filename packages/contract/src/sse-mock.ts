import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeSse } from '@imagegen/client/internal/sse';
import type { SchemaValidator } from './schema.js';
import { isObject, type Spec } from './spec.js';
import { EVENT_STREAM, type StreamSchema, streamSchemaFor } from './stream-schema.js';
import { formatViolation } from './violations.js';

export interface SseMockServer {
  /** e.g. `http://127.0.0.1:40123`; serves the spec's paths (no base path), like Prism's mock. */
  readonly url: string;
  close(): Promise<void>;
}

interface Route {
  operationId: string;
  stream: StreamSchema | string;
  headers: Record<string, string>;
  jsonSchemaPointer: string | undefined;
}

const MAX_BODY = 20 * 1024 * 1024;

/**
 * A loopback server that streams what Prism cannot: for every operation with a 200
 * `text/event-stream` response it answers `POST <path>` with SSE events built from the spec's
 * stream examples — `partial_images` partial events (indexes 0…n-1), then the completed event —
 * plus the 200 response's declared headers (their examples). A JSON request body is validated
 * against the spec first (400 with an `{error}` body when it does not match).
 */
export async function startSseMock(spec: Spec, validator: SchemaValidator): Promise<SseMockServer> {
  const routes = new Map<string, Route>();
  for (const op of spec.operations.values()) {
    const ok = op.responses.get('200');
    if (!ok?.content.has(EVENT_STREAM)) continue;
    const headers: Record<string, string> = {};
    for (const h of ok.headers) if (h.example !== undefined) headers[h.name.toLowerCase()] = String(h.example);
    routes.set(`${op.method} ${op.path}`, {
      operationId: op.operationId,
      stream: streamSchemaFor(spec, op),
      headers,
      jsonSchemaPointer: op.requestContent.get('application/json')?.schemaPointer,
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, `sse mock failed: ${error instanceof Error ? error.message : String(error)}`);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const route = routes.get(`${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`);
    if (!route) return sendError(res, 404, `no streaming operation at ${req.method} ${req.url}`);
    const body = await readBody(req);
    const contentType = req.headers['content-type'] ?? '';
    let fields: Record<string, unknown> = {};
    if (contentType.includes('json')) {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      if (!isObject(parsed)) return sendError(res, 400, 'request body must be a JSON object');
      if (route.jsonSchemaPointer) {
        const problems = validator.validate(route.jsonSchemaPointer, parsed, 'request body');
        if (problems.length > 0) return sendError(res, 400, problems.map(formatViolation).join('; '));
      }
      fields = parsed;
    } else if (contentType.includes('multipart/form-data')) {
      const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
      for (const [key, value] of form.entries()) if (typeof value === 'string') fields[key] = value;
    }
    if (typeof route.stream === 'string') return sendError(res, 500, route.stream);
    const events = buildEvents(route.stream, Number(fields.partial_images ?? 0) || 0);
    if (typeof events === 'string') return sendError(res, 500, events);
    res.writeHead(200, { ...route.headers, 'content-type': EVENT_STREAM, 'cache-control': 'no-cache' });
    for (const event of events) {
      res.write(encodeSse(event.type, JSON.stringify(event.payload)));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Partial events 0…count-1 from the spec's partial example, then its completed example. */
export function buildEvents(schema: StreamSchema, count: number): Array<{ type: string; payload: Record<string, unknown> }> | string {
  const byKind = (partial: boolean) =>
    schema.examples.filter(isObject).find((example) => {
      const type = example[schema.discriminator];
      return typeof type === 'string' && schema.branches.get(type)?.partial === partial;
    });
  const partial = byKind(true);
  const final = byKind(false);
  if (!final) return `the spec has no ${EVENT_STREAM} example of a completed event (one of: ${[...schema.branches.keys()].join(', ')})`;
  if (count > 0 && !partial) return `the spec has no ${EVENT_STREAM} example of a partial event`;
  const events: Array<{ type: string; payload: Record<string, unknown> }> = [];
  for (let i = 0; i < count && partial; i++) {
    events.push({ type: String(partial[schema.discriminator]), payload: { ...partial, [schema.indexField]: i } });
  }
  events.push({ type: String(final[schema.discriminator]), payload: { ...final } });
  return events;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy(new Error('request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendError(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type: 'contract_mock_error', param: null, code: null } }));
}
