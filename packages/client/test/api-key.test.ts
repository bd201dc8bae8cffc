import { clientOperations } from '@imagegen/types';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createImagesClient, OpenAIError, rawClient } from '../src/node.js';
import { testClient } from './fixtures.js';
import { type MockServer, startMock } from './mock.js';

let server: MockServer;
beforeAll(async () => {
  server = await startMock({ seed: 'api-key' });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const auth = () => server.requests.map((r) => r.headers.authorization);

describe('apiKey as a function', () => {
  it('is called for every request, retries included, and may be async (rotating or short-lived keys)', async () => {
    let n = 0;
    const client = testClient(server.url, { apiKey: async () => `sk-rotating-${++n}` });
    server.setFaults({ '*': ['500;retry-after-ms=0'] });
    await client.images.generate({ prompt: 'x' });
    await client.images.generate({ prompt: 'y' });
    expect(auth()).toEqual(['Bearer sk-rotating-1', 'Bearer sk-rotating-2', 'Bearer sk-rotating-3']);
  });

  it('may be a plain function, and is used by rawClient too', async () => {
    const client = testClient(server.url, { apiKey: () => 'sk-sync' });
    await client.images.generate({ prompt: 'x' });
    const path = (clientOperations.generate as { path: string }).path;
    await rawClient(client).POST(path as never, { body: { prompt: 'x' } } as never);
    expect(auth()).toEqual(['Bearer sk-sync', 'Bearer sk-sync']);
  });

  it('fails the call before sending when the function returns no key or throws', async () => {
    const empty = testClient(server.url, { apiKey: async () => '' });
    await expect(empty.images.generate({ prompt: 'x' })).rejects.toThrow(new OpenAIError('apiKey: the function returned no key (got "").'));
    const failing = testClient(server.url, {
      apiKey: () => {
        throw new Error('vault is sealed');
      },
    });
    const error = await failing.images.generate({ prompt: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAIError);
    expect((error as Error).message).toBe('apiKey: the function failed (vault is sealed).');
    expect(server.requests).toHaveLength(0);
  });

  it('does not crash the constructor', () => {
    expect(() => createImagesClient({ apiKey: () => 'k', baseURL: server.url })).not.toThrow();
  });
});
