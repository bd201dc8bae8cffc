import type { ErrorObject } from './spec.js';

/** The body of every error the mock answers: the API's `ErrorResponse`. */
export interface ApiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** A request the mock refuses; `status` and the body are what the client sees. */
export class MockHttpError extends Error {
  readonly status: number;
  readonly body: ApiErrorBody;
  constructor(status: number, message: string, param: string | null = null, code: string | null = null, type?: string) {
    super(message);
    this.status = status;
    this.body = { error: { message, type: type ?? defaultType(status), param, code } };
  }
}

export function defaultType(status: number): string {
  if (status === 429) return 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

export function invalidRequest(message: string, param: string | null = null, code: string | null = null): MockHttpError {
  return new MockHttpError(400, message, param, code);
}

/** JSON pointer `/images/0/image_url` → the API's parameter notation `images[0].image_url`. */
export function pointerToParam(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(key) ? `[${key}]` : out ? `.${key}` : key;
  }
  return out;
}

const CODES: Record<string, string> = {
  required: 'missing_required_parameter',
  enum: 'invalid_value',
  const: 'invalid_value',
  type: 'invalid_type',
  maximum: 'integer_above_max_value',
  minimum: 'integer_below_min_value',
  exclusiveMaximum: 'integer_above_max_value',
  exclusiveMinimum: 'integer_below_min_value',
  maxItems: 'array_above_max_length',
  minItems: 'array_below_min_length',
  maxLength: 'string_above_max_length',
  minLength: 'string_below_min_length',
  additionalProperties: 'unknown_parameter',
};

const AGGREGATES = new Set(['anyOf', 'oneOf', 'allOf', 'if', 'not']);

/**
 * One 400 from Ajv's errors: the most specific one (not an `anyOf` summary; the deepest path first), with `param`
 * naming the field and `message` the rule it breaks, e.g. `Invalid value for 'n': must be <= 10.`
 */
export function schemaError(errors: ErrorObject[], value: unknown): MockHttpError {
  const concrete = errors.filter((e) => !AGGREGATES.has(e.keyword));
  const pool = concrete.length ? concrete : errors;
  const depth = (e: ErrorObject) => e.instancePath.split('/').length + (e.keyword === 'required' ? 1 : 0);
  // Prefer required/additional-property errors at the top, else the deepest one; Ajv's order breaks ties.
  const best =
    pool.find((e) => e.keyword === 'required' && e.instancePath === '') ??
    pool.find((e) => e.keyword === 'additionalProperties' && e.instancePath === '') ??
    [...pool].sort((a, b) => depth(b) - depth(a))[0];
  if (!best) return invalidRequest('Invalid request body.');
  const params = best.params as Record<string, unknown>;
  const code = CODES[best.keyword] ?? 'invalid_value';
  if (best.keyword === 'required') {
    const param = pointerToParam(`${best.instancePath}/${String(params.missingProperty)}`);
    return invalidRequest(`Missing required parameter: '${param}'.`, param, code);
  }
  if (best.keyword === 'additionalProperties') {
    const param = pointerToParam(`${best.instancePath}/${String(params.additionalProperty)}`);
    return invalidRequest(`Unknown parameter: '${param}'.`, param, code);
  }
  const param = pointerToParam(best.instancePath) || null;
  const actual = valueAt(value, best.instancePath);
  const shown = typeof actual === 'string' ? `'${actual.length > 80 ? `${actual.slice(0, 80)}…` : actual}'` : JSON.stringify(actual);
  let rule = best.message ?? best.keyword;
  if (best.keyword === 'enum' && Array.isArray(params.allowedValues))
    rule = `must be one of ${params.allowedValues
      .filter((v) => v !== null)
      .map((v) => `'${String(v)}'`)
      .join(', ')}`;
  if (Array.isArray(actual)) rule = `${rule} (got ${actual.length})`;
  else if (actual !== undefined && typeof actual !== 'object') rule = `${rule}, got ${shown}`;
  return invalidRequest(`Invalid value for '${param ?? 'body'}': ${rule}.`, param, code);
}

function valueAt(value: unknown, pointer: string): unknown {
  let node = value;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = Array.isArray(node)
      ? node[Number(key)]
      : typeof node === 'object' && node !== null
        ? (node as Record<string, unknown>)[key]
        : undefined;
  }
  return node;
}
