import type { ApiErrorObject } from '@imagegen/types';
import type { SpecHeaderName } from './response-meta.js';

/**
 * Base class of every error thrown by this package (same name as in the official `openai` SDK, so
 * `catch` blocks migrate unchanged). Errors never hold the API key or the request headers.
 * `JSON.stringify` gives an error's own fields (`status`, `code`, `type`, `param`, `requestID`, …).
 */
export class OpenAIError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

/**
 * A request the client refused to send because an argument is invalid (empty prompt, empty or too
 * long image list, not an image file, CR/LF or another invalid character in a header, …). `field` names the argument; the
 * message starts with it.
 */
export class ValidationError extends OpenAIError {
  declare readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/**
 * The API answered with an error status, or a stream reported an error. Fields come from the
 * `{ error: { message, type, param, code } }` body; `requestID` from the `x-request-id` header.
 */
export class APIError extends OpenAIError {
  /** The HTTP status; `undefined` for connection errors, aborts and stream errors. */
  declare readonly status: number | undefined;
  /** The response headers, when there was a response. */
  declare readonly headers: Headers | undefined;
  /** The body's `error` object as sent (or the raw text of a non-JSON body). */
  declare readonly error: ApiErrorObject | string | undefined;
  declare readonly code: string | null | undefined;
  declare readonly param: string | null | undefined;
  declare readonly type: string | undefined;
  declare readonly requestID: string | null | undefined;

  constructor(message: string, cause?: unknown, status?: number, error?: ApiErrorObject | string, headers?: Headers) {
    super(message, cause);
    // A string (or no body) has none of the fields.
    const e: Partial<ApiErrorObject> = Object(error);
    Object.assign(this, {
      status,
      headers,
      error,
      code: e.code,
      param: e.param,
      type: e.type,
      requestID: headers?.get('x-request-id' satisfies SpecHeaderName),
    });
  }
}

// On the prototype (not an own field) so stack traces show it too; spelled out so minifiers keep it.
OpenAIError.prototype.name = 'OpenAIError';
ValidationError.prototype.name = 'ValidationError';
APIError.prototype.name = 'APIError';

/** The subclass for each HTTP status that has one (filled by {@link subclass}). */
const byStatus: Record<number, typeof APIError> = {};

/** A subclass of `Base` that adds nothing but its name (as `name` on instances and on the class), used for `status`. */
function subclass(name: string, status?: number, Base: typeof APIError = APIError): typeof APIError {
  const Class = { [name]: class extends Base {} }[name] as typeof APIError;
  Class.prototype.name = name;
  if (status) byStatus[status] = Class;
  return Class;
}

/** HTTP 400. */
export const BadRequestError = subclass('BadRequestError', 400);
export type BadRequestError = APIError;
/** HTTP 401: missing or wrong API key. */
export const AuthenticationError = subclass('AuthenticationError', 401);
export type AuthenticationError = APIError;
/** HTTP 403. */
export const PermissionDeniedError = subclass('PermissionDeniedError', 403);
export type PermissionDeniedError = APIError;
/** HTTP 404. */
export const NotFoundError = subclass('NotFoundError', 404);
export type NotFoundError = APIError;
/** HTTP 409 (retried by default). */
export const ConflictError = subclass('ConflictError', 409);
export type ConflictError = APIError;
/** HTTP 422. */
export const UnprocessableEntityError = subclass('UnprocessableEntityError', 422);
export type UnprocessableEntityError = APIError;
/** HTTP 429: rate limit or quota (retried by default, honouring `retry-after`). */
export const RateLimitError = subclass('RateLimitError', 429);
export type RateLimitError = APIError;
/** HTTP 500 and above (retried by default). */
export const InternalServerError = subclass('InternalServerError');
export type InternalServerError = APIError;
/** The caller's `AbortSignal` fired (during the request, a retry wait or a stream read), or `stream.abort()` was called. `cause` is the signal's reason. */
export const APIUserAbortError = subclass('APIUserAbortError');
export type APIUserAbortError = APIError;
/** No usable response: DNS, TCP or TLS failure, or the connection dropped mid-response. `cause` is the fetch error. */
export const APIConnectionError = subclass('APIConnectionError');
export type APIConnectionError = APIError;
/** The request `timeout` elapsed before the response headers (or, without streaming, the whole body) arrived. */
export const APIConnectionTimeoutError = subclass('APIConnectionTimeoutError', 0, APIConnectionError);
export type APIConnectionTimeoutError = APIError;
/** A stream received no bytes for `streamIdleTimeout` ms and was closed. */
export const StreamIdleTimeoutError = subclass('StreamIdleTimeoutError', 0, APIConnectionTimeoutError);
export type StreamIdleTimeoutError = APIError;
/**
 * The server sent an `error` event (or an event whose payload has an `error` key, or one that is not JSON)
 * inside a stream, or the stream ended without any event.
 */
export const APIStreamError = subclass('APIStreamError');
export type APIStreamError = APIError;

/** The code points of the named entities error pages use; others stay as written. */
const ENTITIES: Record<string, number> = { amp: 38, lt: 60, gt: 62, quot: 34, nbsp: 0xa0, mdash: 0x2014 };

/**
 * The error for a failed response, an `error` stream event or a stream event that is not JSON (`status`
 * undefined): the right `APIError` subclass, the message from the JSON `error.message`, else `prefix`
 * (default: the status, unless the text starts with it) and the body's text (an HTML page's text, see below; ≤ 300 chars).
 */
export function errorFromBody(status: number | undefined, body: unknown, headers: Headers, prefix?: string): APIError {
  const error = (body as { error?: unknown } | null)?.error ?? body;
  let message: string;
  if (typeof error === 'object' && error) {
    message = (error as ApiErrorObject).message || JSON.stringify(error);
  } else {
    // The text of an HTML page (or of plain text): tags and `<script>`/`<style>` elements left out (an unclosed one runs to
    // the end; a tag cannot contain `<`), whitespace collapsed, entities decoded, and a heading that repeats the title
    // ("502 Bad Gateway 502 Bad Gateway", "502 Bad Gateway Bad Gateway") said once. Only the first 64 KiB are read: the
    // time is bounded however long and hostile the page (V8's global `replace` is superlinear in its number of matches).
    message =
      typeof error === 'string'
        ? error
            .slice(0, 65_536)
            .replace(/(<(script|style)\b.*?(<\/\2\s*>|$)|<[^<>]*>|\s)+/gis, ' ')
            .trim()
            .replace(/&(#x[\da-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
              // `#x27` → `0x27`, `#8211` → `08211` (decimal); an unknown name → undefined, left as written.
              const code = name[0] === '#' ? Number(`0${name.slice(1)}`) : ENTITIES[name.toLowerCase()];
              return (code as number) <= 0x10ffff ? String.fromCodePoint(code as number) : entity;
            })
            .replace(/^((\d{3} )?(.{3,}?)) \2?\3(?= |$)/, '$1')
        : '';
    // The status leads, unless the text already does (an HTML error page titled "502 Bad Gateway").
    const lead = prefix ?? (message.startsWith(`${status} `) ? '' : status);
    message = `${lead} ${message.length > 300 ? `${message.slice(0, 300)}…` : message || (prefix ? '' : 'status code (no body)')}`.trim();
  }
  const Class = status === undefined ? APIStreamError : (byStatus[status] ?? (status >= 500 ? InternalServerError : APIError));
  return new Class(message, undefined, status, error as ApiErrorObject | string | undefined, headers);
}
