import { describe, expect, it } from 'vitest';
import { retryDelay, shouldRetry, sleep } from './retry.js';

describe('shouldRetry', () => {
  it.each([408, 409, 429, 500, 502, 503])('retries %i', (status) => expect(shouldRetry(status, new Headers())).toBe(true));
  it.each([400, 401, 403, 404, 422])('does not retry %i', (status) => expect(shouldRetry(status, new Headers())).toBe(false));
  it('lets x-should-retry override the status', () => {
    expect(shouldRetry(400, new Headers({ 'x-should-retry': 'true' }))).toBe(true);
    expect(shouldRetry(503, new Headers({ 'x-should-retry': 'false' }))).toBe(false);
  });
});

describe('retryDelay', () => {
  it('backs off exponentially from 0.5 s with up to 25 % jitter, capped at 8 s', () => {
    for (const [retry, base] of [
      [0, 500],
      [1, 1000],
      [2, 2000],
      [5, 8000],
      [10, 8000],
    ] as const) {
      const ms = retryDelay(retry);
      expect(ms).toBeLessThanOrEqual(base);
      expect(ms).toBeGreaterThanOrEqual(base * 0.75);
    }
  });
  it('prefers retry-after-ms, then retry-after seconds or HTTP date, within 0–60 s', () => {
    expect(retryDelay(3, new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(retryDelay(3, new Headers({ 'retry-after': '2' }))).toBe(2000);
    const date = retryDelay(0, new Headers({ 'retry-after': new Date(Date.now() + 5000).toUTCString() }));
    expect(date).toBeGreaterThan(3000);
    expect(date).toBeLessThanOrEqual(5000);
    expect(retryDelay(0, new Headers({ 'retry-after': '0' }))).toBe(0);
    expect(retryDelay(0, new Headers({ 'retry-after': '120' }))).toBeLessThanOrEqual(500);
    expect(retryDelay(0, new Headers({ 'retry-after-ms': 'soon' }))).toBeLessThanOrEqual(500);
  });
});

describe('sleep', () => {
  it('resolves as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const t0 = Date.now();
    setTimeout(() => controller.abort(new Error('stop')), 20);
    await sleep(10_000, controller.signal);
    expect(Date.now() - t0).toBeLessThan(1000);
    const t1 = Date.now();
    await sleep(10_000, AbortSignal.abort('already'));
    expect(Date.now() - t1).toBeLessThan(1000);
  });
});
