import { clientOperations } from '@imagegen/types';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type MockServer, startMock } from '../test/mock.js';
import { nodeDispatcher, untimedAgentLike } from './dispatcher.js';
import { createImagesClient as createUniversal } from './index.js';
import { createImagesClient } from './node.js';

const optionsOf = (dispatcher: object) => {
  const key = Object.getOwnPropertySymbols(dispatcher).find((s) => s.description === 'options');
  return key && (dispatcher as Record<symbol, unknown>)[key];
};

let mock: MockServer;
let url: string;
beforeAll(async () => {
  mock = await startMock({ seed: 'dispatcher' });
  url = mock.url;
});
afterAll(() => mock.close());

describe('nodeDispatcher', () => {
  it("is an Agent built from Node's global dispatcher with undici's timeouts off, shared by clients", () => {
    const dispatcher = nodeDispatcher();
    expect(dispatcher?.constructor.name).toBe('Agent');
    expect(optionsOf(dispatcher as object)).toMatchObject({ headersTimeout: 0, bodyTimeout: 0 });
    expect(nodeDispatcher()).toBe(dispatcher);
  });

  it('leaves a configured or foreign global dispatcher alone', () => {
    const Agent = nodeDispatcher()?.constructor as new (o: object) => object;
    expect(untimedAgentLike(new Agent({ connect: { rejectUnauthorized: false } }))).toBeUndefined();
    expect(untimedAgentLike({})).toBeUndefined();
    expect(untimedAgentLike(undefined)).toBeUndefined();
    expect(untimedAgentLike(new Agent({}))).toBeDefined();
  });

  it('is honoured by the global fetch when passed as openapi-fetch requestInitExt (shown with a short headersTimeout; undici timers have about 1 s resolution)', async () => {
    const Agent = nodeDispatcher()?.constructor as new (o: object) => object;
    const path = (clientOperations.generate as { path: string }).path;
    const short = createClient<Record<string, { post: { responses: object } }>>({
      baseUrl: url,
      headers: { authorization: 'Bearer sk-x', 'x-imagegen-mock-fault': 'delay-ms=3000' },
      requestInitExt: { dispatcher: new Agent({ headersTimeout: 100 }) },
    });
    const error = await short.POST(path, { body: { prompt: 'x' } } as never).catch((e: { cause?: { code?: string } }) => e);
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('UND_ERR_HEADERS_TIMEOUT');
  });

  it("is used by the Node entry's client when no custom fetch is given (not by the universal entry)", async () => {
    const dispatcher = nodeDispatcher() as { dispatch: (...args: unknown[]) => unknown };
    const spy = vi.spyOn(dispatcher, 'dispatch');
    try {
      await createImagesClient({ apiKey: 'sk-x', baseURL: url }).images.generate({ prompt: 'x' });
      expect(spy).toHaveBeenCalled();
      spy.mockClear();
      await createImagesClient({ apiKey: 'sk-x', baseURL: url, fetch: (r) => fetch(r) }).images.generate({ prompt: 'x' });
      expect(spy).not.toHaveBeenCalled();
      await createUniversal({ apiKey: 'sk-x', baseURL: url }).images.generate({ prompt: 'x' });
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});
