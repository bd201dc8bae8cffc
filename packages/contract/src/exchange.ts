import { retryDelay } from '@imagegen/client/internal/retry';
import { encodeBody, isFilePart, type RequestCase } from './cases.js';
import { describeFetchError } from './net.js';
import { curlFor, excerpt, type Repro } from './repro.js';
import type { SchemaValidator } from './schema.js';
import { isObject, type OperationInfo, type ResponseInfo, type Spec } from './spec.js';
import { mergeViolations, parseSlViolations, type Violation, violation } from './violations.js';

export interface ExchangeContext {
  spec: Spec;
  validator: SchemaValidator;
  timeoutMs: number;
  /** Whether requests carry a real API key; without one, Prism's "no security" request violation is expected. */
  hasKey: boolean;
  /** `mock`: the target is `@imagegen/mock`, started by the suite; `proxy`: a server given with `--target`/`--live`. */
  mode: 'mock' | 'proxy';
  /** How often to wait and resend after an unexpected 429 (a real server's rate limit); 0 in mock mode. */
  rateLimitRetries: number;
  /** A response whose headers take longer than this is a violation (`--max-response-time`). */
  maxResponseTimeMs?: number;
  /** Receives every request sent and the start of its answer (the suite keeps them for repros). */
  log?: (entry: Repro) => void;
  /** Aborts every request in flight (an interrupted run). */
  signal?: AbortSignal | undefined;
}

/** The suite's timeout, joined with the run's abort signal. */
export function requestSignal(ctx: Pick<ExchangeContext, 'timeoutMs' | 'signal'>): AbortSignal {
  const timeout = AbortSignal.timeout(ctx.timeoutMs);
  return ctx.signal ? AbortSignal.any([timeout, ctx.signal]) : timeout;
}

export interface Sent {
  response: Response;
  curl: string;
}

/**
 * Sends one request with the suite's timeout. Against a real server it waits out a rate limit as the
 * client does (its `retryDelay`: `retry-after-ms` / `retry-after` up to 60 s, else its backoff) and
 * resends, up to `ctx.rateLimitRetries` times, noting each wait. Every 429 or 5xx met on the way that was
 * not the status asked for is itself checked against the spec (status declared, body, envelope,
 * retry hints, x-request-id), into `problems`. The body is rebuilt per attempt (bodies are single-use).
 */
export async function send(
  ctx: ExchangeContext,
  op: OperationInfo,
  url: string,
  request: Pick<RequestCase, 'mediaType' | 'fields'> | undefined,
  headers: Record<string, string>,
  notes: string[],
  problems: Violation[],
  expectStatus: number,
): Promise<Sent> {
  const curl = curlFor(op.method, url, headers, request);
  for (let attempt = 0; ; attempt++) {
    const started = Date.now();
    let response: Response;
    try {
      const body = request ? encodeBody(request).body : undefined;
      response = await fetch(url, { method: op.method, headers, ...(body !== undefined && { body }), signal: requestSignal(ctx) });
    } catch (error) {
      ctx.log?.({ curl, status: null, response: `(no response: ${describeFetchError(error)})` });
      throw error;
    }
    const took = Date.now() - started;
    if (ctx.maxResponseTimeMs !== undefined && took > ctx.maxResponseTimeMs)
      problems.push(
        violation('response time', '', `${took} ms to the response headers, more than --max-response-time ${ctx.maxResponseTimeMs} ms`),
      );
    const met = response.status === 429 || response.status >= 500;
    if (!met || response.status === expectStatus) return { response, curl };
    const text = await response
      .clone()
      .text()
      .catch(() => '');
    ctx.log?.({ curl, status: response.status, response: excerpt(response.status, response.headers.get('content-type') ?? '', text) });
    problems.push(...metViolations(ctx, op, response, text).map((v) => ({ ...v, where: `[${response.status} met] ${v.where}` })));
    if (response.status !== 429 || attempt >= ctx.rateLimitRetries) return { response, curl };
    const wait = retryDelay(attempt, response.headers);
    await response.body?.cancel();
    notes.push(`rate limited (429): waited ${(wait / 1000).toFixed(1)} s and sent again`);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** A 429 or 5xx the suite did not ask for must still be what the spec declares. */
function metViolations(ctx: ExchangeContext, op: OperationInfo, response: Response, text: string): Violation[] {
  const violations = checkResponse(ctx, op, response.status, response.status, response.headers);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    violations.push(violation('body', '', `is not JSON: ${JSON.stringify(text.slice(0, 80))}`));
  }
  const media = op.responses.get(String(response.status))?.content.get(mediaTypeOf(response.headers));
  if (json !== undefined && media?.schemaPointer) violations.push(...ctx.validator.validate(media.schemaPointer, json, 'body'));
  if (json !== undefined) violations.push(...envelope(json, response.status));
  if (response.status === 429 && !response.headers.has('retry-after') && !response.headers.has('retry-after-ms'))
    violations.push(
      violation('header retry-after', '', 'a 429 carries neither retry-after nor retry-after-ms: a client cannot tell when to retry'),
    );
  if (!response.headers.has('x-request-id')) violations.push(violation('header x-request-id', '', 'missing'));
  return mergeViolations(violations);
}

/** Error responses must carry `{ "error": { … } }` (the client builds its errors from it). */
export function envelope(json: unknown, status: number): Violation[] {
  if (status < 400) return [];
  const ok = isObject(json) && isObject(json.error);
  return ok ? [] : [violation('body', '/error', 'an error response must carry an {"error": {…}} object')];
}

export interface ExchangeOptions {
  baseUrl: string;
  expectStatus: number;
  /** Sent as `Authorization` when set. */
  authorization?: string;
  headers?: Record<string, string>;
}

export interface ExchangeResult {
  status: number;
  headers: Headers | undefined;
  requestId: string | null;
  json: unknown;
  violations: Violation[];
  notes: string[];
}

const BINARY_PLACEHOLDER = '<binary>';

/**
 * Checks that a request itself matches the spec: the operation accepts its media type and the
 * fields validate against the request schema (file parts stand in as strings, as `format:
 * binary` describes them). Negative cases are not checked: they break the schema on purpose.
 */
export function requestViolations(ctx: ExchangeContext, op: OperationInfo, request: RequestCase): Violation[] {
  const media = op.requestContent.get(request.mediaType);
  if (!media) {
    const declared = [...op.requestContent.keys()].join(', ') || 'none';
    return [violation('request', '', `${op.operationId} does not accept ${request.mediaType} (declares: ${declared})`)];
  }
  if (!media.schemaPointer || request.origin === 'negative') return [];
  const value = request.mediaType.startsWith('multipart/')
    ? Object.fromEntries(Object.entries(request.fields).map(([k, v]) => [k, Array.isArray(v) ? v.map(placeholder) : placeholder(v)]))
    : request.fields;
  return ctx.validator.validate(media.schemaPointer, value, 'request body');
}

function placeholder(value: unknown): unknown {
  return isFilePart(value) ? BINARY_PLACEHOLDER : value;
}

/** The headers the suite sends with a request (identity encoding: Prism's proxy decodes compressed bodies itself, one more thing to go wrong). */
export function requestHeaders(
  request: RequestCase | undefined,
  accept: string,
  authorization: string | undefined,
  extra: Record<string, string> = {},
): Record<string, string> {
  const headers: Record<string, string> = { accept, 'accept-encoding': 'identity', ...extra };
  const contentType = request ? encodeBody(request).contentType : undefined;
  if (contentType) headers['content-type'] = contentType;
  if (authorization !== undefined) headers.authorization = authorization;
  return headers;
}

/**
 * Sends one request and checks the response against the spec: the status (expected, and declared
 * for the operation), the content type, the JSON body (Ajv against the declared schema), the
 * declared headers, and Prism's `sl-violations` header when there is one.
 */
export async function exchange(
  ctx: ExchangeContext,
  op: OperationInfo,
  request: RequestCase,
  options: ExchangeOptions,
): Promise<ExchangeResult> {
  const notes: string[] = [];
  const violations: Violation[] = [];
  const headers = requestHeaders(request, 'application/json', options.authorization, options.headers);
  let response: Response;
  let curl: string;
  try {
    const retries = options.expectStatus === 429 ? { ...ctx, rateLimitRetries: 0 } : ctx;
    ({ response, curl } = await send(
      retries,
      op,
      `${options.baseUrl}${op.path}`,
      request,
      headers,
      notes,
      violations,
      options.expectStatus,
    ));
  } catch (error) {
    return {
      status: 0,
      headers: undefined,
      requestId: null,
      json: undefined,
      notes,
      violations: [...violations, violation('request', '', `${op.method} ${op.path} failed: ${describeFetchError(error)}`)],
    };
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    ctx.log?.({ curl, status: response.status, response: `HTTP ${response.status} (body unreadable: ${describeFetchError(error)})` });
    return {
      status: response.status,
      headers: response.headers,
      requestId: response.headers.get('x-request-id'),
      json: undefined,
      notes,
      violations: [...violations, violation('body', '', `reading the body failed: ${describeFetchError(error)}`)],
    };
  }
  ctx.log?.({ curl, status: response.status, response: excerpt(response.status, response.headers.get('content-type') ?? '', text) });
  violations.push(...checkResponse(ctx, op, options.expectStatus, response.status, response.headers));
  const declared = op.responses.get(String(response.status));
  const type = mediaTypeOf(response.headers);
  let json: unknown;
  if (type.endsWith('json')) {
    try {
      json = JSON.parse(text);
    } catch (error) {
      violations.push(violation('body', '', `is not valid JSON (${error instanceof Error ? error.message : String(error)})`));
    }
  }
  const media = declared?.content.get(type);
  if (json !== undefined && media?.schemaPointer) violations.push(...ctx.validator.validate(media.schemaPointer, json, 'body'));
  if (response.status !== options.expectStatus) {
    const detail =
      isObject(json) && isObject(json.error) && typeof json.error.message === 'string' ? json.error.message : text.slice(0, 200);
    if (detail) notes.push(`the ${response.status} response said: ${detail}`);
  }

  let prism = parseSlViolations(response.headers.get('sl-violations'));
  if (!ctx.hasKey) {
    const before = prism.length;
    prism = prism.filter((v) => !(v.where === 'request' && /security/i.test(v.message)));
    if (prism.length < before) notes.push("no API key: Prism's missing-security request violation ignored");
  }
  if (request.origin === 'negative') prism = prism.filter((v) => !v.where.startsWith('request'));
  violations.push(...prism);
  return {
    status: response.status,
    headers: response.headers,
    requestId: response.headers.get('x-request-id'),
    json,
    notes,
    violations: mergeViolations(violations),
  };
}

/** Status, content type and declared headers of a response (also used for streams). */
export function checkResponse(ctx: ExchangeContext, op: OperationInfo, expected: number, status: number, headers: Headers): Violation[] {
  const violations: Violation[] = [];
  const declared = op.responses.get(String(status));
  if (status !== expected || !declared) {
    const known = [...op.responses.keys()].join(', ');
    const undeclared = declared ? '' : ` (not declared for ${op.operationId}; declared: ${known})`;
    violations.push(
      violation('status', '', status === expected ? `${status}${undeclared}` : `expected ${expected}, got ${status}${undeclared}`),
    );
  }
  if (!declared) return violations;
  const type = mediaTypeOf(headers);
  if (declared.content.size > 0 && !declared.content.has(type)) {
    const allowed = [...declared.content.keys()].join(', ');
    violations.push(violation('header content-type', '', `"${type || '(none)'}" is not declared for ${status} (declared: ${allowed})`));
  }
  violations.push(...headerViolations(ctx, declared, headers));
  return violations;
}

/** Declared headers: required ones present, present ones valid against their schema. */
function headerViolations(ctx: ExchangeContext, response: ResponseInfo, headers: Headers): Violation[] {
  const violations: Violation[] = [];
  for (const header of response.headers) {
    const where = `header ${header.name.toLowerCase()}`;
    const raw = headers.get(header.name);
    if (raw === null) {
      if (header.required) violations.push(violation(where, '', 'required header is missing'));
      continue;
    }
    if (!header.schemaPointer) continue;
    const asString = ctx.validator.validate(header.schemaPointer, raw, where);
    if (asString.length === 0) continue;
    const parsed = raw.trim() === '' ? Number.NaN : Number(raw);
    const typed = raw === 'true' || raw === 'false' ? raw === 'true' : Number.isNaN(parsed) ? undefined : parsed;
    if (typed === undefined) violations.push(...asString.map((v) => ({ ...v, message: `${v.message} (value ${JSON.stringify(raw)})` })));
    else {
      const asTyped = ctx.validator.validate(header.schemaPointer, typed, where);
      violations.push(...asTyped.map((v) => ({ ...v, message: `${v.message} (value ${JSON.stringify(raw)})` })));
    }
  }
  return violations;
}

export function mediaTypeOf(headers: Headers): string {
  return (headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
