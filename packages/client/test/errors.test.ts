import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { errorFromBody } from '../src/errors.js';
import {
  APIConnectionError,
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  createImagesClient,
  getResponseMeta,
  InternalServerError,
  NotFoundError,
  OpenAIError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
  ValidationError,
} from '../src/node.js';
import { API_KEY, testClient } from './fixtures.js';
import { json, startServer, type TestServer } from './server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const body = (message: string, extra: object = {}) => ({
  error: { message, type: 'invalid_request_error', param: 'size', code: 'invalid_value', ...extra },
});

describe('HTTP errors', () => {
  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [503, InternalServerError],
    [418, APIError],
  ] as const)('maps %i to its error class with the body fields and request id', async (status, Class) => {
    server.fallback = json(status, body(`failure ${status}`), { 'x-request-id': `req_${status}`, 'x-ratelimit-remaining-requests': '7' });
    const error = await testClient(server.url, { maxRetries: 0 })
      .images.generate({ prompt: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Class);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toBeInstanceOf(OpenAIError);
    expect(error).toMatchObject({
      name: Class.name,
      status,
      message: `failure ${status}`,
      type: 'invalid_request_error',
      param: 'size',
      code: 'invalid_value',
      requestID: `req_${status}`,
      error: body(`failure ${status}`).error,
    });
    expect((error as APIError).headers?.get('x-request-id')).toBe(`req_${status}`);
    expect(getResponseMeta(error as APIError)?.rateLimit.remainingRequests).toBe(7);
  });

  it('gives a readable, truncated message for an HTML error page', async () => {
    const html = `<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>${'<p>upstream</p>'.repeat(100)}</body></html>`;
    server.fallback = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end(html);
    };
    const error = await testClient(server.url, { maxRetries: 0 })
      .images.generate({ prompt: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as Error).message).toMatch(/^502 Bad Gateway upstream upstream/);
    expect((error as Error).message.length).toBeLessThan(320);
    expect((error as Error).message).not.toContain('<');
    expect((error as APIError).error).toBe(html);
  });

  it('leaves the contents of <style> and <script> out of the message', async () => {
    const html = `<html><head><title>502 Bad Gateway</title><style>${'body{}'.repeat(500)}</style><script>if (a < b) go();</script></head><body><h1>Bad Gateway</h1></body></html>`;
    server.fallback = (_req, res) => void res.writeHead(502, { 'content-type': 'text/html' }).end(html);
    const error = await testClient(server.url, { maxRetries: 0 })
      .images.generate({ prompt: 'x' })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('502 Bad Gateway');
  });

  it('decodes HTML entities and says a title its heading repeats once (nginx’s page)', async () => {
    const pages = [
      [
        '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>',
        '502 Bad Gateway nginx',
      ],
      [
        '<html><head><title>Upstream &amp; proxy &mdash; error</title></head><body><p>Try again &#8211; or don&#x27;t&#8230; &lt;soon&gt;&nbsp;&bogus;</p></body></html>',
        '503 Upstream & proxy — error Try again – or don’t… <soon>\u00a0&bogus;'.replace('don’t', "don't"),
      ],
    ] as const;
    for (const [html, message] of pages) {
      server.fallback = (_req, res) => void res.writeHead(html.includes('nginx') ? 502 : 503, { 'content-type': 'text/html' }).end(html);
      const error = await testClient(server.url, { maxRetries: 0 })
        .images.generate({ prompt: 'x' })
        .catch((e: unknown) => e);
      expect((error as Error).message).toBe(message);
    }
  });

  it('reads only the first 64 KiB of a page, so its time is bounded however long and hostile the page', () => {
    for (const unit of ['<style ', '<', ' <a', '<a>', '<style>a</style>', '<script>', '&', '&#', 'ab ', ' \n']) {
      const hostile = unit.repeat(400_000);
      const message = errorFromBody(502, hostile, new Headers()).message;
      // What follows the first 64 KiB is never looked at: the message is the same however much more there is.
      expect(errorFromBody(502, `${hostile}${hostile} TAIL`, new Headers()).message, unit).toBe(message);
      expect(errorFromBody(502, `${unit.repeat(80_000)} TAIL`, new Headers()).message, unit).not.toContain('TAIL');
    }
  });

  it('describes an empty error body', async () => {
    server.fallback = (_req, res) => void res.writeHead(500).end();
    await expect(testClient(server.url, { maxRetries: 0 }).images.generate({ prompt: 'x' })).rejects.toThrow('500 status code (no body)');
  });

  it('reports a 200 response that is not JSON', async () => {
    server.fallback = (_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hi</html>');
    const error = await testClient(server.url)
      .images.generate({ prompt: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(200);
    expect((error as Error).message).toBe('200 response body is not valid JSON: hi');
    expect((error as APIError).error).toBe('<html>hi</html>');
    expect(server.requests).toHaveLength(1);
  });

  it('throws APIConnectionError when nothing listens', async () => {
    const closed = await startServer();
    await closed.close();
    const error = await testClient(closed.url, { maxRetries: 0 })
      .images.generate({ prompt: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('serialises the API fields of an error to JSON', async () => {
    server.fallback = json(429, body('slow down'), { 'x-request-id': 'req_j' });
    const error = await testClient(server.url, { maxRetries: 0 })
      .images.generate({ prompt: 'x' })
      .catch((e: unknown) => e);
    const parsed = JSON.parse(JSON.stringify(error));
    expect(parsed).toMatchObject({ status: 429, code: 'invalid_value', type: 'invalid_request_error', param: 'size', requestID: 'req_j' });
  });
});

describe('checks before sending', () => {
  it('refuses a missing or empty prompt, naming the field and value', async () => {
    const client = testClient(server.url);
    await expect(client.images.generate({ prompt: '' })).rejects.toThrow('prompt: must be a non-empty string, got ""');
    // @ts-expect-error prompt is required
    await expect(client.images.generate({})).rejects.toThrow('prompt: must be a non-empty string, got undefined');
    const error = await client.images.generate({ prompt: ' ' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('prompt');
    expect(server.requests).toHaveLength(0);
  });

  it('refuses CR/LF, other control characters and characters above U+00FF in header values', async () => {
    expect(() => testClient(server.url, { defaultHeaders: { 'X-Tag': 'a\r\nInjected: 1' } })).toThrow(
      'headers["X-Tag"]: contains CR or LF or another invalid character: "a\\r\\nInjected: 1"',
    );
    expect(() => testClient(server.url, { organization: 'org\n' })).toThrow(/headers\["OpenAI-Organization"\]: contains CR or LF/);
    // A credential's value is not echoed.
    expect(() => createImagesClient({ apiKey: `${API_KEY}\n`, baseURL: server.url })).toThrow(
      /^headers\["Authorization"\]: contains CR or LF or another invalid character$/,
    );
    const client = testClient(server.url);
    for (const value of ['a\nb', 'a\0b', 'a\x7fb', 'café ☕']) {
      const error = await client.images.generate({ prompt: 'x' }, { headers: { 'X-Trace': value } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('headers["X-Trace"]');
      expect((error as Error).message).toContain(JSON.stringify(value));
    }
    // Tabs and Latin-1 are fine.
    await client.images.generate({ prompt: 'x' }, { headers: { 'X-Trace': 'a\tcafé' } });
    expect(server.requests).toHaveLength(1);
  });

  it('refuses to send the key over plain http to a non-loopback host unless allowed', () => {
    expect(() => createImagesClient({ apiKey: API_KEY, baseURL: 'http://api.example.com/v1' })).toThrow(
      /^baseURL: http:\/\/api.example.com\/v1 would send the API key unencrypted; use https or allowInsecureHttp: true$/,
    );
    expect(() => createImagesClient({ apiKey: API_KEY, baseURL: 'http://api.example.com/v1', allowInsecureHttp: true })).not.toThrow();
    for (const url of ['http://localhost:1234', 'http://127.0.0.1', 'http://[::1]:80', 'http://app.localhost', 'https://api.example.com']) {
      expect(() => createImagesClient({ apiKey: API_KEY, baseURL: url })).not.toThrow();
    }
    expect(() => createImagesClient({ apiKey: API_KEY, baseURL: 'not a url' })).toThrow(TypeError); // URL's own "Invalid URL"
  });

  it('requires an API key', () => {
    vi.stubEnv('OPENAI_API_KEY', '');
    try {
      expect(() => createImagesClient({ baseURL: server.url })).toThrow(/Missing API key/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('refuses to run in a browser unless dangerouslyAllowBrowser', () => {
    vi.stubGlobal('document', {});
    try {
      expect(() => createImagesClient({ apiKey: API_KEY })).toThrow(/Refusing to expose the API key in a browser/);
      expect(() => createImagesClient({ apiKey: API_KEY, dangerouslyAllowBrowser: true })).not.toThrow();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
