import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIConnectionError, APIError, type ClientOptions, createImagesClient, getResponseMeta, OpenAIError } from '../src/node.js';
import { API_KEY, PNG, partialEvent, recordingLogger, testClient } from './fixtures.js';
import { type MockServer, startMock } from './mock.js';
import { type Handler, json, sse, sseFrame, startServer, type TestServer } from './server.js';

/** The first test puts the key into bodies of every kind (an HTML page among them): a server of its own. */
let server: TestServer;
let mock: MockServer;
beforeAll(async () => {
  [server, mock] = await Promise.all([startServer(), startMock({ seed: 'redaction' })]);
});
afterAll(() => Promise.all([server.close(), mock.close()]));

const errorBody = (status: number) => ({
  error: { message: `failed ${status}, key was ${API_KEY}`, type: 't', param: null, code: API_KEY },
});

describe('the API key never leaks', () => {
  it.each([
    ['a string', API_KEY],
    ['an async function', async () => API_KEY],
  ] as const)(
    '(given as %s) is absent from every error (JSON, String, util.inspect, stack) and every debug log line',
    async (_, apiKey) => {
      const logger = recordingLogger();
      const options: ClientOptions = {
        apiKey,
        logger,
        logLevel: 'debug',
        maxRetries: 1,
        // Generous defaults: on a loaded machine a 400 can take longer than 200 ms, and would then be a timeout. Only
        // the calls meant to time out get a short bound, their own.
        timeout: 60_000,
        streamIdleTimeout: 60_000,
        defaultHeaders: { 'X-Api-Key': API_KEY },
      };
      const client = testClient(server.url, options);
      const errors: unknown[] = [];
      const capture = async (p: Promise<unknown>) => {
        try {
          const value = await p;
          if (value && typeof value === 'object' && Symbol.asyncIterator in value) for await (const _ of value as AsyncIterable<unknown>);
        } catch (e) {
          errors.push(e);
          return;
        }
        throw new Error('expected an error');
      };
      const on = async (handler: Handler, call: () => Promise<unknown>) => {
        server.reset();
        server.fallback = handler;
        await capture(call());
      };
      const hang: Handler = () => new Promise(() => {});
      const generate = () => client.images.generate({ prompt: 'x' });
      for (const status of [400, 401, 403, 404, 409, 422, 429, 500])
        await on(json(status, errorBody(status), { 'retry-after-ms': '0' }), generate);
      await on((_req, res) => void res.writeHead(502, { 'content-type': 'text/html' }).end(`<h1>${API_KEY}</h1>`), generate);
      await on(hang, () => client.images.generate({ prompt: 'x' }, { timeout: 200 })); // timeout
      await on(
        (_req, res) => void res.socket?.destroy(),
        () => client.images.edit({ image: PNG, prompt: 'x' }),
      ); // connection error
      await on(hang, () => client.images.generate({ prompt: 'x' }, { signal: AbortSignal.timeout(50) })); // user abort
      await on(sse([sseFrame(partialEvent('image_generation.partial_image', 0))], { end: false }), () =>
        client.images.generate({ prompt: 'x', stream: true }, { streamIdleTimeout: 200 }),
      ); // idle
      await on(sse([sseFrame(errorBody(200), 'error')]), () => client.images.generate({ prompt: 'x', stream: true })); // stream error
      await capture(client.images.generate({ prompt: '' })); // validation
      await capture(client.images.edit({ image: new Uint8Array(4), prompt: 'x' })); // not an image
      await capture((async () => createImagesClient({ apiKey: API_KEY, baseURL: 'http://example.com' }))());
      await capture(
        (async () =>
          createImagesClient({ apiKey: API_KEY, baseURL: server.url, defaultHeaders: { Authorization: `Bearer ${API_KEY}\n` } }))(),
      );
      const closed = await startServer();
      await closed.close();
      await capture(testClient(closed.url, { ...options, maxRetries: 0 }).images.generate({ prompt: 'x' }));

      const names = new Set(errors.map((e) => (e as Error).name));
      expect([...names].sort()).toEqual(
        [
          'APIConnectionError',
          'APIConnectionTimeoutError',
          'APIStreamError',
          'APIUserAbortError',
          'AuthenticationError',
          'BadRequestError',
          'ConflictError',
          'InternalServerError',
          'NotFoundError',
          'PermissionDeniedError',
          'RateLimitError',
          'StreamIdleTimeoutError',
          'UnprocessableEntityError',
          'ValidationError',
        ].sort(),
      );
      expect(errors.every((e) => e instanceof OpenAIError)).toBe(true);
      expect(errors.some((e) => e instanceof APIConnectionError && e.cause)).toBe(true);
      for (const error of errors) {
        for (const text of [
          JSON.stringify(error),
          String(error),
          inspect(error, { depth: Infinity, showHidden: true }),
          (error as Error).stack ?? '',
        ]) {
          expect(text).not.toContain(API_KEY);
        }
      }
      expect(logger.lines.length).toBeGreaterThan(20);
      const logText = logger.lines.map((line) => inspect(line, { depth: Infinity })).join('\n');
      expect(logText).toContain('[REDACTED]');
      expect(logText).toContain('request POST');
      expect(logText).not.toContain(API_KEY);
      expect(inspect(client, { depth: Infinity, showHidden: true })).not.toContain(API_KEY);
      expect(JSON.stringify(client)).not.toContain(API_KEY);
    },
  );
});

describe('a server that echoes the key in a response header', () => {
  // The mock's echo-authorization fault: the key in the error body and in an `x-upstream-debug` header.
  const echo = (status: number) => mock.setFaults({ '*': `${status};echo-authorization;request-id=req_echo` });

  it('does not get it into the error, its JSON, util.inspect, the response meta or the debug log', async () => {
    const logger = recordingLogger();
    echo(401);
    const error = await testClient(mock.url, { logger, logLevel: 'debug' })
      .images.generate({ prompt: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    const headers = (error as APIError).headers;
    expect(headers?.get('x-upstream-debug')).toBe('received Bearer [REDACTED]');
    expect(headers?.get('x-request-id')).toBe('req_echo');
    expect((error as APIError).requestID).toBe('req_echo');
    for (const text of [
      JSON.stringify(error),
      inspect(error, { depth: Infinity, showHidden: true }),
      JSON.stringify(Object.fromEntries(getResponseMeta(error as APIError)?.headers ?? [])),
      logger.lines.map((line) => inspect(line, { depth: Infinity })).join('\n'),
    ])
      expect(text).not.toContain(API_KEY);
    expect(logger.lines.map((line) => inspect(line)).join('\n')).toContain('received Bearer [REDACTED]');
  });

  it('does not get it into the meta of a successful response', async () => {
    echo(200);
    const result = await testClient(mock.url).images.generate({ prompt: 'x' });
    const meta = getResponseMeta(result);
    expect(meta?.headers.get('x-upstream-debug')).toBe('received Bearer [REDACTED]');
    expect(meta?.requestId).toBe('req_echo');
  });
});
