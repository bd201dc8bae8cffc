import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIError,
  APIStreamError,
  APIUserAbortError,
  collectImages,
  getResponseMeta,
  type ImageGenStreamEvent,
  StreamIdleTimeoutError,
} from '../src/node.js';
import { completedEvent, PNG, partialEvent, testClient } from './fixtures.js';
import { json, multipartEntries, sse, sseFrame, startServer, type TestServer } from './server.js';

const GEN_PARTIAL = 'image_generation.partial_image';
const GEN_DONE = 'image_generation.completed';
const EDIT_PARTIAL = 'image_edit.partial_image';
const EDIT_DONE = 'image_edit.completed';

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startServer();
  dir = await mkdtemp(join(tmpdir(), 'imagegen-stream-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => server.reset());

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

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
    const events = [partialEvent(GEN_PARTIAL, 0), partialEvent(GEN_PARTIAL, 1), completedEvent(GEN_DONE)];
    server.queue(
      sse(
        events.map((e) => sseFrame(e, e.type)),
        { gapMs: 5, headers: { 'x-request-id': 'req_stream' } },
      ),
    );
    const stream = await testClient(server.url).images.generate({ prompt: 'otter', stream: true, partial_images: 2 });
    expect(getResponseMeta(stream)?.requestId).toBe('req_stream');
    expect(await drain(stream)).toEqual(events);
    const req = server.requests[0];
    expect(req?.headers.accept).toBe('text/event-stream');
    expect(JSON.parse(req?.body.toString() ?? '')).toEqual({ prompt: 'otter', stream: true, partial_images: 2 });
  });

  it('edit with stream: true sends multipart with stream=true and yields edit events', async () => {
    const events = [partialEvent(EDIT_PARTIAL, 0), completedEvent(EDIT_DONE)];
    server.queue(sse([...events.map((e) => sseFrame(e, e.type)), sseFrame('[DONE]')]));
    const stream = await testClient(server.url).images.edit({ image: PNG, prompt: 'hat', stream: true });
    expect(await drain(stream)).toEqual(events);
    const entries = await multipartEntries(server.requests[0] as never);
    expect(entries.find(([k]) => k === 'stream')?.[1]).toBe('true');
  });

  it('stops at [DONE] and ignores comments', async () => {
    server.queue(sse([': keep-alive\n\n', sseFrame(completedEvent(GEN_DONE)), sseFrame('[DONE]'), sseFrame(completedEvent(GEN_DONE))]));
    const events = await drain(await testClient(server.url).images.generate({ prompt: 'x', stream: true }));
    expect(events).toHaveLength(1);
  });

  it('collectImages returns the final images and writes partial and final images to disk', async () => {
    const events = [partialEvent(GEN_PARTIAL, 0, b64(PNG)), partialEvent(GEN_PARTIAL, 1, b64(PNG)), completedEvent(GEN_DONE, b64(PNG))];
    server.queue(sse(events.map((e) => sseFrame(e, e.type))));
    const seen: string[] = [];
    const out = join(dir, 'collect');
    const result = await collectImages(await testClient(server.url).images.generate({ prompt: 'x', stream: true, partial_images: 2 }), {
      outputDir: out,
      prefix: 'otter',
      onEvent: (e: ImageGenStreamEvent) => void seen.push(e.type),
    });
    expect(seen).toEqual([GEN_PARTIAL, GEN_PARTIAL, GEN_DONE]);
    expect(result.images).toEqual([events[2]]);
    expect(result.partialCount).toBe(2);
    expect(result.files).toEqual([join(out, 'otter-partial-0.png'), join(out, 'otter-partial-1.png'), join(out, 'otter-1.png')]);
    expect((await readdir(out)).sort()).toEqual(['otter-1.png', 'otter-partial-0.png', 'otter-partial-1.png']);
    expect(new Uint8Array(await readFile(join(out, 'otter-1.png')))).toEqual(PNG);
  });

  it('throws APIStreamError for an `error` event, with the payload fields', async () => {
    const error = {
      error: { message: 'Image generation failed', type: 'image_generation_user_error', code: 'moderation_blocked', param: null },
    };
    server.queue(sse([sseFrame(partialEvent(GEN_PARTIAL, 0)), sseFrame(error, 'error')], { headers: { 'x-request-id': 'req_e' } }));
    const stream = await testClient(server.url).images.generate({ prompt: 'x', stream: true });
    const seen: unknown[] = [];
    const caught = await (async () => {
      for await (const e of stream) seen.push(e);
    })().catch((e: unknown) => e);
    expect(seen).toHaveLength(1);
    expect(caught).toBeInstanceOf(APIStreamError);
    expect(caught).toMatchObject({
      message: 'Image generation failed',
      code: 'moderation_blocked',
      type: 'image_generation_user_error',
      requestID: 'req_e',
    });
  });

  it('throws APIStreamError for a payload with an `error` key even without the event name', async () => {
    server.queue(sse([sseFrame({ error: { message: 'bad', type: 'server_error', code: null, param: null } })]));
    const stream = await testClient(server.url).images.generate({ prompt: 'x', stream: true });
    await expect(drain(stream)).rejects.toThrow(APIStreamError);
  });

  it('throws APIError for a 200 stream answer that is not an event stream (a JSON body), with its type and text', async () => {
    server.queue(json(200, { created: 1, data: [{ b64_json: 'iVBORw0KGgo=' }] }));
    const error = await testClient(server.url)
      .images.generate({ prompt: 'x', stream: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(200);
    expect((error as Error).message).toBe(
      '200 expected text/event-stream, got application/json: {"created":1,"data":[{"b64_json":"iVBORw0KGgo="}]}',
    );
    expect(server.requests).toHaveLength(1);
  });

  it('throws APIStreamError for a stream that ends without any event', async () => {
    server.queue(sse([]));
    const stream = await testClient(server.url).images.generate({ prompt: 'x', stream: true });
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
    server.queue(sse([sseFrame(partialEvent(GEN_PARTIAL, 0)), sseFrame(completedEvent(GEN_DONE))], { gapMs: 50 }));
    const stream = await testClient(server.url, { streamIdleTimeout: 200 }).images.generate({ prompt: 'x', stream: true });
    const seen: unknown[] = [];
    for await (const e of stream) {
      seen.push(e);
      await new Promise((r) => setTimeout(r, 400));
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
    server.queue(
      json(400, { error: { message: 'stream not supported for dall-e-3', type: 'invalid_request_error', param: 'stream', code: null } }),
    );
    await expect(testClient(server.url).images.generate({ prompt: 'x', stream: true })).rejects.toMatchObject({
      status: 400,
      param: 'stream',
    });
  });
});
