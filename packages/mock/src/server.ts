import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { encodeSse } from '@imagegen/client/internal/sse';
import { mulberry32 } from '@imagegen/spec/internal/random';
import { MockHttpError } from './errors.js';
import { FAULT_HEADER, type FaultPlan, type FaultSchedule, FaultScheduler, FaultSyntaxError, parseFaults } from './faults.js';
import { ENCODERS, ImageCache, PALETTE } from './images.js';
import { type Answer, answerOperation, type ImageLink } from './responses.js';
import { type HeaderSpec, type JsonObject, loadSpec, type MockOperation, type MockSpec } from './spec.js';

export interface MockOptions {
  /** The merged spec: a file path or the parsed document. Default: `@imagegen/spec/openapi.json`. */
  spec?: string | JsonObject;
  /** Accept only this API key. Default: any well-formed `Authorization: Bearer …`. */
  key?: string;
  /** Seeds request ids, image colours and `rate` faults, so two runs with one seed answer alike. */
  seed?: number | string;
  /** Faults per operation (operationId, method name, path or `*`): a sequence such as `['503', '503']`, then success. */
  faults?: FaultSchedule;
  /** Delay between stream events (ms). Default 0. */
  pacingMs?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** How many requests `requests` keeps (oldest dropped first); 0 keeps none. Default 1000. */
  recordLimit?: number;
  /** The path the API is served under. Default `/v1` (as the API); `''` serves the spec's paths at the root, as Prism does. */
  basePath?: string;
}

/** One request as the mock received it. */
export interface MockRequest {
  method: string;
  /** The path and query as sent (`/v1/images/…`). */
  path: string;
  /** The operation it was routed to, if any. */
  operationId: string | undefined;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** sha256 of the body with a multipart boundary replaced by a fixed token, so retried uploads compare equal. */
  bodyHash: string;
  /** False when the connection broke before the whole body arrived. */
  complete: boolean;
  /** `Date.now()` when the request arrived. */
  at: number;
  /** The status answered (undefined for a reset or stall). */
  status: number | undefined;
  /** The `x-request-id` answered. */
  requestId: string;
  /**
   * The body as the mock read it, once parsed: JSON as sent; multipart with `name[]` parts as arrays, `a[b]` parts as
   * objects and files as their names. Undefined when the body was not parsed (auth failure, fault, bad syntax).
   */
  params: JsonObject | undefined;
}

export interface MockServer {
  /** Base URL including the API's `/v1`, e.g. `http://127.0.0.1:4010/v1`. */
  url: string;
  port: number;
  /** The requests received so far, oldest first (at most `recordLimit`). */
  requests: MockRequest[];
  /** Replace the fault schedule (sequences start again). */
  setFaults(faults: FaultSchedule): void;
  /** Forget the recorded requests and restart the fault schedule given at start (for `beforeEach`). */
  reset(): void;
  /**
   * Load the spec again (the same file, or another file or document) and serve it from the next request on. Throws
   * `SpecError` and keeps serving the old one when the new one cannot be used.
   */
  reloadSpec(source?: string | JsonObject): void;
  /** Responses still open (streams in progress, stalls). */
  inFlight(): number;
  /** Open TCP connections, idle keep-alive ones included. */
  connections(): number;
  /** Close connections that carry no open response (pooled keep-alive ones). */
  closeIdle(): void;
  /** Destroy every connection, busy or not. */
  closeAll(): void;
  /** Resolves once no response is open, or after `timeoutMs` (default 1000). */
  settle(timeoutMs?: number): Promise<void>;
  /** Stops listening and ends every connection, stalled streams included. */
  close(): Promise<void>;
}

/** FNV-1a of a string: a seed from any text. */
function hashSeed(seed: number | string): number {
  let h = 0x811c9dc5;
  for (const ch of String(seed)) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 0x01000193);
  return h >>> 0;
}

export function normalizedHash(body: Buffer, contentType: string | undefined): string {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const marker = boundary?.[1] ?? boundary?.[2];
  const bytes = marker ? Buffer.from(body.toString('latin1').replaceAll(marker, 'BOUNDARY'), 'latin1') : body;
  return createHash('sha256').update(bytes).digest('hex');
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-expose-headers': '*',
} as const;

const IMAGE_PATH = /^\/_mock\/images\/(\d+)x(\d+)-(\d+)-(\d+)(?:-(\d+))?\.([a-z]+)$/;

/** Starts the mock on a loopback port. Throws `SpecError` for a spec it cannot use, `FaultSyntaxError` for bad `faults`. */
export async function startMock(options: MockOptions = {}): Promise<MockServer> {
  let spec: MockSpec = loadSpec(options.spec);
  const random = mulberry32(hashSeed(options.seed ?? Date.now()));
  let scheduler = new FaultScheduler(options.faults ?? {}, random);
  const cache = new ImageCache();
  const requests: MockRequest[] = [];
  const recordLimit = options.recordLimit ?? 1000;
  const open = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  /** Open sockets and how many open responses each carries. */
  const sockets = new Map<Socket, number>();
  const basePath = (options.basePath ?? '/v1').replace(/\/$/, '');
  let origin = '';

  const wait = (ms: number, res: ServerResponse) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || res.destroyed) return resolve();
      const done = () => {
        clearTimeout(timer);
        timers.delete(timer);
        res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timers.add(timer);
      res.once('close', done);
    });

  const requestId = () => {
    let hex = '';
    for (let i = 0; i < 4; i++)
      hex += Math.floor(random() * 0x100000000)
        .toString(16)
        .padStart(8, '0');
    return `req_${hex}`;
  };

  const headerValues = (list: HeaderSpec[] | undefined, id: string, started: number): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const h of list ?? []) {
      const lower = h.name.toLowerCase();
      if (lower === 'x-request-id') out[h.name] = id;
      else if (lower === 'openai-processing-ms') out[h.name] = String(Math.max(1, Math.round(performance.now() - started)));
      else if (lower === 'retry-after' || lower === 'retry-after-ms')
        continue; // only when a fault asks for them
      else if (h.example !== undefined) out[h.name] = String(h.example);
      else if (h.schema.type === 'integer' || h.schema.type === 'number') out[h.name] = String(h.schema.minimum ?? 0);
    }
    if (!Object.keys(out).some((k) => k.toLowerCase() === 'x-request-id')) out['x-request-id'] = id;
    return out;
  };

  /** Writes a body under the plan's transport faults (drip, truncation, reset mid-body). */
  const writeBody = async (res: ServerResponse, req: IncomingMessage, body: Buffer, plan: FaultPlan) => {
    if (plan.resetAfterBytes !== undefined) {
      res.write(body.subarray(0, plan.resetAfterBytes), () => {
        const timer = setTimeout(() => req.socket.resetAndDestroy(), 20);
        timers.add(timer);
      });
      return;
    }
    if (plan.dripMs !== undefined) {
      for (let i = 0; i < body.length && !res.destroyed; i++) {
        res.write(body.subarray(i, i + 1));
        await wait(plan.dripMs, res);
      }
      if (!res.destroyed) res.end();
      return;
    }
    res.end(body);
  };

  const sendJson = async (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    payload: unknown,
    headers: Record<string, string>,
    plan: FaultPlan,
    pads: Buffer[] = [],
  ) => {
    const text = JSON.stringify(payload);
    if (
      pads.length &&
      plan.body === undefined &&
      plan.truncateBytes === undefined &&
      plan.resetAfterBytes === undefined &&
      plan.dripMs === undefined
    ) {
      const expanded = expandPads(text, pads, plan.imageBytes);
      res.writeHead(status, {
        ...CORS,
        ...headers,
        'content-type': plan.contentType ?? 'application/json',
        'content-length': expanded.length,
      });
      await writePieces(res, expanded.pieces());
      if (!res.destroyed) res.end();
      return;
    }
    let body = pads.length ? Buffer.concat([...expandPads(text, pads, plan.imageBytes).pieces()]) : Buffer.from(text);
    let contentType = 'application/json';
    if (plan.body === 'invalid-json') body = Buffer.from('{"created": 1,, "data": []}');
    else if (plan.body === 'html') {
      body = Buffer.from(`<html><head><title>${status} Bad Gateway</title></head><body><center><h1>${status}</h1></center></body></html>`);
      contentType = 'text/html';
    } else if (plan.body === 'empty') body = Buffer.alloc(0);
    if (plan.truncateBytes !== undefined) body = body.subarray(0, plan.truncateBytes);
    res.writeHead(status, { ...CORS, ...headers, 'content-type': plan.contentType ?? contentType, 'content-length': body.length });
    await writeBody(res, req, body, plan);
  };

  const sendError = (
    req: IncomingMessage,
    res: ServerResponse,
    error: MockHttpError,
    op: MockOperation | undefined,
    id: string,
    started: number,
    plan: FaultPlan,
  ) => {
    const headers = headerValues(op?.headers.get(String(error.status)) ?? op?.headers.get('default'), id, started);
    if (error.status === 429) for (const name of Object.keys(headers)) if (/remaining-requests$/i.test(name)) headers[name] = '0';
    if (plan.retryAfterMs !== undefined) headers['retry-after-ms'] = String(plan.retryAfterMs);
    if (plan.retryAfter !== undefined) headers['retry-after'] = plan.retryAfter;
    if (plan.shouldRetry !== undefined) headers['x-should-retry'] = plan.shouldRetry;
    return sendJson(req, res, error.status, error.body, headers, plan);
  };

  const sendStream = async (
    req: IncomingMessage,
    res: ServerResponse,
    events: Array<{ name: string; data: unknown }>,
    headers: Record<string, string>,
    plan: FaultPlan,
    pads: Buffer[],
  ) => {
    res.writeHead(200, { ...CORS, ...headers, 'content-type': plan.contentType ?? 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    const pacing = plan.pacingMs ?? options.pacingMs ?? 0;
    const limit = plan.stallAfterEvents ?? plan.resetAfterEvents ?? plan.errorAfterEvents ?? events.length;
    const frames = plan.body === 'empty' ? [] : events.slice(0, limit).map((e) => encodeSse(e.name, JSON.stringify(e.data)));
    if (plan.body === 'invalid-json') frames.unshift(encodeSse(events[0]?.name, '{"type": "truncated",'));
    if (plan.errorAfterEvents !== undefined) {
      const error = new MockHttpError(
        plan.status ?? 500,
        plan.message ?? 'The server had an error while processing your request.',
        null,
        plan.code ?? null,
      );
      frames.push(encodeSse('error', JSON.stringify(error.body)));
    }
    if (plan.done && plan.stallAfterEvents === undefined && plan.resetAfterEvents === undefined)
      frames.push(encodeSse(undefined, '[DONE]'));
    for (let i = 0; i < frames.length && !res.destroyed; i++) {
      if (i > 0) await wait(pacing, res);
      if (res.destroyed) return;
      const text = frames[i] as string;
      if (pads.length && PAD_PATTERN.test(text)) {
        await writePieces(res, expandPads(text, pads, plan.imageBytes).pieces());
        continue;
      }
      const frame = Buffer.from(text);
      if (plan.dripMs !== undefined) {
        for (let b = 0; b < frame.length && !res.destroyed; b++) {
          res.write(frame.subarray(b, b + 1));
          await wait(plan.dripMs, res);
        }
      } else if (!res.write(frame)) await drained(res);
    }
    if (res.destroyed) return;
    if (plan.stallAfterEvents !== undefined) return; // stay open until the client gives up or the mock closes
    if (plan.resetAfterEvents !== undefined) {
      const timer = setTimeout(() => req.socket.resetAndDestroy(), 20);
      timers.add(timer);
      return;
    }
    res.end();
  };

  const serveImage = (res: ServerResponse, match: RegExpExecArray) => {
    const [, w, h, colour, alpha, frames, format] = match;
    const encoder = ENCODERS[format as string];
    const color = PALETTE[Number(colour) % PALETTE.length];
    if (!encoder || !color) {
      res.writeHead(404, CORS).end();
      return;
    }
    const image = cache.get(format as string, {
      width: Number(w),
      height: Number(h),
      color: { ...color, a: Number(alpha) },
      frames: Number(frames ?? 1),
    });
    res.writeHead(200, { ...CORS, 'content-type': image.contentType, 'content-length': image.bytes.length });
    res.end(image.bytes);
  };

  const authError = (authorization: string | undefined): MockHttpError | undefined => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!authorization)
      return new MockHttpError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      );
    if (!match)
      return new MockHttpError(401, 'Malformed Authorization header: expected `Authorization: Bearer YOUR_KEY`.', null, 'invalid_api_key');
    if (options.key !== undefined && match[1] !== options.key)
      return new MockHttpError(401, 'Incorrect API key provided.', null, 'invalid_api_key');
    return undefined;
  };

  /**
   * The control API, for tests in any language that run the CLI: `GET /_mock/requests` (the log, keys masked),
   * `POST /_mock/reset`, `PUT /_mock/faults` with a JSON fault schedule.
   */
  const control = async (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    const reply = (status: number, payload: unknown) => {
      const text = JSON.stringify(payload);
      res.writeHead(status, { ...CORS, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
    };
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const route = `${req.method} ${pathname}`;
    if (route === 'GET /_mock/requests')
      return reply(
        200,
        requests.map(({ body, headers, ...rest }) => ({
          ...rest,
          bodySize: body.length,
          headers: { ...headers, ...(headers.authorization ? { authorization: maskAuthorization(headers.authorization) } : {}) },
        })),
      );
    if (route === 'POST /_mock/reset') {
      requests.length = 0;
      scheduler = new FaultScheduler(options.faults ?? {}, random);
      return reply(200, { ok: true });
    }
    if (route === 'PUT /_mock/faults') {
      try {
        scheduler = new FaultScheduler(JSON.parse(Buffer.concat(chunks).toString('utf8')) as FaultSchedule, random);
        return reply(200, { ok: true });
      } catch (error) {
        return reply(400, new MockHttpError(400, `faults: ${(error as Error).message}`, 'faults').body);
      }
    }
    return reply(
      404,
      new MockHttpError(404, `Invalid URL (${route}); the control API has GET /_mock/requests, POST /_mock/reset, PUT /_mock/faults`).body,
    );
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const at = Date.now();
    let id = requestId();
    const url = new URL(req.url ?? '/', 'http://mock');
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') {
      // `*` does not cover Authorization in a preflight answer: name the headers the browser asks for.
      const asked = req.headers['access-control-request-headers'];
      res.writeHead(204, { ...CORS, ...(asked ? { 'access-control-allow-headers': asked } : {}) }).end();
      return;
    }
    const image = method === 'GET' ? IMAGE_PATH.exec(url.pathname) : null;
    if (image) return serveImage(res, image);
    if (url.pathname.startsWith('/_mock/')) return control(req, res, url.pathname);

    const chunks: Buffer[] = [];
    let complete = true;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    } catch {
      complete = false;
    }
    const body = Buffer.concat(chunks);
    const apiPath = url.pathname.startsWith(`${basePath}/`) ? url.pathname.slice(basePath.length) : undefined;
    const op = apiPath === undefined ? undefined : spec.operations.find((o) => o.httpMethod === method && o.pathPattern.test(apiPath));
    const record: MockRequest = {
      method,
      path: req.url ?? '/',
      operationId: op?.operationId,
      headers: req.headers,
      body,
      bodyHash: '',
      complete,
      at,
      status: undefined,
      requestId: id,
      params: undefined,
    };
    // Hashing a large upload costs more than answering it: only on first read.
    let hash: string | undefined;
    Object.defineProperty(record, 'bodyHash', {
      enumerable: true,
      get: () => {
        hash ??= normalizedHash(body, req.headers['content-type']);
        return hash;
      },
    });
    requests.push(record);
    if (requests.length > recordLimit) requests.splice(0, requests.length - recordLimit);
    if (!complete) return;
    res.once('finish', () => {
      record.status = res.statusCode;
    });

    let plan: FaultPlan = {};
    if (!op) {
      return sendError(req, res, new MockHttpError(404, `Invalid URL (${method} ${url.pathname})`), undefined, id, started, plan);
    }
    const denied = authError(req.headers.authorization);
    if (denied) return sendError(req, res, denied, op, id, started, plan);
    try {
      const header = req.headers[FAULT_HEADER];
      plan = { ...scheduler.next([op.operationId, op.method, op.path]), ...(typeof header === 'string' ? parseFaults(header) : {}) };
    } catch (error) {
      if (!(error instanceof FaultSyntaxError)) throw error;
      return sendError(req, res, new MockHttpError(400, `${FAULT_HEADER}: ${error.message}`, FAULT_HEADER), op, id, started, {});
    }
    if (plan.requestId) {
      id = plan.requestId;
      record.requestId = id;
    }

    if (plan.delayMs) await wait(plan.delayMs, res);
    if (res.destroyed) return;
    if (plan.reset) {
      req.socket.resetAndDestroy();
      return;
    }
    if (plan.stall) return;
    if (plan.redirect) {
      res.writeHead(307, { ...CORS, location: plan.redirect, 'content-length': 0 }).end();
      return;
    }
    if (plan.echoAuthorization) {
      const auth = String(req.headers.authorization ?? '');
      if (plan.status === undefined && /"stream"\s*:\s*true|name="stream"\r\n\r\ntrue/.test(body.toString('latin1'))) {
        res.writeHead(200, { ...CORS, 'content-type': 'text/event-stream' });
        res.end(encodeSse(undefined, `{"debug": "upstream saw ${auth}"`));
        return;
      }
      const key = auth.replace(/^Bearer\s+/i, '');
      const error = new MockHttpError(plan.status ?? 401, `invalid key ${key} (header was: ${auth})`, null, 'invalid_api_key');
      return sendJson(req, res, error.status, error.body, { 'x-request-id': id, 'x-upstream-debug': `received ${auth}` }, plan);
    }
    if (plan.status !== undefined && plan.errorAfterEvents === undefined && plan.status >= 300) {
      const error = new MockHttpError(plan.status, plan.message ?? stockMessage(plan.status), null, plan.code ?? null);
      return sendError(req, res, error, op, id, started, plan);
    }

    let answer: Answer;
    try {
      answer = await answerOperation({
        spec,
        op,
        contentType: req.headers['content-type'],
        body,
        random,
        cache,
        imageBytes: plan.imageBytes,
        onParsed: (params) => {
          record.params = params;
        },
        link: (l: ImageLink) =>
          `${origin}/_mock/images/${l.width}x${l.height}-${l.colour}-${l.alpha}${l.frames > 1 ? `-${l.frames}` : ''}.${l.format}`,
      });
    } catch (error) {
      if (error instanceof MockHttpError) return sendError(req, res, error, op, id, started, plan);
      throw error;
    }
    const headers = headerValues(op.headers.get('200'), id, started);
    if (answer.kind === 'stream' && !plan.noStream) return sendStream(req, res, answer.events, headers, plan, answer.pads);
    return sendJson(req, res, 200, answer.kind === 'stream' ? answer.json : answer.body, headers, plan, answer.pads);
  };

  const server = createServer((req, res) => {
    open.add(res);
    const socket = req.socket;
    sockets.set(socket, (sockets.get(socket) ?? 0) + 1);
    let counted = true;
    const release = () => {
      open.delete(res);
      if (counted && sockets.has(socket)) sockets.set(socket, (sockets.get(socket) ?? 1) - 1);
      counted = false;
    };
    res.once('close', release);
    res.once('finish', release);
    req.on('error', () => {});
    res.on('error', () => {});
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else {
        const failure = new MockHttpError(500, `imagegen-mock: ${error instanceof Error ? error.message : String(error)}`);
        res.writeHead(500, { ...CORS, 'content-type': 'application/json' }).end(JSON.stringify(failure.body));
      }
    });
  });
  server.on('clientError', (_error, socket: Socket) => socket.destroy());
  server.on('connection', (socket: Socket) => {
    sockets.set(socket, 0);
    socket.once('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1', backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  origin = `http://${host}:${address.port}`;
  return {
    url: `${origin}${basePath}`,
    port: address.port,
    requests,
    setFaults(faults) {
      scheduler = new FaultScheduler(faults, random);
    },
    reloadSpec(source) {
      spec = loadSpec(source ?? options.spec);
    },
    reset() {
      requests.length = 0;
      scheduler = new FaultScheduler(options.faults ?? {}, random);
    },
    inFlight: () => open.size,
    connections: () => sockets.size,
    closeIdle: () => {
      for (const [socket, active] of sockets) if (active === 0) socket.destroy();
    },
    closeAll: () => {
      for (const socket of sockets.keys()) socket.destroy();
    },
    settle: async (timeoutMs = 1000) => {
      const deadline = Date.now() + timeoutMs;
      while (open.size && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `Bearer sk-proj-abcdef…wxyz` → `Bearer sk-…wxyz` (keys under 16 characters: `Bearer …`): tells keys apart, is no key. */
export function maskAuthorization(value: string): string {
  const match = /^(\S+\s+)?(\S*)$/.exec(value.trim());
  const scheme = match?.[1] ?? '';
  const key = match?.[2] ?? '';
  return key.length >= 16 ? `${scheme}${key.slice(0, 3)}…${key.slice(-4)}` : `${scheme}…`;
}

function stockMessage(status: number): string {
  if (status === 429) return 'Rate limit reached for requests. Please try again later.';
  if (status === 503) return 'The engine is currently overloaded, please try again later.';
  if (status >= 500) return 'The server had an error while processing your request. Sorry about that!';
  return `The mock was asked to answer ${status}.`;
}

/** Resolves when `res` can take more data or has closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

const PAD_PATTERN = /@@imagegen-mock-pad-(\d+)@@/;
const A_CHUNK = Buffer.alloc(1 << 20, 'A');

/**
 * The base64 of `image` followed by zero bytes up to `total` bytes, in pieces: the image (rounded up to a multiple
 * of 3 bytes) encoded once, then runs of 'A' (three zero bytes each), then the last one or two zero bytes.
 */
function* paddedBase64(image: Buffer, total: number): Generator<Buffer> {
  const prefixLength = Math.min(total, Math.ceil(image.length / 3) * 3);
  const prefix = Buffer.alloc(prefixLength);
  image.copy(prefix, 0, 0, Math.min(image.length, prefixLength));
  yield Buffer.from(prefix.toString('base64'));
  const rest = total - prefixLength;
  for (let left = Math.floor(rest / 3) * 4; left > 0; left -= A_CHUNK.length)
    yield left >= A_CHUNK.length ? A_CHUNK : A_CHUNK.subarray(0, left);
  if (rest % 3) yield Buffer.from(Buffer.alloc(rest % 3).toString('base64'));
}

/** A body's text with each pad marker expanded, in pieces, and its length in bytes. */
function expandPads(text: string, pads: Buffer[], total: number | undefined): { length: number; pieces: () => Generator<Buffer> } {
  const parts = text.split(PAD_PATTERN);
  let length = 0;
  parts.forEach((part, i) => {
    length += i % 2 ? 4 * Math.ceil((total ?? 0) / 3) : Buffer.byteLength(part);
  });
  return {
    length,
    *pieces() {
      for (const [i, part] of parts.entries()) {
        if (i % 2 === 0) {
          if (part) yield Buffer.from(part);
        } else yield* paddedBase64(pads[Number(part)] as Buffer, total ?? 0);
      }
    },
  };
}

/** Writes pieces with backpressure; stops when the response is gone. */
async function writePieces(res: ServerResponse, pieces: Iterable<Buffer>): Promise<void> {
  for (const piece of pieces) {
    if (res.destroyed) return;
    if (!res.write(piece)) await drained(res);
  }
}
