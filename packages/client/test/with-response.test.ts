import { operationTable } from '@imagegen/types';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getResponseMeta, withResponse } from '../src/node.js';
import { testClient } from './fixtures.js';
import { type MockServer, startMock } from './mock.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock({ seed: 'with-response' });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const generateEvents = Object.values(operationTable).find((op) => op.method === 'generate')?.events ?? [];

describe('withResponse', () => {
  it('gives the parsed result and the raw Response of one call (the official SDK’s .withResponse())', async () => {
    const { data, response } = await withResponse(
      testClient(mock.url).images.generate({ prompt: 'x' }, { headers: { 'x-imagegen-mock-fault': 'request-id=req_7' } }),
    );
    expect(data.data).toHaveLength(1);
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req_7');
    expect(getResponseMeta(data)?.processingMs).toBe(Number(response.headers.get('openai-processing-ms')));
    expect(getResponseMeta(data)?.processingMs).toBeGreaterThan(0);
  });

  it('works for a stream, whose events are then read as usual', async () => {
    const { data, response } = await withResponse(
      testClient(mock.url).images.generate(
        { prompt: 'x', model: 'gpt-image-1', stream: true },
        { headers: { 'x-imagegen-mock-fault': 'request-id=req_s' } },
      ),
    );
    expect(response.headers.get('x-request-id')).toBe('req_s');
    const events: Array<{ type: string }> = [];
    for await (const e of data) events.push(e);
    expect(events.map((e) => e.type)).toEqual([generateEvents.at(-1)]);
  });
});
