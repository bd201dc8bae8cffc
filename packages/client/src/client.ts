import type {
  CreateImageEditRequest,
  CreateImageRequest,
  CreateImageVariationRequest,
  EditImageBodyJsonParam,
  ImageEditStreamEvent,
  ImageGenStreamEvent,
  ImagesResponse,
  operations,
  paths,
} from '@imagegen/types';
import { spec } from '@imagegen/types';
import createClient, { type Client } from 'openapi-fetch';
import { nodeDispatcher } from './dispatcher.js';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  errorFromBody,
  OpenAIError,
  ValidationError,
} from './errors.js';
import { createLog, type Logger, type LogLevel, redactHeaders, SECRET_HEADER } from './log.js';
import { type Part, prepareParts, toFormData, type Uploadable } from './multipart.js';
import { metaOf, setMeta } from './response-meta.js';
import { retryDelay, shouldRetry, sleep } from './retry.js';
import { eventStream, type ImageStream } from './stream.js';

/** Options of {@link createImagesClient}. Every option is optional. */
export interface ClientOptions {
  /** API key sent as `Authorization: Bearer …`. Default: `OPENAI_API_KEY`. Required one way or the other. */
  apiKey?: string;
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
}

/** Parameters of `images.generate`: the spec's `CreateImageRequest`. */
export type ImageGenerateParams = CreateImageRequest;

/** A multipart edit: the spec's `CreateImageEditRequest`, with `image` and `mask` accepting any {@link Uploadable}. */
export type ImageEditMultipartParams = Omit<CreateImageEditRequest, 'image' | 'image[]' | 'mask'> & {
  /** One image, or several (sent as repeated `image[]` parts, in order; the mask applies to the first). */
  image: Uploadable | Uploadable[];
  mask?: Uploadable;
};

/** Parameters of `images.edit`: a multipart edit with files, or the spec's JSON body with `images` references (URLs or file ids). */
export type ImageEditParams = ImageEditMultipartParams | EditImageBodyJsonParam;

/** Parameters of `images.createVariation`: the spec's `CreateImageVariationRequest`, `image` accepting any {@link Uploadable}. */
export type ImageVariationParams = Omit<CreateImageVariationRequest, 'image'> & { image: Uploadable };

/** The Images endpoints. */
export interface ImagesResource {
  /** `POST /images/generations`. With `stream: true`, resolves (once headers arrive) to a stream of events. */
  generate(body: ImageGenerateParams & { stream: true }, options?: RequestOptions): Promise<ImageStream<ImageGenStreamEvent>>;
  generate(body: ImageGenerateParams & { stream?: false | null }, options?: RequestOptions): Promise<ImagesResponse>;
  generate(body: ImageGenerateParams, options?: RequestOptions): Promise<ImagesResponse | ImageStream<ImageGenStreamEvent>>;
  /** `POST /images/edits`: multipart when `image` is given, JSON when `images` references are. With `stream: true`, a stream of events. */
  edit(body: ImageEditParams & { stream: true }, options?: RequestOptions): Promise<ImageStream<ImageEditStreamEvent>>;
  edit(body: ImageEditParams & { stream?: false | null }, options?: RequestOptions): Promise<ImagesResponse>;
  edit(body: ImageEditParams, options?: RequestOptions): Promise<ImagesResponse | ImageStream<ImageEditStreamEvent>>;
  /** `POST /images/variations` (multipart). */
  createVariation(body: ImageVariationParams, options?: RequestOptions): Promise<ImagesResponse>;
}

/** A client for the Images API. */
export interface ImagesClient {
  images: ImagesResource;
  /** The underlying openapi-fetch client (base URL and auth headers set; no retries, timeouts or validation). */
  raw: Client<paths>;
}

type ImagePath = keyof paths;
/** The media types a 200 response may have, per the spec. */
type ResponseMediaType = keyof operations['createImage']['responses'][200]['content'];

function env(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name]?.trim() || undefined;
}

function checkHeaders(headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n]/.test(value))
      throw new ValidationError(`headers["${name}"]`, `contains CR or LF${SECRET_HEADER.test(name) ? '' : `: ${JSON.stringify(value)}`}`);
  }
}

function checkPrompt(prompt: unknown): void {
  if (typeof prompt !== 'string' || !prompt.trim())
    throw new ValidationError('prompt', `must be a non-empty string, got ${JSON.stringify(prompt)}`);
}

function checkImages(field: string, list: unknown): void {
  if (list === undefined) throw new ValidationError(field, 'is required');
  const max = spec.limits.editImageMaxItems;
  if (Array.isArray(list) && list.length > max) throw new ValidationError(field, `has ${list.length} items; at most ${max} are allowed`);
}

/**
 * Create a client for the Images API. Throws `OpenAIError` without an API key, or in a browser
 * without `dangerouslyAllowBrowser`; `ValidationError` for a bad `baseURL`, plain `http://` to a
 * non-loopback host, or a header value containing CR/LF. See {@link ClientOptions} for defaults.
 */
export function createImagesClient(options: ClientOptions = {}): ImagesClient {
  const apiKey = options.apiKey ?? env('OPENAI_API_KEY');
  if (!apiKey) throw new OpenAIError('Missing API key: pass apiKey or set OPENAI_API_KEY.');
  if (/[\r\n]/.test(apiKey)) throw new ValidationError('apiKey', 'contains CR or LF');
  if (!options.dangerouslyAllowBrowser && (globalThis as { document?: unknown }).document !== undefined) {
    throw new OpenAIError(
      'Refusing to run in a browser, where the API key would be public; set dangerouslyAllowBrowser: true to allow it.',
    );
  }
  const baseURL = options.baseURL ?? env('OPENAI_BASE_URL') ?? 'https://api.openai.com/v1';
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    throw new ValidationError('baseURL', `is not a valid URL: ${JSON.stringify(baseURL)}`);
  }
  if (
    url.protocol === 'http:' &&
    !/^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|.+\.localhost)$/.test(url.hostname) &&
    !options.allowInsecureHttp
  ) {
    throw new ValidationError('baseURL', `${baseURL} would send the API key unencrypted; use https or set allowInsecureHttp: true`);
  }
  const organization = options.organization === undefined ? env('OPENAI_ORG_ID') : options.organization;
  const project = options.project === undefined ? env('OPENAI_PROJECT_ID') : options.project;
  const headers: Record<string, string> = {
    Authorization: `Bearer ${apiKey}`,
    ...(organization && { 'OpenAI-Organization': organization }),
    ...(project && { 'OpenAI-Project': project }),
    ...options.defaultHeaders,
  };
  checkHeaders(headers);

  const log = createLog(options.logger ?? console, options.logLevel ?? env('IMAGEGEN_LOG'));
  const dispatcher = options.fetch ? undefined : nodeDispatcher();
  const baseFetch = options.fetch ?? ((input: Request, init?: RequestInit) => fetch(input, init));
  const raw = createClient<paths>({ baseUrl: baseURL, headers, fetch: baseFetch, ...(dispatcher && { requestInitExt: { dispatcher } }) });

  // A server that echoes the key back in an error body must not get it into the error.
  const scrub = (value: unknown): unknown =>
    typeof value === 'string'
      ? value.replaceAll(apiKey, '[REDACTED]')
      : value && typeof value === 'object'
        ? JSON.parse(scrub(JSON.stringify(value)) as string)
        : value;

  async function send<T>(
    path: ImagePath,
    body: object,
    parts: Array<[string, Part]> | undefined,
    stream: boolean,
    ro: RequestOptions = {},
  ): Promise<T> {
    const {
      signal,
      timeout = options.timeout ?? 600_000,
      maxRetries = options.maxRetries ?? 2,
      streamIdleTimeout = options.streamIdleTimeout ?? 120_000,
    } = ro;
    if (ro.headers) checkHeaders(ro.headers);
    const aborted = () => new APIUserAbortError('Request was aborted.', signal?.reason);
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw aborted();
      const controller = new AbortController();
      const onAbort = () => controller.abort();
      signal?.addEventListener('abort', onAbort);
      let timedOut = false;
      const timer =
        timeout < 2 ** 31
          ? setTimeout(() => {
              timedOut = true;
              controller.abort();
            }, timeout)
          : undefined;
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const started = Date.now();
      let response: Response | undefined;
      let error: APIError;
      try {
        const result = await raw.POST(
          path as '/images/generations',
          {
            body: body as CreateImageRequest,
            ...(parts && { bodySerializer: () => toFormData(parts) as never }),
            parseAs: stream ? 'stream' : 'json',
            signal: controller.signal,
            // With 'follow', fetch keeps a copy of the body for a possible redirect: a file upload would be read into memory.
            redirect: 'error',
            headers: { Accept: (stream ? 'text/event-stream' : 'application/json') satisfies ResponseMediaType, ...ro.headers },
            fetch: async (request: Request, init?: RequestInit) => {
              log('debug', `request ${request.method} ${request.url} (attempt ${attempt + 1})`, redactHeaders(request.headers));
              response = await baseFetch(request, init);
              log('debug', `response ${response.status} in ${Date.now() - started} ms`, redactHeaders(response.headers));
              return response;
            },
          } as never,
        );
        const res = result.response;
        const meta = metaOf(res.status, res.headers);
        if (res.ok) {
          let data: unknown = result.data;
          if (stream) {
            clearTimeout(timer);
            data = eventStream(data as ReadableStream<Uint8Array>, controller, streamIdleTimeout, res.headers, scrub, done, signal);
          } else done();
          if (typeof data !== 'object' || !data)
            throw new APIError('The response body is empty.', undefined, res.status, undefined, res.headers);
          setMeta(data, meta);
          return data as T;
        }
        error = errorFromBody(res.status, scrub(result.error), res.headers);
        setMeta(error, meta);
        if (!shouldRetry(res.status, res.headers)) throw error;
      } catch (cause) {
        done();
        if (cause instanceof OpenAIError) throw cause; // our own errors (above) are final
        if (signal?.aborted) throw aborted();
        if (response && cause instanceof SyntaxError) {
          throw new APIError(
            `The response body is not valid JSON: ${cause.message}`,
            undefined,
            response.status,
            undefined,
            response.headers,
          );
        }
        const code = (cause as { cause?: { code?: string } }).cause?.code;
        error =
          timedOut || code?.endsWith('_TIMEOUT')
            ? new APIConnectionTimeoutError(timedOut ? `Request timed out after ${timeout} ms.` : `Request timed out (${code}).`, cause)
            : new APIConnectionError(response ? 'Connection lost while reading the response.' : 'Connection error.', cause);
      }
      done();
      if (attempt >= maxRetries) throw error;
      const ms = retryDelay(attempt, response?.headers);
      log('info', `retrying ${path} in ${Math.round(ms)} ms (retry ${attempt + 1} of ${maxRetries}) after: ${error.message}`);
      await sleep(ms, signal).catch(() => {
        throw aborted();
      });
    }
  }

  return {
    raw,
    images: {
      async generate(body: ImageGenerateParams, ro?: RequestOptions) {
        checkPrompt(body.prompt);
        return send('/images/generations', body, undefined, body.stream === true, ro);
      },
      async edit(body: ImageEditParams, ro?: RequestOptions) {
        checkPrompt(body.prompt);
        if ('images' in body) {
          checkImages('images', body.images);
          if (!body.images.length) throw new ValidationError('images', 'is an empty list');
        } else checkImages('image', body.image);
        const files = ['image', 'mask'] satisfies Array<keyof ImageEditMultipartParams>;
        return send('/images/edits', body, 'images' in body ? undefined : await prepareParts(body, files), body.stream === true, ro);
      },
      async createVariation(body: ImageVariationParams, ro?: RequestOptions) {
        checkImages('image', body.image);
        return send('/images/variations', body, await prepareParts(body, ['image'] satisfies Array<keyof ImageVariationParams>), false, ro);
      },
    } as ImagesResource,
  };
}
