import { clientOperations } from '@imagegen/types';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { APIConnectionError, APIConnectionTimeoutError, InternalServerError, RateLimitError } from '../src/node.js';
import { recordingLogger, testClient } from './fixtures.js';
import { type MockServer, startMock } from './mock.js';

let server: MockServer;
beforeAll(async () => {
  server = await startMock({ seed: 'retries' });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

/** Answer the next requests with these faults (the mock's syntax; `ok`: a normal answer), then normally. */
const queue = (...faults: string[]) => server.setFaults({ '*': faults });
const ok = 'ok';
/** A normal answer (the default model is a legacy one: a `url`). */
const succeeded = { created: expect.any(Number), data: [expect.any(Object)] };
const gaps = () => server.requests.slice(1).map((r, i) => r.at - (server.requests[i]?.at ?? 0));

/** Make one generate call and return the retry delays (ms) the client computed, read from its `info` log lines. */
async function retryDelays(): Promise<number[]> {
  const logger = recordingLogger();
  await testClient(server.url, { logger, logLevel: 'info' }).images.generate({ prompt: 'x' });
  return logger.lines.map((line) => Number(/ in (\d+) ms /.exec(String(line[0]))?.[1]));
}

describe('retries', () => {
  it('retries 5xx, 408, 409 and 429 up to maxRetries (default 2), then throws the last error', async () => {
    queue('500;retry-after-ms=10', '408;retry-after-ms=10', '409;retry-after-ms=10');
    await expect(testClient(server.url).images.generate({ prompt: 'x' })).rejects.toMatchObject({ status: 409 });
    expect(server.requests).toHaveLength(3);
    server.reset();
    queue('429;retry-after-ms=10', '503;retry-after-ms=10', ok);
    await expect(testClient(server.url).images.generate({ prompt: 'x' })).resolves.toMatchObject(succeeded);
    expect(server.requests).toHaveLength(3);
  });

  it('sends one Idempotency-Key on every attempt of a call, a new one per call, and the caller’s when given', async () => {
    queue('500;retry-after-ms=10', '429;retry-after-ms=10');
    const client = testClient(server.url);
    await client.images.generate({ prompt: 'x' });
    await client.images.generate({ prompt: 'y' });
    await client.images.generate({ prompt: 'z' }, { idempotencyKey: 'order-42' });
    const keys = server.requests.map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(5);
    expect(keys[0]).toMatch(/^imagegen-[0-9a-f-]{32,36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).toBe(keys[0]);
    expect(keys[3]).toMatch(/^imagegen-/);
    expect(keys[3]).not.toBe(keys[0]);
    expect(keys[4]).toBe('order-42');
  });

  it('refuses an idempotencyKey fetch could not send, before sending', async () => {
    await expect(testClient(server.url).images.generate({ prompt: 'x' }, { idempotencyKey: 'a\r\nb' })).rejects.toThrow(
      /^headers\["Idempotency-Key"\]: contains CR or LF/,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('does not retry other 4xx', async () => {
    queue('400', ok);
    await expect(testClient(server.url).images.generate({ prompt: 'x' })).rejects.toMatchObject({ status: 400 });
    expect(server.requests).toHaveLength(1);
  });

  it('honours retry-after-ms', async () => {
    queue('429;retry-after-ms=300', ok);
    expect(await retryDelays()).toEqual([300]);
    // The wait really happened (a lower bound cannot fail on a busy machine).
    expect(gaps()[0]).toBeGreaterThanOrEqual(280);
  });

  it('honours retry-after in seconds', async () => {
    queue('503;retry-after=1', ok);
    expect(await retryDelays()).toEqual([1000]);
    expect(gaps()[0]).toBeGreaterThanOrEqual(950);
  });

  it('honours retry-after as an HTTP date', async () => {
    // An HTTP date has commas: a plan, not the header syntax.
    server.setFaults({ '*': [{ status: 429, retryAfter: new Date(Date.now() + 2000).toUTCString() }] });
    const [delay] = await retryDelays();
    // HTTP dates have 1 s resolution: the date is 1–2 s after the fault was set, just before the call.
    expect(delay).toBeGreaterThan(0);
    expect(delay).toBeLessThanOrEqual(2000);
    expect(gaps()[0]).toBeGreaterThanOrEqual((delay as number) - 20);
  });

  it('falls back to exponential backoff without retry headers', async () => {
    queue('500', '500', ok);
    const [first, second] = await retryDelays();
    // 0.5 s, then 1 s, each minus up to 25 % jitter.
    expect(first).toBeGreaterThanOrEqual(375);
    expect(first).toBeLessThanOrEqual(500);
    expect(second).toBeGreaterThanOrEqual(750);
    expect(second).toBeLessThanOrEqual(1000);
    expect(gaps()[0]).toBeGreaterThanOrEqual((first as number) - 20);
    expect(gaps()[1]).toBeGreaterThanOrEqual((second as number) - 20);
  });

  it('lets x-should-retry override the status', async () => {
    queue('400;should-retry=true;retry-after-ms=0', ok);
    await expect(testClient(server.url).images.generate({ prompt: 'x' })).resolves.toMatchObject(succeeded);
    server.reset();
    queue('503;should-retry=false', ok);
    await expect(testClient(server.url).images.generate({ prompt: 'x' })).rejects.toBeInstanceOf(InternalServerError);
    expect(server.requests).toHaveLength(1);
  });

  it('respects maxRetries from the client and per request', async () => {
    server.setFaults({ '*': '429;retry-after-ms=0' });
    await expect(testClient(server.url, { maxRetries: 0 }).images.generate({ prompt: 'x' })).rejects.toBeInstanceOf(RateLimitError);
    expect(server.requests).toHaveLength(1);
    server.requests.length = 0;
    await expect(testClient(server.url, { maxRetries: 0 }).images.generate({ prompt: 'x' }, { maxRetries: 4 })).rejects.toBeInstanceOf(
      RateLimitError,
    );
    expect(server.requests).toHaveLength(5);
  });

  it('retries connection errors, then throws APIConnectionError', async () => {
    server.setFaults({ '*': 'reset' });
    const error = await testClient(server.url, { maxRetries: 1 })
      .images.generate({ prompt: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
    expect(server.requests).toHaveLength(2);
  });

  it('logs each retry at info level', async () => {
    const logger = recordingLogger();
    queue('500;retry-after-ms=0;message=status 500', ok);
    await testClient(server.url, { logger, logLevel: 'info' }).images.generate({ prompt: 'x' });
    expect(logger.lines.map((l) => l[0])).toEqual([
      `[imagegen] retrying ${(clientOperations.generate as { path: string }).path} in 0 ms (retry 1 of 2) after: status 500`,
    ]);
  });
});
