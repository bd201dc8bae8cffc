import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ImageGenStreamEvent, operationTable } from '@imagegen/types';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIError,
  APIStreamError,
  APIUserAbortError,
  collectImages,
  getResponseMeta,
  StreamIdleTimeoutError,
} from '../src/node.js';
import { completedEvent, PNG, partialEvent, testClient } from './fixtures.js';
import { type MockServer, startMock } from './mock.js';
import { multipartEntries, sse, sseFrame, startServer, type TestServer } from './server.js';

/** The spec's stream event names of an operation (by client method): partial image, completed. */
const eventsOf = (method: string) => (Object.values(operationTable).find((op) => op.method === method)?.events ?? []) as string[];
const [GEN_PARTIAL = '', GEN_DONE = ''] = eventsOf('generate');
const [EDIT_PARTIAL = '', EDIT_DONE = ''] = eventsOf('edit');

let mock: MockServer;
/** For streams framed or broken in ways the mock does not offer (comments, bare payloads, bad JSON, byte-level timing). */
let server: TestServer;
let dir: string;
beforeAll(async () => {
  [mock, server] = await Promise.all([startMock({ seed: 'streaming' }), startServer()]);
  dir = await mkdtemp(join(tmpdir(), 'imagegen-stream-'));
});
afterAll(async () => {
  await Promise.all([mock.close(), server.close()]);
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  mock.reset();
  server.reset();
});
const fault = (value: string) => ({ headers: { 'x-imagegen-mock-fault': value } });

async function drain<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const event of stream) out.push(event);
  return out;
}

/** Resolves when the server sees the client close the connection of the request being handled. */
function closedPromise(): { handlerClosed: Promise<void> } & { onClose(res: import('node:http').ServerResponse): void } {
  let resolve!: () => void;
  const handlerClosed = new Promise<void>((r) => {
    resolve = r;
  });
  return { handlerClosed, onClose: (res) => res.on('close', () => resolve()) };
}

describe('streaming', () => {
  it('generate with stream: true yields the typed partial and completed events in order', async () => {
    const stream = await testClient(mock.url).images.generate(
      { prompt: 'otter', stream: true, partial_images: 2 },
      fault('pacing-ms=5;request-id=req_stream'),
    );
    expect(getResponseMeta(stream)?.requestId).toBe('req_stream');
    const events = await drain(stream);
    expect(events.map((e) => e.type)).toEqual([GEN_PARTIAL, GEN_PARTIAL, GEN_DONE]);
    expect(events.map((e) => ('partial_image_index' in e ? e.partial_image_index : undefined))).toEqual([0, 1, undefined]);
    const req = mock.requests[0];
    expect(req?.headers.accept).toBe('text/event-stream');
    expect(JSON.parse(req?.body.toString() ?? '')).toEqual({ prompt: 'otter', stream: true, partial_images: 2 });
  });

  it('edit with stream: true sends multipart with stream=true and yields edit events (ended by [DONE])', async () => {
    const stream = await testClient(mock.url).images.edit({ image: PNG, prompt: 'hat', stream: true, partial_images: 1 }, fault('done'));
    expect((await drain(stream)).map((e) => e.type)).toEqual([EDIT_PARTIAL, EDIT_DONE]);
    const entries = await multipartEntries(mock.requests[0] as never);
    expect(entries.find(([k]) => k === 'stream')?.[1]).toBe('true');
  });

  it('stops at [DONE] and ignores comments', async () => {
    server.queue(sse([': keep-alive\n\n', sseFrame(completedEvent(GEN_DONE)), sseFrame('[DONE]'), sseFrame(completedEvent(GEN_DONE))]));
    const events = await drain(await testClient(server.url).images.generate({ prompt: 'x', stream: true }));
    expect(events).toHaveLength(1);
  });

  it('collectImages returns the final images and writes partial and final images to disk', async () => {
    const seen: ImageGenStreamEvent[] = [];
    const out = join(dir, 'collect');
    const result = await collectImages(
      await testClient(mock.url).images.generate({ prompt: 'x', model: 'gpt-image-1', stream: true, partial_images: 2 }),
      { outputDir: out, prefix: 'otter', onEvent: (e: ImageGenStreamEvent) => void seen.push(e) },
    );
    expect(seen.map((e) => e.type)).toEqual([GEN_PARTIAL, GEN_PARTIAL, GEN_DONE]);
    expect(result.images).toEqual([seen[2]]);
    expect(result.partialCount).toBe(2);
    expect(result.files).toEqual([join(out, 'otter-partial-0.png'), join(out, 'otter-partial-1.png'), join(out, 'otter-1.png')]);
    expect((await readdir(out)).sort()).toEqual(['otter-1.png', 'otter-partial-0.png', 'otter-partial-1.png']);
    expect(await readFile(join(out, 'otter-1.png'))).toEqual(Buffer.from(seen[2]?.b64_json ?? '', 'base64'));
  });

  it('throws APIStreamError for an `error` event, with the payload fields', async () => {
    const stream = await testClient(mock.url).images.generate(
      { prompt: 'x', stream: true, partial_images: 1 },
      fault('error-after-events=1;message=Image generation failed;code=moderation_blocked;request-id=req_e'),
    );
    const seen: unknown[] = [];
    const caught = await (async () => {
      for await (const e of stream) seen.push(e);
    })().catch((e: unknown) => e);
    expect(seen).toHaveLength(1);
    expect(caught).toBeInstanceOf(APIStreamError);
    expect(caught).toMatchObject({
      message: 'Image generation failed',
      code: 'moderation_blocked',
      type: 'server_error',
      requestID: 'req_e',
    });
  });

  it('throws APIStreamError for a payload with an `error` key even without the event name', async () => {
    server.queue(sse([sseFrame({ error: { message: 'bad', type: 'server_error', code: null, param: null } })]));
    const stream = await testClient(server.url).images.generate({ prompt: 'x', stream: true });
    await expect(drain(stream)).rejects.toThrow(APIStreamError);
  });

  it('throws APIError for a 200 stream answer that is not an event stream (a JSON body), with its type and text', async () => {
    const error = await testClient(mock.url)
      .images.generate({ prompt: 'x', stream: true }, fault('no-stream'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(200);
    expect((error as Error).message).toMatch(/^200 expected text\/event-stream, got application\/json: \{"created":\d+,/);
    expect(mock.requests).toHaveLength(1);
  });

  it('throws APIStreamError for a stream that ends without any event', async () => {
    const stream = await testClient(mock.url).images.generate({ prompt: 'x', stream: true }, fault('body=empty'));
    const error = await drain(stream).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIStreamError);
    expect((error as Error).message).toBe('The stream ended without any event.');
    expect((error as APIError).headers?.get('content-type')).toBe('text/event-stream');
  });

  it('throws APIStreamError for an event that is not JSON', async () => {
    server.queue(sse([sseFrame(partialEvent(GEN_PARTIAL, 0)), 'data: {"type":"image_generation.comp\n\n']));
    const stream = await testClient(server.url).images.generate({ prompt: 'x', stream: true });
    const caught = await drain(stream).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(APIStreamError);
    expect((caught as Error).message).toBe('Invalid JSON in stream event: {"type":"image_generation.comp');
  });

  it('parses a 50 MB event sent in 64 KiB chunks', async () => {
    const big = 'A'.repeat(50 * 1024 * 1024);
    const frame = sseFrame(completedEvent(GEN_DONE, big), GEN_DONE);
    server.queue(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const bytes = Buffer.from(frame);
      for (let i = 0; i < bytes.length; i += 64 * 1024) {
        if (!res.write(bytes.subarray(i, i + 64 * 1024))) await new Promise((r) => res.once('drain', r));
      }
      res.end();
    });
    // That the decoder's work is linear in the input is shown where it is counted (the SSE decoder's tests).
    const events = await drain(await testClient(server.url).images.generate({ prompt: 'x', stream: true }));
    expect(events[0]?.b64_json.length).toBe(big.length);
  });

  it('ends a stalled stream with StreamIdleTimeoutError and closes the connection', async () => {
    const { handlerClosed, onClose } = closedPromise();
    server.queue((req, res) => {
      onClose(res);
      return sse([sseFrame(partialEvent(GEN_PARTIAL, 0))], { end: false })(req, res, undefined as never);
    });
    const stream = await testClient(server.url, { streamIdleTimeout: 60_000 }).images.generate(
      { prompt: 'x', stream: true },
      { streamIdleTimeout: 300 },
    );
    const t0 = Date.now();
    const seen: unknown[] = [];
    const caught = await (async () => {
      for await (const e of stream) seen.push(e);
    })().catch((e: unknown) => e);
    expect(seen).toHaveLength(1);
    expect(caught).toBeInstanceOf(StreamIdleTimeoutError);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    await handlerClosed;
  });

  it('does not count the time the consumer spends on an event as idle', async () => {
    // The consumer holds each event twice as long as the idle timeout; the server itself is never that slow (a 1 s
    // timeout leaves room for a loaded machine, where a 200 ms one was met by the server's own delays).
    server.queue(sse([sseFrame(partialEvent(GEN_PARTIAL, 0)), sseFrame(completedEvent(GEN_DONE))]));
    const stream = await testClient(server.url, { streamIdleTimeout: 1_000 }).images.generate({ prompt: 'x', stream: true });
    const seen: unknown[] = [];
    for await (const e of stream) {
      seen.push(e);
      await new Promise((r) => setTimeout(r, 2_000));
    }
    expect(seen).toHaveLength(2);
  });

  it('throws APIConnectionError (not a hang) when the server drops the connection mid-stream', async () => {
    server.queue(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sseFrame(partialEvent(GEN_PARTIAL, 0)));
      res.write('data: {"type":"image_generation.completed","b64_json":"AAA');
      await new Promise((r) => setTimeout(r, 20));
      res.socket?.destroy();
    });
    const stream = await testClient(server.url).images.generate({ prompt: 'x', stream: true });
    const caught = await drain(stream).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(APIConnectionError);
    expect(caught).not.toBeInstanceOf(StreamIdleTimeoutError);
  });

  it('aborts the request when the loop is left early', async () => {
    const { handlerClosed, onClose } = closedPromise();
    // The server would write for 100 s (past Vitest's timeout): only the client closing the connection ends it.
    server.queue((req, res) => {
      onClose(res);
      return sse(
        Array.from({ length: 5000 }, (_, i) => sseFrame(partialEvent(GEN_PARTIAL, i))),
        { gapMs: 20 },
      )(req, res, undefined as never);
    });
    const stream = await testClient(server.url).images.generate({ prompt: 'x', stream: true });
    for await (const event of stream) {
      expect(event.type).toBe(GEN_PARTIAL);
      break;
    }
    await handlerClosed;
  });

  it('throws APIUserAbortError when the signal aborts during a stream read', async () => {
    server.queue(sse([sseFrame(partialEvent(GEN_PARTIAL, 0))], { end: false }));
    const controller = new AbortController();
    const stream = await testClient(server.url).images.generate({ prompt: 'x', stream: true }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    // The server never ends the body: only the abort ends the read.
    await expect(drain(stream)).rejects.toThrow(APIUserAbortError);
  });

  it('abort() on the stream stops it with APIUserAbortError', async () => {
    server.queue(sse([sseFrame(partialEvent(GEN_PARTIAL, 0))], { end: false }));
    const stream = await testClient(server.url).images.generate({ prompt: 'x', stream: true });
    setTimeout(() => stream.abort(), 50);
    await expect(drain(stream)).rejects.toThrow(APIUserAbortError);
  });

  it('throws the HTTP error before any event when the stream request fails', async () => {
    // The mock refuses a stream from a legacy model, as the API does.
    await expect(testClient(mock.url).images.generate({ prompt: 'x', model: 'dall-e-3', stream: true })).rejects.toMatchObject({
      status: 400,
      param: 'stream',
    });
  });
});
