import type { SpecHeaderName } from './response-meta.js';

/**
 * Whether a response should be retried: `x-should-retry: true|false` decides when present,
 * otherwise 408, 409, 429 and 5xx are retried.
 */
export function shouldRetry(status: number, headers: Headers): boolean {
  const header = headers.get('x-should-retry');
  if (header === 'true') return true;
  if (header === 'false') return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Milliseconds to wait before retry number `retry` (0 for the first retry). A server-given
 * `retry-after-ms` (milliseconds) or `retry-after` (seconds or an HTTP date) is used when it is
 * between 0 and 60 s; otherwise min(0.5 s × 2^retry, 8 s) minus up to 25 % jitter.
 */
export function retryDelay(retry: number, headers?: Headers): number {
  const ms = headers?.get('retry-after-ms' satisfies SpecHeaderName);
  const after = headers?.get('retry-after' satisfies SpecHeaderName);
  let wait = ms ? Number(ms) : Number.NaN;
  if (Number.isNaN(wait) && after) {
    wait = Number(after) * 1000;
    if (Number.isNaN(wait)) wait = Date.parse(after) - Date.now();
  }
  if (wait >= 0 && wait <= 60_000) return wait;
  return Math.min(500 * 2 ** retry, 8000) * (1 - Math.random() * 0.25);
}

/** Resolves after `ms`; rejects with the signal's reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    if (signal?.aborted) abort();
    else signal?.addEventListener('abort', abort, { once: true });
  });
}
