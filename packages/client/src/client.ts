import type { ClientOperation, OperationId, OperationMethods, OperationTypes, operations, paths } from '@imagegen/types';
import { clientOperations } from '@imagegen/types';
import createClient, { type Client, type ClientOptions as FetchClientOptions } from 'openapi-fetch';
import { onAbort } from './abort.js';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  errorFromBody,
  OpenAIError,
  ValidationError,
} from './errors.js';
import { createLog, type Logger, type LogLevel, SECRET_HEADER } from './log.js';
import { StreamFile, toFormData, type Uploadable } from './multipart.js';
import { diskFiles } from './node-fs.js';
import { responses } from './response-meta.js';
import { after, retryDelay, shouldRetry } from './retry.js';
import { eventStream, type ImageStream } from './stream.js';

/** Options of {@link createImagesClient}. Every option is optional. */
export interface ClientOptions {
  /**
   * API key sent as `Authorization: Bearer …`, or a function (possibly async) that returns it, called for every request
   * (retries included): for rotating or short-lived keys. Default: `OPENAI_API_KEY`. Required one way or the other.
   */
  apiKey?: string | (() => string | Promise<string>);
  /** Default: `OPENAI_BASE_URL`, else `https://api.openai.com/v1`. Plain `http://` is refused for non-loopback hosts unless `allowInsecureHttp`. */
  baseURL?: string;
  /** `OpenAI-Organization` header. Default: `OPENAI_ORG_ID`; `null` sends none. */
  organization?: string | null;
  /** `OpenAI-Project` header. Default: `OPENAI_PROJECT_ID`; `null` sends none. */
  project?: string | null;
  /** Milliseconds until the response headers arrive (and, without streaming, the whole body). Default 600000 (10 min). */
  timeout?: number;
  /** Retries after a connection error, timeout, 408, 409, 429 or 5xx. Default 2. */
  maxRetries?: number;
  /** A fetch implementation (default: the global `fetch`). On Node without it, the client lifts undici's 300 s headers cap. */
  fetch?: (input: Request) => Promise<Response>;
  /** Headers sent with every request (after the auth headers, so they can override them). */
  defaultHeaders?: Record<string, string>;
  /** Where log lines go. Default: `console`. */
  logger?: Logger;
  /** Default: `IMAGEGEN_LOG`, else `warn`. `debug` logs each request (headers redacted), response status and timing. */
  logLevel?: LogLevel;
  /** Allow use where `document` exists. Off by default: a key in a web page is readable by anyone who loads it. */
  dangerouslyAllowBrowser?: boolean;
  /** Allow sending the key over plain `http://` to a non-loopback host. */
  allowInsecureHttp?: boolean;
  /** Milliseconds without any byte after which a stream is closed with `StreamIdleTimeoutError`. Default 120000; 0 disables. */
  streamIdleTimeout?: number;
}

/** Per-request options (override the client's). */
export interface RequestOptions {
  /** Aborts the request, a retry wait or a stream read: the call throws `APIUserAbortError`. */
  signal?: AbortSignal;
  timeout?: number;
  maxRetries?: number;
  streamIdleTimeout?: number;
  /** Extra headers, merged over the client's. */
  headers?: Record<string, string>;
  /**
   * Sent as `Idempotency-Key` on every attempt of this call (retries included), so a server that honours it does not
   * run (and bill) a retried request twice. Default: a new `imagegen-<uuid>` per call. (The official SDK drops it.)
   */
  idempotencyKey?: string;
}

/** `T` with every upload (a `Blob` in the generated types) accepting any {@link Uploadable}. */
export type WithUploads<T> = T extends Blob
  ? Uploadable
  : T extends readonly (infer E)[]
    ? WithUploads<E>[]
    : T extends object
      ? { [K in keyof T]: WithUploads<T[K]> }
      : T;

/** The operation id behind the client method `M`. */
type OperationOf<M extends ImageMethod> = { [K in OperationId]: OperationTypes[K]['method'] extends M ? K : never }[OperationId];

/** Parameters of `images.<M>`: the spec's request body (every media type it accepts), each upload accepting any {@link Uploadable}. */
export type ImageParams<M extends ImageMethod> = WithUploads<OperationTypes[OperationOf<M>]['params']>;

/** An operation that streams: with `stream: true`, resolves (once headers arrive) to a stream of its events. */
export interface StreamingCall<K extends OperationId, P = WithUploads<OperationTypes[K]['params']>> {
  (body: P & { stream: true }, options?: RequestOptions): Promise<ImageStream<OperationTypes[K]['event']>>;
  (body: P & { stream?: false | null }, options?: RequestOptions): Promise<OperationTypes[K]['response']>;
  (body: P, options?: RequestOptions): Promise<OperationTypes[K]['response'] | ImageStream<OperationTypes[K]['event']>>;
}
/** An operation that does not stream. */
export type Call<K extends OperationId> = (
  body: WithUploads<OperationTypes[K]['params']>,
  options?: RequestOptions,
) => Promise<OperationTypes[K]['response']>;

/**
 * The Images endpoints: one method per operation of the spec (named by its `x-imagegen-method`), multipart or JSON as the
 * body's fields choose. Stream overloads only for operations whose response can be an event stream.
 */
export type ImagesResource = OperationMethods<{
  [K in OperationId]: OperationTypes[K]['stream'] extends true ? StreamingCall<K> : Call<K>;
}>;
/** A method name of {@link ImagesResource}. */
export type ImageMethod = keyof ImagesResource;

/** A client for the Images API. {@link rawClient} gives the openapi-fetch client with the same base URL, headers and fetch. */
export interface ImagesClient {
  images: ImagesResource;
}

type ImagePath = keyof paths;
/** The media types a 200 response may have, per the spec. */
type ResponseMediaType = { [K in OperationId]: keyof operations[K]['responses'][200]['content'] }[OperationId];

/**
 * What {@link rawClient} builds its openapi-fetch client from: the client's base URL, headers, fetch, dispatcher and
 * (when `apiKey` is a function; else it is in the headers) the key for a request.
 */
type RawParts = [
  baseUrl: string,
  headers: Record<string, string | undefined>,
  customFetch: ((input: Request) => Promise<Response>) | undefined,
  dispatcher: object | undefined,
  keyNow: (() => Promise<string>) | undefined,
];

/**
 * Per images client, the parts {@link rawClient} builds its openapi-fetch client from, replaced by that client once
 * built. Only `rawClient` builds (and calls `createClient`), so a bundle that never calls it leaves all that out.
 */
const rawClients = new WeakMap<ImagesClient, RawParts | Client<paths>>();

/**
 * The openapi-fetch client behind an images client: same base URL, auth and project headers, `fetch` and (on Node) undici
 * dispatcher; typed from the spec's `paths`, without the images methods' retries, timeouts, checks or error classes. For
 * anything the images methods do not cover. Built on first use (so a bundle that never calls this leaves `createClient` out).
 */
export function rawClient(client: ImagesClient): Client<paths> {
  const raw = rawClients.get(client);
  if (!raw) throw new OpenAIError('rawClient: not a client made by createImagesClient.');
  if ('POST' in raw) return raw;
  const [baseUrl, headers, customFetch, dispatcher, keyNow] = raw;
  const options: FetchClientOptions = {
    baseUrl,
    headers,
    fetch: async (input: Request, init?: RequestInit) => {
      if (keyNow) input.headers.set('Authorization', `Bearer ${await keyNow()}`);
      return customFetch ? customFetch(input) : fetch(input, init);
    },
    ...(dispatcher && { requestInitExt: { dispatcher } }),
  };
  const built = createClient<paths>(options);
  rawClients.set(client, built);
  return built;
}

function env(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name]?.trim() || undefined;
}

/**
 * Header values fetch (undici) would refuse, after retrying as connection errors: CR, LF, NUL and other control
 * characters, and anything above U+00FF. A credential header's value is not echoed.
 */
function checkHeaders(headers: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (/[^\t\x20-\x7e\x80-\xff]/.test(value as string))
      throw new ValidationError(
        `headers["${name}"]`,
        `contains CR or LF or another invalid character${SECRET_HEADER.test(name) ? '' : `: ${JSON.stringify(value)}`}`,
      );
  }
}

/**
 * Each required property of a body as the spec's operation table says (`required`): a non-empty string, a list (or one
 * upload) of 1 to `check` items (0: no limit), or just present.
 */
function checkRequired(body: Record<string, unknown>, required: ClientOperation['bodies'][number]['required'] = {}): void {
  for (const [field, check] of Object.entries(required)) {
    const value = body[field];
    if (check === 'string') {
      if (typeof value !== 'string' || !value.trim())
        throw new ValidationError(field, `must be a non-empty string, got ${JSON.stringify(value)}`);
    } else if (typeof check === 'number') {
      const n = [value ?? []].flat().length;
      if (n < 1 || (check && n > check))
        throw new ValidationError(field, n ? `has ${n} items (at most ${check})` : 'is required (missing or empty)');
    } else if (value == null) throw new ValidationError(field, 'is required (missing)');
  }
}

/**
 * Create a client for the Images API. Throws `OpenAIError` without an API key, or in a browser
 * without `dangerouslyAllowBrowser`; `TypeError` (from `URL`) for a `baseURL` that is not a URL;
 * `ValidationError` for plain `http://` to a non-loopback host, or a header value (the key included) that
 * fetch would refuse (CR, LF, other control characters, characters above U+00FF). See {@link ClientOptions} for defaults.
 */
export function createImagesClient(options: ClientOptions = {}): ImagesClient {
  return clientWith(options);
}

/**
 * {@link createImagesClient}, with the source of the undici dispatcher used when no `fetch` is given:
 * the Node entry (`node.ts`) passes the one without undici's 300 s timeouts.
 */
export function clientWith(options: ClientOptions, dispatcherFor?: () => object | undefined): ImagesClient {
  const apiKey = options.apiKey ?? env('OPENAI_API_KEY');
  if (!apiKey) throw new OpenAIError('Missing API key: pass apiKey or set OPENAI_API_KEY.');
  if (!options.dangerouslyAllowBrowser && (globalThis as { document?: unknown }).document !== undefined)
    throw new OpenAIError('Refusing to expose the API key in a browser without dangerouslyAllowBrowser: true.');
  const baseURL = options.baseURL ?? env('OPENAI_BASE_URL') ?? 'https://api.openai.com/v1';
  const url = new URL(baseURL); // a TypeError (Invalid URL) if it is not one
  if (url.protocol === 'http:' && !/^((.+\.)?localhost|127(\.\d+){3}|\[::1\])$/.test(url.hostname) && !options.allowInsecureHttp)
    throw new ValidationError('baseURL', `${baseURL} would send the API key unencrypted; use https or allowInsecureHttp: true`);
  const organization = options.organization === undefined ? env('OPENAI_ORG_ID') : options.organization;
  const project = options.project === undefined ? env('OPENAI_PROJECT_ID') : options.project;
  const keyFn = typeof apiKey === 'function' ? apiKey : undefined;
  // openapi-fetch leaves out headers whose value is undefined.
  const headers = {
    Authorization: keyFn ? undefined : `Bearer ${apiKey}`,
    'OpenAI-Organization': organization || undefined,
    'OpenAI-Project': project || undefined,
    ...options.defaultHeaders,
  };
  checkHeaders(headers);

  const logLevel = options.logLevel ?? env('IMAGEGEN_LOG');
  const log = createLog(options.logger ?? console, logLevel);
  const debug = logLevel === 'debug';
  const customFetch = options.fetch;
  const dispatcher = customFetch ? undefined : dispatcherFor?.();
  /** The key of a request: the string, or what the function returns (checked, never echoed). */
  const keyNow =
    keyFn &&
    (async (): Promise<string> => {
      let key: unknown;
      try {
        key = await keyFn();
      } catch (cause) {
        throw new OpenAIError(`apiKey: the function failed (${(cause as Error)?.message}).`, cause);
      }
      if (typeof key !== 'string' || !key)
        throw new OpenAIError(`apiKey: the function returned no key (got ${typeof key === 'string' ? '""' : typeof key}).`);
      checkHeaders({ Authorization: key });
      return key;
    });
  /**
   * A copy of `headers` with `key` replaced wherever it appears (a debugging proxy may echo it), for errors,
   * response meta and logs; `redact` also hides credential headers (for logs). Only cold paths call it.
   */
  const clean = (key: string, headers: Headers, redact?: 1): Headers => {
    const copy = new Headers();
    headers.forEach((value, name) => {
      copy.append(name, redact && SECRET_HEADER.test(name) ? '[REDACTED]' : value.replaceAll(key, '[REDACTED]'));
    });
    return copy;
  };
  const base = baseURL.replace(/\/$/, '');
  // The client's headers, merged once (a JSON body adds its content type; fetch sets a multipart one with its boundary).
  // (Headers whose value is undefined are left out, as openapi-fetch leaves them out.)
  const formHeaders = Object.entries(headers).filter((entry): entry is [string, string] => entry[1] != null);
  const jsonHeaders: Array<[string, string]> = [['Content-Type', 'application/json'], ...formHeaders];

  /**
   * POST `payload` (`params` as JSON, or their multipart `FormData`) with retries and timeouts; the
   * parsed body, or a stream of events when `params.stream` is true. The URL, headers and body are built once, as
   * openapi-fetch's client would build them (the call's headers over the client's, the body as JSON unless a FormData),
   * and sent with fetch's URL + init form: Node's fetch copies a `Request` object before sending it, body included, which cost as much CPU as
   * the rest of a small call. A custom `fetch` gets a `Request`.
   */
  async function send<T>(path: ImagePath, params: object, ro: RequestOptions = {}, payload: FormData | string): Promise<T> {
    const stream = (params as { stream?: unknown }).stream === true;
    const {
      signal,
      timeout = options.timeout ?? 600_000,
      maxRetries = options.maxRetries ?? 2,
      streamIdleTimeout = options.streamIdleTimeout ?? 120_000,
    } = ro;
    const accept: ResponseMediaType = stream ? 'text/event-stream' : 'application/json';
    // One key for every attempt of this call: a random UUID; outside a secure context (a browser page over plain http),
    // where `crypto.randomUUID` is missing, 128 random bits in hex (each byte without padding).
    const idempotencyKey =
      ro.idempotencyKey ??
      `imagegen-${crypto.randomUUID?.() ?? [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16)).join('')}`;
    const callHeaders = { Accept: accept, 'Idempotency-Key': idempotencyKey, ...ro.headers };
    if (ro.headers || ro.idempotencyKey) checkHeaders(callHeaders);
    // One payload for every attempt: fetch encodes a FormData anew each time, re-reading its Blobs (files stay on disk).
    // The field of an upload read from a stream (it can be sent only once), or else of one from a file on disk.
    let streamed: string | undefined;
    let fromDisk: string | undefined;
    if (payload instanceof FormData)
      for (const [name, value] of payload) {
        if (value instanceof StreamFile) streamed ??= name;
        else if (diskFiles.has(value as object)) fromDisk ??= name;
      }
    const unfollowable = streamed ?? fromDisk;
    const kind = `the upload (${unfollowable}) is ${streamed ? 'a stream' : 'a file from disk'}`;
    let target = base + path;
    const init = {
      method: 'POST',
      body: payload,
      headers: new Headers(payload instanceof FormData ? formHeaders : jsonHeaders),
      // Unless 'error', fetch clones the request and tees its body for a possible redirect, on every call: a quarter more
      // CPU per call, and a copy of all a file or stream upload sends (undici#4058). So a redirect first fails the fetch;
      // the request is then sent again with 'manual' to read where to, and followed below ('follow' would turn a
      // 301/302 POST into a GET), except for an upload from a file or stream.
      redirect: 'error',
      dispatcher,
    } as RequestInit;
    const sent = init.headers as Headers;
    for (const [name, value] of Object.entries(callHeaders)) sent.set(name, value);
    // The attempt, retry wait or stream in progress: what the caller's signal aborts.
    let current: { abort(): void } | undefined;
    // One subscription per call to the caller's signal (whatever the attempts, waits and stream), ended when the call settles.
    let settle = signal && onAbort(signal, () => current?.abort());
    let redirects = 0;
    try {
      for (let attempt = 0; ; attempt++) {
        const controller = new AbortController();
        current = controller;
        let timedOut: true | undefined;
        const timer = after(timeout, () => {
          timedOut = true;
          controller.abort();
        });
        let res: Response | undefined;
        let error: APIError;
        let key = apiKey as string;
        try {
          if (signal?.aborted) throw signal.reason; // (the catch below makes it an APIUserAbortError)
          if (keyNow) {
            key = await keyNow();
            sent.set('Authorization', `Bearer ${key}`);
          }
          init.signal = controller.signal;
          const started = Date.now();
          if (debug) log('debug', `request POST ${target}`, Object.fromEntries(clean(key, sent, 1)));
          res = await (customFetch ? customFetch(new Request(target, init)) : fetch(target, init));
          const { status, headers, ok } = res;
          if (debug) log('debug', `response ${status} in ${Date.now() - started} ms`, Object.fromEntries(clean(key, headers, 1)));
          const cleanHeaders = (h: Headers) => clean(key, h);
          // The error for a body, with the response's headers, both scrubbed (a server that echoes the key back in an
          // error body must not get it into the error); a stream's have no status.
          const fail = (body: unknown, prefix?: string, code?: number) =>
            errorFromBody(
              code,
              body && JSON.parse(JSON.stringify(body).replaceAll(JSON.stringify(key).slice(1, -1), '[REDACTED]')),
              clean(key, headers),
              prefix,
            );
          const location = headers.get('location');
          // 303 (See Other) asks for a GET: an error like any other status.
          if (location && /^30[1278]$/.test(`${status}`)) {
            const to = new URL(location, target);
            void res.body?.cancel().catch(() => {});
            // The key, the organization's headers and the request itself (a prompt, images) go to the API's origin only.
            const why = to.origin !== url.origin ? `another origin` : ++redirects > 5 ? 'more than 5 redirects' : '';
            if (why) throw fail('', `${status} redirect to ${to} not followed: ${why}`, status);
            target = to.href;
            attempt--;
            continue;
          }
          // A stream's timeout ends with the headers (then `streamIdleTimeout` applies); a JSON body's covers the body too.
          const type = headers.get('content-type');
          let data: unknown;
          // (No content type: `null`, which does not match.)
          if (ok && stream && /^text\/event-stream\b/i.test(type as string)) {
            current = data = eventStream(res.body as ReadableStream<Uint8Array>, controller, streamIdleTimeout, fail, signal, settle);
            settle = undefined; // the stream settles the call when it ends
          } else {
            const text = await res.text();
            try {
              data = JSON.parse(text);
            } catch {
              data = text;
            }
            // Anything but an event stream (a JSON body, an HTML page) for a stream, or a body that is not a JSON object: an error.
            if (ok && (stream || typeof data !== 'object' || !data))
              throw fail(
                text,
                `${status} ${stream ? `expected text/event-stream, got ${type || 'no content type'}:` : 'response body is not valid JSON:'}`,
                status,
              );
          }
          if (ok) {
            responses.set(data as object, [res, cleanHeaders]);
            return data as T;
          }
          error = fail(data, undefined, status);
          responses.set(error, [res, cleanHeaders]);
          if (!shouldRetry(status, headers)) throw error;
        } catch (cause) {
          if (signal?.aborted) throw new APIUserAbortError('Request was aborted.', signal.reason);
          if (cause instanceof OpenAIError) throw cause; // our own errors (above) are final
          if ((cause as { cause?: Error } | undefined)?.cause?.message === 'unexpected redirect' && init.redirect === 'error') {
            if (unfollowable) throw new APIError(`Redirect not followed: ${kind}; set baseURL to the new URL.`, cause);
            init.redirect = 'manual';
            attempt--;
            continue;
          }
          // An upload that cannot be read (a file from fromPath changed or was removed since): retrying cannot help.
          if ((cause as { cause?: Error } | undefined)?.cause?.name === 'NotReadableError')
            throw new OpenAIError('Upload failed: a file changed after fromPath.', cause);
          error = timedOut
            ? new APIConnectionTimeoutError(`Request timed out after ${timeout} ms.`, cause)
            : new APIConnectionError(res ? 'Connection lost mid-response.' : 'Connection error.', cause);
        } finally {
          clearTimeout(timer);
        }
        if (attempt >= maxRetries) throw error;
        if (streamed)
          throw new OpenAIError(`Not retried: ${kind}, read once (use fromPath() or a Blob to allow retries): ${error.message}`, error);
        const ms = retryDelay(attempt, res?.headers);
        log('info', `retrying ${path} in ${Math.round(ms)} ms (retry ${attempt + 1} of ${maxRetries}) after: ${error.message}`);
        // Ended early by the caller's signal (the next attempt then throws). An abort since the attempt ended (during the
        // log line, say) reached the attempt's controller, not this wait: it ends the wait at once.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, signal?.aborted ? 0 : ms);
          current = {
            abort() {
              clearTimeout(timer);
              resolve();
            },
          };
        });
      }
    } finally {
      settle?.();
    }
  }

  // One method per operation of the spec. The body's media type: the first whose required properties the body has
  // (an edit with `images` references is JSON, one with `image` files multipart), else the first the spec lists.
  const images: Record<string, (body: Record<string, unknown>, ro?: RequestOptions) => Promise<unknown>> = {};
  for (const [name, op] of Object.entries(clientOperations)) {
    images[name] = async (body, ro) => {
      const media = op.bodies.find((b) => Object.keys(b.required).every((k) => body[k] != null)) ?? op.bodies[0];
      checkRequired(body, media?.required);
      return send(
        op.path as ImagePath,
        body,
        ro,
        /^multipart\//.test(media?.type as string) ? await toFormData(body, media?.fields) : JSON.stringify(body),
      );
    };
  }
  const client: ImagesClient = { images: images as unknown as ImagesResource };
  rawClients.set(client, [baseURL, headers, customFetch, dispatcher, keyNow]);
  return client;
}
