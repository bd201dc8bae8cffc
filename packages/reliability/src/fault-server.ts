// A loopback HTTP server that misbehaves on purpose: each request gets the next scripted fault (a 429, a reset, a
// stalled stream, a 100 MB body, …). It records what every attempt sent, so tests can compare retried uploads.

import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { encodeSse } from '@imagegen/client/internal/sse';
import { streamEvents } from './spec-stream.js';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** False when the connection broke before the whole body arrived (the request still counts as sent). */
  complete: boolean;
  /** sha256 of the body, with a multipart boundary replaced by a fixed token (it may change per attempt). */
  bodyHash: string;
  bodySize: number;
  body: Buffer;
  /** Date.now() when the request arrived. */
  at: number;
}

export interface FaultContext {
  req: IncomingMessage;
  res: ServerResponse;
  record: RecordedRequest;
  /** Runs when the connection closes (client abort, reset, normal end): stop timers here. */
  onClose(cleanup: () => void): void;
}

/** How the server answers one request. */
export type Fault = (ctx: FaultContext) => void | Promise<void>;

export interface FaultServer {
  /** Base URL with the API's `/v1` path: `http://127.0.0.1:<port>/v1`. */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Answer the next requests with these faults in order, then with `fallback` (default: a small 200 JSON). */
  script(faults: Fault[], fallback?: Fault): void;
  /** Responses that are neither finished nor closed: a client that abandoned one without closing it leaks it. */
  inFlight(): number;
  /** Open TCP connections, idle keep-alive ones included. */
  connections(): number;
  /**
   * Close connections that carry no open response: pooled keep-alive ones, and ones the client opened without
   * sending a request (undici opens a spare connection after a request is aborted mid-body).
   */
  closeIdle(): void;
  /** Destroy every connection, busy or not. */
  closeAll(): void;
  /** Resolves once no request is being received or answered (at most `timeoutMs`), so late arrivals are counted. */
  settle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export const IMAGES_RESPONSE = { created: 1_700_000_000, data: [{ b64_json: 'iVBORw0KGgo=' }] };

/** sha256 of a body; for multipart, with the boundary (from content-type) replaced, so attempts compare equal. */
export function normalizedHash(body: Buffer, contentType: string | undefined): string {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const marker = boundary?.[1] ?? boundary?.[2];
  const bytes = marker ? Buffer.from(body.toString('latin1').replaceAll(marker, 'BOUNDARY'), 'latin1') : body;
  return createHash('sha256').update(bytes).digest('hex');
}

export async function startFaultServer(): Promise<FaultServer> {
  let pending: Fault[] = [];
  let fallback: Fault = json(200, IMAGES_RESPONSE);
  const open = new Set<ServerResponse>();
  /** Open sockets and how many of their responses are still open. */
  const sockets = new Map<Socket, number>();
  const requests: RecordedRequest[] = [];

  const server: Server = createServer(async (req, res) => {
    open.add(res);
    const socket = req.socket;
    sockets.set(socket, (sockets.get(socket) ?? 0) + 1);
    let counted = true;
    const release = () => {
      open.delete(res);
      if (counted && sockets.has(socket)) sockets.set(socket, (sockets.get(socket) ?? 1) - 1);
      counted = false;
    };
    const cleanups: Array<() => void> = [];
    res.once('close', () => {
      release();
      for (const fn of cleanups.splice(0)) fn();
    });
    res.once('finish', release);
    req.on('error', () => {});
    res.on('error', () => {});
    const at = Date.now();
    const chunks: Buffer[] = [];
    let complete = true;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    } catch {
      complete = false; // the client went away mid-upload
    }
    const body = Buffer.concat(chunks);
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      complete,
      bodyHash: normalizedHash(body, req.headers['content-type']),
      bodySize: body.length,
      body,
      at,
    };
    requests.push(record);
    if (!complete) return;
    const fault = pending.shift() ?? fallback;
    try {
      await fault({ req, res, record, onClose: (fn) => (res.destroyed || res.writableFinished ? fn() : cleanups.push(fn)) });
    } catch {
      res.destroy();
    }
  });
  server.on('connection', (socket: Socket) => {
    sockets.set(socket, 0);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    script(faults, fb) {
      pending = [...faults];
      if (fb) fallback = fb;
      else fallback = json(200, IMAGES_RESPONSE);
    },
    inFlight: () => open.size,
    connections: () => sockets.size,
    settle: async (timeoutMs = 1000) => {
      const deadline = Date.now() + timeoutMs;
      do await new Promise((resolve) => setTimeout(resolve, 20));
      while (open.size && Date.now() < deadline);
    },
    closeAll: () => {
      for (const socket of sockets.keys()) socket.destroy();
    },
    closeIdle: () => {
      for (const [socket, active] of sockets) if (active === 0) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Resolves when `res` can take more data or has closed, without piling up listeners. */
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

// ---- faults ---------------------------------------------------------------------------------------------------

export const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Fault =>
  ({ res }) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };

export const text =
  (status: number, contentType: string, body: string, headers: Record<string, string> = {}): Fault =>
  ({ res }) => {
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };

export const apiError = (status: number, message: string, headers: Record<string, string> = {}) =>
  json(status, { error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'server_error', param: null, code: null } }, headers);

/** TCP RST right after the request arrived: no status line at all. */
export const resetBeforeHeaders: Fault = ({ req }) => {
  req.socket.resetAndDestroy();
};

/** Status and headers (announcing `total` bytes), `sent` bytes of body, then a TCP RST. */
export const resetMidBody =
  (total = 4096, sent = 512): Fault =>
  ({ res, req }) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': total });
    res.write(`{"created":1,"data":[{"b64_json":"${'A'.repeat(Math.max(0, sent - 34))}`, () =>
      setTimeout(() => req.socket.resetAndDestroy(), 20),
    );
  };

/** Accepts the request and never answers (until the client gives up). */
export const neverRespond: Fault = () => {};

/** A `307` to another origin (the client must not follow it with the key). */
export const redirect =
  (location: string): Fault =>
  ({ res }) => {
    res.writeHead(307, { location, 'content-length': 0 });
    res.end();
  };

/** One SSE message as the API writes it (the repo's one SSE writer); `data` that is not a string is sent as JSON. */
export const sseFrame = (data: unknown, event?: string) => encodeSse(event, typeof data === 'string' ? data : JSON.stringify(data));

/** A frame of a scripted stream: text as is, or built from the stream examples of the operation the request went to. */
export type Frame = string | ((examples: StreamExamples) => string);

/** The spec's stream examples of one operation: its first (a partial image) and its last (the completed image). */
export interface StreamExamples {
  first: Record<string, unknown>;
  last: Record<string, unknown>;
}

function examplesFor(req: IncomingMessage): StreamExamples {
  const events = streamEvents(req.url ?? '', req.method ?? '');
  const first = events[0];
  const last = events.at(-1);
  if (!first || !last) throw new Error(`the spec has no stream examples for ${req.method} ${req.url}`);
  return { first: first.data, last: last.data };
}

/** The operation's first stream example (a partial image), as the spec writes it. */
export const partialFrame: Frame = (examples) => sseFrame(examples.first, String(examples.first.type));
/** The operation's last stream example (the completed image). */
export const completedFrame: Frame = (examples) => sseFrame(examples.last, String(examples.last.type));

function resolveFrames(frames: Frame[], req: IncomingMessage): string[] {
  if (frames.every((f) => typeof f === 'string')) return frames as string[];
  const examples = examplesFor(req);
  return frames.map((f) => (typeof f === 'string' ? f : f(examples)));
}

export interface SseOptions {
  gapMs?: number;
  /** After the frames: `end` the body (default), `reset` the connection, or `stall` (send nothing more, keep it open). */
  after?: 'end' | 'reset' | 'stall';
  headers?: Record<string, string>;
}

/** A `text/event-stream` 200 with these frames, `gapMs` apart. */
export const sse =
  (scripted: Frame[], { gapMs = 0, after = 'end', headers = {} }: SseOptions = {}): Fault =>
  ({ res, req, onClose }) =>
    new Promise<void>((resolve) => {
      const frames = resolveFrames(scripted, req);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
      res.flushHeaders();
      let i = 0;
      let timer: NodeJS.Timeout | undefined;
      onClose(() => {
        clearTimeout(timer);
        resolve();
      });
      const next = () => {
        if (res.destroyed) return resolve();
        const frame = frames[i++];
        if (frame !== undefined) {
          res.write(frame);
          timer = setTimeout(next, gapMs);
          return;
        }
        if (after === 'end') res.end(resolve);
        else if (after === 'reset') {
          setTimeout(() => {
            req.socket.resetAndDestroy();
            resolve();
          }, 20);
        }
        // 'stall': leave it open; the client's idle timeout must close it
      };
      next();
    });

/** A `text/event-stream` 200 whose body is sent one byte every `everyMs`. */
export const drip =
  (body: string, everyMs = 100): Fault =>
  ({ res, onClose }) =>
    new Promise<void>((resolve) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      const bytes = Buffer.from(body);
      let i = 0;
      const timer = setInterval(() => {
        if (i < bytes.length) res.write(bytes.subarray(i, ++i));
        else {
          clearInterval(timer);
          res.end(resolve);
        }
      }, everyMs);
      onClose(() => {
        clearInterval(timer);
        resolve();
      });
    });

/** A 200 JSON `ImagesResponse` of about `bytes` bytes (one huge `b64_json`), written in 1 MiB chunks with backpressure. */
export const hugeJson =
  (bytes: number): Fault =>
  async ({ res }) => {
    const head = '{"created":1,"data":[{"b64_json":"';
    const tail = '"}]}';
    const chunk = Buffer.alloc(1 << 20, 'A');
    let left = bytes - head.length - tail.length;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes });
    res.write(head);
    while (left > 0 && !res.destroyed) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      if (!res.write(piece)) await drained(res);
    }
    if (!res.destroyed) res.end(tail);
  };

/** The operation's completed stream event with a `b64_json` of about `bytes`, written in 64 KiB pieces. */
export const hugeSseEvent =
  (bytes: number): Fault =>
  async ({ req, res }) => {
    const { last } = examplesFor(req);
    const frame = sseFrame({ ...last, b64_json: '@@' }, String(last.type));
    const [before, after] = frame.split('@@') as [string, string];
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(before);
    const chunk = Buffer.alloc(64 << 10, 'A');
    for (let left = bytes; left > 0 && !res.destroyed; left -= chunk.length) {
      if (!res.write(left >= chunk.length ? chunk : chunk.subarray(0, left))) await drained(res);
    }
    if (!res.destroyed) res.end(`${after}${sseFrame('[DONE]')}`);
  };

/** A stream whose first event is malformed JSON that quotes the request's `Authorization` header. */
export const echoAuthorizationInStream: Fault = ({ req, res }) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(sseFrame(`{"debug": "upstream saw ${String(req.headers.authorization ?? '')}"`));
};

/**
 * Reflects the request's key in the error body (bare and as `Bearer …`) and in a debug header whose name does not
 * look secret: a misbehaving proxy. A client must keep it out of errors, response meta and logs.
 */
export const echoAuthorization =
  (status: number): Fault =>
  ({ req, res }) => {
    const auth = String(req.headers.authorization ?? '');
    const key = auth.replace(/^Bearer\s+/i, '');
    const body = JSON.stringify({
      error: { message: `invalid key ${key} (header was: ${auth})`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
    });
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-upstream-debug': `received ${auth}`,
    });
    res.end(body);
  };
