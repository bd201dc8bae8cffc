import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getResponseMeta, withResponse } from '../src/node.js';
import { completedEvent, testClient } from './fixtures.js';
import { json, sse, sseFrame, startServer, type TestServer } from './server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

describe('withResponse', () => {
  it('gives the parsed result and the raw Response of one call (the official SDK’s .withResponse())', async () => {
    server.queue(json(200, { created: 7 }, { 'x-request-id': 'req_7', 'openai-processing-ms': '12' }));
    const { data, response } = await withResponse(testClient(server.url).images.generate({ prompt: 'x' }));
    expect(data).toEqual({ created: 7 });
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req_7');
    expect(getResponseMeta(data)?.processingMs).toBe(12);
  });

  it('works for a stream, whose events are then read as usual', async () => {
    const event = completedEvent('image_generation.completed');
    server.queue(sse([sseFrame(event, event.type)], { headers: { 'x-request-id': 'req_s' } }));
    const { data, response } = await withResponse(testClient(server.url).images.generate({ prompt: 'x', stream: true }));
    expect(response.headers.get('x-request-id')).toBe('req_s');
    const events: unknown[] = [];
    for await (const e of data) events.push(e);
    expect(events).toEqual([event]);
  });
});
