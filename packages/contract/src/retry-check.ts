import type { ImagesClient } from '@imagegen/client';
import { FAULT_HEADER } from '@imagegen/mock';
import { operationTable } from '@imagegen/types';
import { isFilePart, type RequestCase } from './cases.js';
import { checkResponse, type ExchangeContext, mediaTypeOf } from './exchange.js';
import type { OperationInfo } from './spec.js';
import { mergeViolations, type Violation, violation } from './violations.js';

type ClientMethod = (params: Record<string, unknown>) => Promise<unknown>;

const BUILT_METHODS: Record<string, { method: string }> = operationTable;

/**
 * The client method of an operation: the tested spec's `x-imagegen-method`, else (a spec without the extension, such
 * as the upstream one) the method the built client has for that operation id.
 */
function clientMethod(client: ImagesClient, op: OperationInfo): ClientMethod | undefined {
  const name = op.clientMethod ?? BUILT_METHODS[op.operationId]?.method;
  const method = name ? (client.images as unknown as Record<string, unknown>)[name] : undefined;
  return typeof method === 'function' ? (params) => (method as ClientMethod).call(client.images, params) : undefined;
}

// Shortened retry hints so that maxRetries waits take milliseconds, not the spec example's seconds.
const SHORT_RETRY_MS = '10';

/**
 * Checks the 429 behaviour end to end with `@imagegen/client`: every request the client sends is
 * answered 429 (the mock's fault header); the client must retry exactly `maxRetries` times and
 * then throw `RateLimitError` with status 429. A counting fetch wrapper sees every attempt. The 429
 * response itself is checked against the spec (status, headers, body); its retry hints are then
 * shortened before the client reads them.
 */
export async function checkRetryOn429(
  ctx: ExchangeContext,
  op: OperationInfo,
  request: RequestCase,
  baseUrl: string,
  maxRetries: number,
  apiKey: string,
): Promise<{ violations: Violation[]; notes: string[] }> {
  let clientModule: typeof import('@imagegen/client');
  try {
    clientModule = await import('@imagegen/client');
  } catch (error) {
    return {
      violations: [violation('client', '', `cannot load @imagegen/client: ${error instanceof Error ? error.message : String(error)}`)],
      notes: [],
    };
  }

  const violations: Violation[] = [];
  const notes: string[] = [];
  let attempts = 0;
  const countingFetch = async (input: Request): Promise<Response> => {
    attempts++;
    const headers = new Headers(input.headers);
    headers.set(FAULT_HEADER, `429;retry-after-ms=${SHORT_RETRY_MS}`);
    const response = await fetch(new Request(input, { headers }), { signal: AbortSignal.timeout(ctx.timeoutMs) });
    if (attempts === 1) {
      violations.push(...checkResponse(ctx, op, 429, response.status, response.headers));
      const media = op.responses.get(String(response.status))?.content.get(mediaTypeOf(response.headers));
      if (media?.schemaPointer) {
        try {
          violations.push(...ctx.validator.validate(media.schemaPointer, await response.clone().json(), 'body'));
        } catch (error) {
          violations.push(violation('body', '', `is not valid JSON (${error instanceof Error ? error.message : String(error)})`));
        }
      }
      const hints = ['retry-after-ms', 'retry-after'].filter((h) => response.headers.has(h)).map((h) => `${h}: ${response.headers.get(h)}`);
      notes.push(
        hints.length ? `server retry hints (${hints.join(', ')}) shortened to ${SHORT_RETRY_MS} ms` : 'the 429 carried no retry hints',
      );
    }
    const shortened = new Headers(response.headers);
    if (shortened.has('retry-after-ms') || shortened.has('retry-after')) {
      shortened.set('retry-after-ms', SHORT_RETRY_MS);
      shortened.set('retry-after', '0');
    }
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers: shortened });
  };

  const client = clientModule.createImagesClient({
    apiKey,
    baseURL: baseUrl,
    maxRetries,
    timeout: ctx.timeoutMs,
    fetch: countingFetch,
    logLevel: 'off',
  });
  const call = clientMethod(client, op);
  if (!call)
    return { violations: [violation('client', '', `the client has no method for ${op.operationId} (x-imagegen-method)`)], notes: [] };
  const params = Object.fromEntries(
    Object.entries(request.fields).map(([key, value]) => [
      key.replace(/\[\]$/, ''),
      Array.isArray(value) ? value.map(toBlob) : toBlob(value),
    ]),
  );
  const started = Date.now();
  try {
    await call(params);
    violations.push(violation('client', '', `resolved after ${attempts} attempts instead of throwing RateLimitError`));
  } catch (error) {
    if (!(error instanceof clientModule.RateLimitError)) {
      const name = error instanceof Error ? error.name : typeof error;
      violations.push(
        violation('client', '', `threw ${name} (${error instanceof Error ? error.message : String(error)}) instead of RateLimitError`),
      );
    } else if (error.status !== 429) {
      violations.push(violation('client', '/status', `RateLimitError.status is ${error.status}, expected 429`));
    }
  }
  const expected = maxRetries + 1;
  if (attempts !== expected)
    violations.push(violation('client', '', `the server saw ${attempts} attempts, expected ${expected} (1 + maxRetries ${maxRetries})`));
  notes.unshift(`the server saw ${attempts} attempts in ${Date.now() - started} ms`);
  return { violations: mergeViolations(violations), notes };
}

function toBlob(value: unknown): unknown {
  return isFilePart(value) ? new Blob([value.file], { type: value.contentType }) : value;
}
