import type { components } from '@imagegen/types';

type SpecHeaders = components['headers'];
/** A response header the spec declares (lower case, as `Headers.get` takes it). */
export type SpecHeaderName = Lowercase<keyof SpecHeaders & string>;
type RateLimitHeader = Extract<keyof SpecHeaders, `x-ratelimit-${string}`>;
type CamelCase<H> = H extends `x-ratelimit-${infer Kind}-${infer Unit}` ? `${Kind}${Capitalize<Unit>}` : never;

/**
 * The spec's `x-ratelimit-*` response headers, camel-cased: `limitRequests`, `remainingRequests`,
 * `resetRequests` (a duration such as `1s` or `6m0s`), and the same for tokens. Absent headers are
 * absent keys.
 */
export type RateLimitInfo = { [H in RateLimitHeader as CamelCase<H>]?: SpecHeaders[H] };

/** What the HTTP response said besides its body. */
export interface ResponseMeta {
  /** `x-request-id`: quote it when reporting a problem to OpenAI. */
  requestId: string | undefined;
  status: number;
  headers: Headers;
  rateLimit: RateLimitInfo;
  /** `openai-processing-ms`: server time spent on the request. */
  processingMs: number | undefined;
}

/**
 * The response behind each result (an `ImagesResponse`, a stream, an `APIError`), and the function that removes the
 * API key from its headers; its meta is read (and the headers scrubbed) only when asked for: most callers never do.
 */
export const responses = new WeakMap<object, [Response, (headers: Headers) => Headers]>();

/** Read the meta of a response's headers (pure). */
export function metaOf(status: number, headers: Headers): ResponseMeta {
  const rateLimit: Record<string, string | number> = {};
  headers.forEach((value, name) => {
    const m = /^x-ratelimit-(\w+)-(\w)(\w+)$/.exec(name);
    if (m) rateLimit[`${m[1]}${m[2]?.toUpperCase()}${m[3]}`] = m[1] === 'reset' ? value : Number(value);
  });
  const ms = headers.get('openai-processing-ms' satisfies SpecHeaderName);
  return {
    requestId: headers.get('x-request-id' satisfies SpecHeaderName) ?? undefined,
    status,
    headers,
    rateLimit,
    processingMs: ms === null ? undefined : Number(ms),
  };
}

/**
 * The request id, status, headers and rate-limit headers of the response behind a result: an
 * `ImagesResponse`, a stream, or an `APIError` with a status. Kept in a WeakMap, so results stay
 * plain objects (nothing extra in `JSON.stringify`). `undefined` for other values.
 */
export function getResponseMeta(result: object): ResponseMeta | undefined {
  const entry = responses.get(result);
  return entry && metaOf(entry[0].status, entry[1](entry[0].headers));
}

/**
 * The result of an images call together with the raw `Response` it came from, as the official SDK's
 * `.withResponse()` gives them: `const { data, response } = await withResponse(client.images.generate(…))`. For a
 * stream, `data` is the stream (its events not read yet). The `Response` is fetch's own (its headers as the server
 * sent them; {@link getResponseMeta} gives them with an echoed API key removed). Rejects as the call does.
 */
export async function withResponse<T extends object>(call: Promise<T>): Promise<{ data: T; response: Response }> {
  const data = await call;
  return { data, response: (responses.get(data) as [Response, unknown])[0] };
}
