// A small loopback HTTP server for behaviour tests: records every request, answers with a handler.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeSse } from '../src/sse.js';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The request body (empty when the server runs with `keepBodies: false`). */
  body: Buffer;
  bodySize: number;
  /** The moment the request arrived (Date.now()). */
  at: number;
}

export type Handler = (req: ReceivedRequest, res: ServerResponse, raw: IncomingMessage) => void | Promise<void>;

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: ReceivedRequest[];
  /** Answer the next requests with these handlers, in order; after them, with `fallback`. */
  queue(...handlers: Handler[]): void;
  fallback: Handler;
  /** Keep request bodies in memory (default true); set false for huge uploads. */
  keepBodies: boolean;
  /** Forget recorded requests and queued handlers. */
  reset(): void;
  close(): Promise<void>;
}

export const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

/** An API error answer (`server_error`, message `status <status>`) with these headers. */
export const apiError = (status: number, headers: Record<string, string> = {}): Handler =>
  json(status, { error: { message: `status ${status}`, type: 'server_error', param: null, code: null } }, headers);

/** An SSE frame for one event, written by the client's own codec (the repo's one SSE writer). */
export const sseFrame = (data: unknown, event?: string) => encodeSse(event, typeof data === 'string' ? data : JSON.stringify(data));

/** Respond 200 `text/event-stream` with these frames, written one by one, `gapMs` apart. */
export const sse =
  (
    frames: string[],
    { gapMs = 0, end = true, headers = {} }: { gapMs?: number; end?: boolean; headers?: Record<string, string> } = {},
  ): Handler =>
  async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', ...headers });
    for (const frame of frames) {
      if (res.destroyed) return;
      res.write(frame);
      if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
    }
    if (end) res.end();
  };

export async function startServer(): Promise<TestServer> {
  const pending: Handler[] = [];
  const state: TestServer = {
    url: '',
    requests: [],
    keepBodies: true,
    fallback: json(200, { created: 1 }),
    queue: (...handlers) => void pending.push(...handlers),
    reset: () => {
      state.requests.length = 0;
      pending.length = 0;
      state.keepBodies = true;
      state.fallback = json(200, { created: 1 });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer(async (raw, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    let bodySize = 0;
    raw.on('error', () => {});
    res.on('error', () => {});
    try {
      for await (const chunk of raw as AsyncIterable<Buffer>) {
        bodySize += chunk.length;
        if (state.keepBodies) chunks.push(chunk);
      }
    } catch {
      return; // the client gave up on sending the body (a test that breaks an upload on purpose)
    }
    const req: ReceivedRequest = {
      method: raw.method ?? '',
      path: raw.url ?? '',
      headers: raw.headers,
      body: Buffer.concat(chunks),
      bodySize,
      at,
    };
    state.requests.push(req);
    try {
      await (pending.shift() ?? state.fallback)(req, res, raw);
    } catch {
      res.destroy();
    }
  });
  // A deep accept queue, as the mock has: a test that opens 1,000 connections at once must not lose SYNs to a full
  // queue on a loaded machine (the kernel then retries them after 1, 3, 7… s).
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

/** The multipart parts of a recorded request, in order, parsed by the platform's own FormData parser. */
export async function multipartEntries(req: Pick<ReceivedRequest, 'body' | 'headers'>): Promise<Array<[string, string | File]>> {
  const form = await new Response(new Uint8Array(req.body), {
    headers: { 'content-type': String(req.headers['content-type']) },
  }).formData();
  return [...form.entries()] as Array<[string, string | File]>;
}
