import { clientOperations } from '@imagegen/types';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createImagesClient, getResponseMeta, rawClient } from '../src/node.js';
import { API_KEY, testClient } from './fixtures.js';
import { type MockServer, startMock } from './mock.js';

let server: MockServer;
beforeAll(async () => {
  server = await startMock({ seed: 'generate' });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

/** The generate operation's path, from the spec's operation table. */
const GENERATE = (clientOperations.generate as { path: string }).path;

describe('images.generate', () => {
  it("POSTs the JSON body to the operation's path with auth, org and project headers", async () => {
    const client = testClient(server.url, { organization: 'org-1', project: 'proj-1', defaultHeaders: { 'X-Custom': 'yes' } });
    const result = await client.images.generate(
      { prompt: 'a sea otter', model: 'gpt-image-1', n: 2, size: '1024x1024' },
      { headers: { 'X-Per-Request': '1' } },
    );
    expect(result.data).toHaveLength(2);
    expect(result.usage?.total_tokens).toBeGreaterThan(0);
    const [req] = server.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe(`${new URL(server.url).pathname}${GENERATE}`);
    expect(req?.status).toBe(200);
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
    const result = await testClient(server.url).images.generate({ prompt: 'x' });
    const meta = getResponseMeta(result);
    expect(meta?.requestId).toBe(server.requests[0]?.requestId);
    expect(meta?.status).toBe(200);
    expect(meta?.processingMs).toBe(Number(meta?.headers.get('openai-processing-ms')));
    expect(meta?.headers.get('content-type')).toBe('application/json');
    // The values the mock sends (the spec's header examples), read as numbers where they are counts.
    const header = (name: string) => meta?.headers.get(`x-ratelimit-${name}`);
    expect(meta?.rateLimit).toEqual({
      limitRequests: Number(header('limit-requests')),
      remainingRequests: Number(header('remaining-requests')),
      resetRequests: header('reset-requests'),
      limitTokens: Number(header('limit-tokens')),
      remainingTokens: Number(header('remaining-tokens')),
      resetTokens: header('reset-tokens'),
    });
    expect(meta?.rateLimit?.limitRequests).toBeGreaterThan(0);
    expect(Object.keys(result)).not.toContain('requestId');
    expect(Object.keys(JSON.parse(JSON.stringify(result)))).toEqual(Object.keys(result));
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
    expect(req?.path).toBe(`${new URL(server.url).pathname}${GENERATE}`);
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
    expect(request?.url).toBe(`${server.url}${GENERATE}`);
    expect(request?.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
    expect(request?.headers.get('x-trace')).toBe('t1');
    expect(await request?.json()).toEqual({ prompt: 'via custom fetch' });
    expect(server.requests).toHaveLength(1);
  });

  it('rawClient gives the openapi-fetch client, with base URL and auth set, built once', async () => {
    const client = testClient(server.url);
    expect(rawClient(client)).toBe(rawClient(client));
    expect(() => rawClient({ images: client.images })).toThrow('rawClient: not a client made by createImagesClient.');
    const { data, response } = await rawClient(client).POST(GENERATE as never, { body: { prompt: 'raw' } } as never);
    expect(response.status).toBe(200);
    expect((data as { data?: unknown[] } | undefined)?.data).toHaveLength(1);
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });
});
