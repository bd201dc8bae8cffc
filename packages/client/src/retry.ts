import type { SpecHeaderName } from './response-meta.js';

/**
 * Whether a response should be retried: `x-should-retry: true|false` decides when present,
 * otherwise 408, 409, 429 and 5xx are retried.
 */
export function shouldRetry(status: number, headers: Headers): boolean {
  const header = headers.get('x-should-retry');
  return header === 'true' || (header !== 'false' && (status === 408 || status === 409 || status === 429 || status >= 500));
}

/**
 * Milliseconds to wait before retry number `retry` (0 for the first retry). A server-given
 * `retry-after-ms` (milliseconds) or `retry-after` (seconds or an HTTP date) is used when it is
 * between 0 and 60 s; otherwise min(0.5 s × 2^retry, 8 s) minus up to 25 % jitter.
 */
export function retryDelay(retry: number, headers?: Headers): number {
  const ms = headers?.get('retry-after-ms' satisfies SpecHeaderName);
  const after = headers?.get('retry-after' satisfies SpecHeaderName);
  const wait = ms && +ms >= 0 ? +ms : after ? (Number.isNaN(+after) ? Date.parse(after) - Date.now() : +after * 1000) : -1;
  return wait >= 0 && wait <= 60_000 ? wait : Math.min(500 * 2 ** retry, 8000) * (1 - Math.random() * 0.25);
}

/** `setTimeout(fn, ms)`, with 0 (and anything above the 24.8-day maximum) meaning never, in effect. */
export function after(ms: number, fn: () => void): ReturnType<typeof setTimeout> {
  return setTimeout(fn, Math.min(ms || 2 ** 31 - 1, 2 ** 31 - 1));
}

/** Resolves after `ms`, or as soon as `signal` aborts (the caller checks which). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, signal?.aborted ? 0 : ms);
    signal?.addEventListener('abort', done);
  });
}
