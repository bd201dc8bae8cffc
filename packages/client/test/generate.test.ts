import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createImagesClient, getResponseMeta, rawClient } from '../src/node.js';
import { API_KEY, testClient } from './fixtures.js';
import { json, startServer, type TestServer } from './server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const ok = {
  created: 1700000000,
  data: [{ b64_json: 'aGVsbG8=' }],
  usage: { input_tokens: 1, output_tokens: 2, total_tokens: 3, input_tokens_details: { text_tokens: 1, image_tokens: 0 } },
};

describe('images.generate', () => {
  it('POSTs the JSON body to /images/generations with auth, org and project headers', async () => {
    server.queue(json(200, ok));
    const client = testClient(`${server.url}/v1`, { organization: 'org-1', project: 'proj-1', defaultHeaders: { 'X-Custom': 'yes' } });
    const result = await client.images.generate(
      { prompt: 'a sea otter', model: 'gpt-image-1', n: 2, size: '1024x1024' },
      { headers: { 'X-Per-Request': '1' } },
    );
    expect(result).toEqual(ok);
    const [req] = server.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/v1/images/generations');
    expect(req?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(req?.headers['openai-organization']).toBe('org-1');
    expect(req?.headers['openai-project']).toBe('proj-1');
    expect(req?.headers['x-custom']).toBe('yes');
    expect(req?.headers['x-per-request']).toBe('1');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers.accept).toBe('application/json');
    expect(JSON.parse(req?.body.toString() ?? '')).toEqual({ prompt: 'a sea otter', model: 'gpt-image-1', n: 2, size: '1024x1024' });
  });

  it('exposes request id, status, headers and rate limits through getResponseMeta, not on the object', async () => {
    server.queue(
      json(200, ok, {
        'x-request-id': 'req_123',
        'openai-processing-ms': '4321',
        'x-ratelimit-limit-requests': '50',
        'x-ratelimit-remaining-requests': '49',
        'x-ratelimit-reset-requests': '1s',
        'x-ratelimit-limit-tokens': '1000',
        'x-ratelimit-remaining-tokens': '990',
        'x-ratelimit-reset-tokens': '6m0s',
      }),
    );
    const result = await testClient(server.url).images.generate({ prompt: 'x' });
    const meta = getResponseMeta(result);
    expect(meta?.requestId).toBe('req_123');
    expect(meta?.status).toBe(200);
    expect(meta?.processingMs).toBe(4321);
    expect(meta?.headers.get('content-type')).toBe('application/json');
    expect(meta?.rateLimit).toEqual({
      limitRequests: 50,
      remainingRequests: 49,
      resetRequests: '1s',
      limitTokens: 1000,
      remainingTokens: 990,
      resetTokens: '6m0s',
    });
    expect(JSON.stringify(result)).toBe(JSON.stringify(ok));
  });

  it('reads defaults from OPENAI_* environment variables', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      OPENAI_API_KEY: 'sk-env',
      OPENAI_BASE_URL: server.url,
      OPENAI_ORG_ID: 'org-env',
      OPENAI_PROJECT_ID: 'proj-env',
    });
    try {
      await createImagesClient().images.generate({ prompt: 'x' });
    } finally {
      process.env = saved;
    }
    const [req] = server.requests;
    expect(req?.path).toBe('/images/generations');
    expect(req?.headers.authorization).toBe('Bearer sk-env');
    expect(req?.headers['openai-organization']).toBe('org-env');
    expect(req?.headers['openai-project']).toBe('proj-env');
  });

  it('omits org and project headers when set to null', async () => {
    vi.stubEnv('OPENAI_ORG_ID', 'org-env');
    vi.stubEnv('OPENAI_PROJECT_ID', 'proj-env');
    try {
      await testClient(server.url, { organization: null, project: null }).images.generate({ prompt: 'x' });
    } finally {
      vi.unstubAllEnvs();
    }
    expect(server.requests[0]?.headers['openai-organization']).toBeUndefined();
    expect(server.requests[0]?.headers['openai-project']).toBeUndefined();
  });

  it('hands a custom fetch a Request with the method, URL, headers and JSON body', async () => {
    const seen: Request[] = [];
    const client = testClient(server.url, {
      fetch: (request) => {
        seen.push(request.clone());
        return fetch(request);
      },
    });
    await client.images.generate({ prompt: 'via custom fetch' }, { headers: { 'X-Trace': 't1' } });
    const [request] = seen;
    expect(request).toBeInstanceOf(Request);
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`${server.url}/images/generations`);
    expect(request?.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
    expect(request?.headers.get('x-trace')).toBe('t1');
    expect(await request?.json()).toEqual({ prompt: 'via custom fetch' });
    expect(server.requests).toHaveLength(1);
  });

  it('rawClient gives the openapi-fetch client, with base URL and auth set, built once', async () => {
    server.queue(json(200, ok));
    const client = testClient(server.url);
    expect(rawClient(client)).toBe(rawClient(client));
    expect(() => rawClient({ images: client.images })).toThrow('rawClient: not a client made by createImagesClient.');
    const { data, response } = await rawClient(client).POST('/images/generations', { body: { prompt: 'raw' } });
    expect(response.status).toBe(200);
    expect(data).toEqual(ok);
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });
});
