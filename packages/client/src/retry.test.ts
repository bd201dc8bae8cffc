import { afterEach, describe, expect, it, vi } from 'vitest';
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
  afterEach(() => void vi.useRealTimers());

  it('resolves after its time, or as soon as the signal aborts', async () => {
    vi.useFakeTimers();
    const settled = (promise: Promise<void>) => {
      const state = { done: false };
      void promise.then(() => {
        state.done = true;
      });
      return state;
    };
    const plain = settled(sleep(1000));
    await vi.advanceTimersByTimeAsync(999);
    expect(plain.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(plain.done).toBe(true);

    const controller = new AbortController();
    const aborted = settled(sleep(10_000, controller.signal));
    await vi.advanceTimersByTimeAsync(20);
    expect(aborted.done).toBe(false);
    controller.abort(new Error('stop'));
    await vi.advanceTimersByTimeAsync(0);
    expect(aborted.done).toBe(true);

    const already = settled(sleep(10_000, AbortSignal.abort('already')));
    await vi.advanceTimersByTimeAsync(0);
    expect(already.done).toBe(true);
  });
});
