import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { APIConnectionTimeoutError, APIUserAbortError } from '../src/node.js';
import { completedEvent, testClient } from './fixtures.js';
import { type MockServer, startMock } from './mock.js';
import { apiError as err, json, sse, sseFrame, startServer, type TestServer } from './server.js';

let mock: MockServer;
/** For the one test that fails the first attempt of each call (by its idempotency key), which a schedule cannot. */
let server: TestServer;
beforeAll(async () => {
  [mock, server] = await Promise.all([startMock({ seed: 'timeouts' }), startServer()]);
});
afterAll(() => Promise.all([mock.close(), server.close()]));
beforeEach(() => {
  mock.reset();
  server.reset();
});

/** The requests the mock holds for one call, told apart by its prompt: a retry of an earlier test's call can reach the
 * mock after its reset (an attempt the client gave up on may still be on its way). */
const requestsFor = (prompt: string) => mock.requests.filter((r) => r.body.toString().includes(JSON.stringify(prompt)));

describe('timeouts and abort', () => {
  it('throws APIConnectionTimeoutError when headers do not arrive within timeout, after retrying', async () => {
    mock.setFaults({ '*': 'stall' });
    // The retry is read from the client's own log line: on a loaded machine a 150 ms attempt may end before the
    // server has even seen the request, so the server's count says nothing.
    const retries: string[] = [];
    const logger = { info: (line: string) => void retries.push(line), warn() {}, error() {}, debug() {} };
    const error = await testClient(mock.url, { timeout: 150, maxRetries: 1, logger, logLevel: 'info' })
      .images.generate({ prompt: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect((error as Error).message).toBe('Request timed out after 150 ms.');
    expect(retries.filter((line) => line.includes('retrying'))).toHaveLength(1);
  });

  it('applies the timeout to the body of a non-streaming response', async () => {
    // The whole length announced, one byte a minute.
    mock.setFaults({ '*': 'drip-ms=60000' });
    // The body never completes: without the timeout this would hang until Vitest's own timeout.
    await expect(testClient(mock.url, { maxRetries: 0 }).images.generate({ prompt: 'x' }, { timeout: 200 })).rejects.toBeInstanceOf(
      APIConnectionTimeoutError,
    );
  });

  it('throws APIUserAbortError when the signal aborts during the request', async () => {
    mock.setFaults({ '*': 'stall' });
    const controller = new AbortController();
    // Abort once the mock holds this request (not after a fixed time, which a loaded machine can outlast). Requests
    // are told apart by their prompt: a retry of an earlier test's call can reach the mock after its reset.
    const prompt = 'abort during the request';
    const mine = () => requestsFor(prompt);
    const call = testClient(mock.url).images.generate({ prompt }, { signal: controller.signal });
    await vi.waitFor(() => expect(mine()).toHaveLength(1), { timeout: 60_000 });
    controller.abort(new Error('user said stop'));
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect((error as Error).cause).toEqual(new Error('user said stop'));
    expect(mine()).toHaveLength(1);
  });

  it('throws APIUserAbortError when the signal aborts during a retry wait', async () => {
    // A 60 s wait (the longest the client honours): past Vitest's timeout, should the abort not end it.
    mock.setFaults({ '*': ['429;retry-after-ms=59000'] });
    const controller = new AbortController();
    // Abort when the client announces the wait (not after a fixed time, which a loaded machine can outlast).
    const logger = { info: () => controller.abort(), warn() {}, error() {}, debug() {} };
    await expect(
      testClient(mock.url, { logger, logLevel: 'info' }).images.generate(
        { prompt: 'abort during the wait' },
        { signal: controller.signal },
      ),
    ).rejects.toBeInstanceOf(APIUserAbortError);
    expect(requestsFor('abort during the wait')).toHaveLength(1);
  });

  it('throws APIUserAbortError at once for an already aborted signal', async () => {
    await expect(
      testClient(mock.url).images.generate({ prompt: 'aborted already' }, { signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(APIUserAbortError);
    expect(requestsFor('aborted already')).toHaveLength(0);
  });
});

describe('one AbortSignal shared by many calls', () => {
  it('adds at most one abort listener per call, none once the calls settle, and no MaxListenersExceededWarning with 1,000 calls', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      const { signal } = controller;
      // Each call is retried once and the streams are read to the end: attempts, retry waits and streams all share it.
      // (maxRetries 3: on a loaded machine a few of the 1,000 connections may be reset before the server records them.)
      server.fallback = (req, res, raw) => {
        const nth = server.requests.filter((r) => r.headers['idempotency-key'] === req.headers['idempotency-key']).length;
        if (nth === 1) return err(503, { 'retry-after-ms': '1' })(req, res, raw);
        return JSON.parse(req.body.toString()).stream
          ? sse([sseFrame(completedEvent('image_generation.completed'))])(req, res, raw)
          : json(200, { created: 1 })(req, res, raw);
      };
      const client = testClient(server.url, { maxRetries: 3 });
      const calls = Array.from({ length: 1000 }, async (_, i) => {
        if (i % 2) return client.images.generate({ prompt: 'x' }, { signal });
        for await (const _event of await client.images.generate({ prompt: 'x', stream: true }, { signal }));
      });
      await vi.waitFor(() => expect(server.requests.length).toBeGreaterThan(0), { timeout: 300_000 });
      expect(getEventListeners(signal, 'abort').length).toBeLessThanOrEqual(1000);
      await Promise.all(calls);
      expect(server.requests).toHaveLength(2000);
      expect(getEventListeners(signal, 'abort')).toHaveLength(0);
      await new Promise((r) => setImmediate(r));
      expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
    // A hang guard only: 2,000 requests take seconds quiet and can take minutes on a loaded 2-core machine.
  }, 300_000);

  it('still aborts every pending call', async () => {
    mock.setFaults({ '*': 'stall' });
    const controller = new AbortController();
    const client = testClient(mock.url);
    const calls = Array.from({ length: 50 }, () =>
      client.images.generate({ prompt: 'x' }, { signal: controller.signal }).catch((e: unknown) => e),
    );
    await vi.waitFor(() => expect(mock.requests).toHaveLength(50), { timeout: 60_000 });
    controller.abort();
    for (const error of await Promise.all(calls)) expect(error).toBeInstanceOf(APIUserAbortError);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  }, 90_000);
});
