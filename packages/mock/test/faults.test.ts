// Faults on demand: the header, the per-operation schedule, the seed; and the transport faults the reliability suite
// needs (resets, stalls, drips, truncation, wrong content types, huge bodies).
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_HEADER } from '../src/faults.js';
import { imageInfo } from '../src/image-info.js';
import { type MockServer, startMock } from '../src/server.js';
import { completedEventName, generateOp, media, models, partialEventName } from './spec-facts.js';

const { gpt } = models(media(generateOp, 'application/json'));
let mock: MockServer;

beforeAll(async () => {
  mock = await startMock({ seed: 7 });
});
afterAll(() => mock.close());

function generate(fault?: string, body: Record<string, unknown> = {}, target: MockServer = mock) {
  return fetch(`${target.url}${generateOp.path}`, {
    method: generateOp.httpMethod,
    headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json', ...(fault ? { [FAULT_HEADER]: fault } : {}) },
    body: JSON.stringify({ model: gpt, prompt: 'x', ...body }),
  });
}

describe('fault header', () => {
  it('429;retry-after-ms=200: the API error body and the retry header', async () => {
    const res = await generate('429;retry-after-ms=200');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after-ms')).toBe('200');
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    expect(mock.requests.at(-1)?.requestId).toBe(res.headers.get('x-request-id'));
    const remaining = generateOp.headers.get('429')?.find((h) => /remaining-requests$/i.test(h.name))?.name;
    if (remaining) expect(res.headers.get(remaining)).toBe('0');
    expect((await generate('503;request-id=req_fixed')).headers.get('x-request-id')).toBe('req_fixed');
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  });

  it('should-retry=true|false: the x-should-retry header the API sends to overrule the status', async () => {
    expect((await generate('400;should-retry=true')).headers.get('x-should-retry')).toBe('true');
    expect((await generate('503;should-retry=false')).headers.get('x-should-retry')).toBe('false');
    expect((await generate('503')).headers.get('x-should-retry')).toBeNull();
    expect((await generate('503;should-retry=maybe')).status).toBe(400);
  });

  it.each([500, 502, 503])('%i', async (status) => {
    expect((await generate(String(status))).status).toBe(status);
  });

  it('reset: the connection drops before any status line', async () => {
    await expect(generate('reset')).rejects.toThrow();
  });

  it('delay-ms waits at least that long before answering', async () => {
    const started = performance.now();
    const res = await generate('delay-ms=150');
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('stall-after-events=1: one event, then the stream stays open and silent', async () => {
    const controller = new AbortController();
    const res = await fetch(`${mock.url}${generateOp.path}`, {
      method: generateOp.httpMethod,
      signal: controller.signal,
      headers: { authorization: 'Bearer sk', 'content-type': 'application/json', [FAULT_HEADER]: 'stall-after-events=1' },
      body: JSON.stringify({ model: gpt, prompt: 'x', stream: true, partial_images: 2 }),
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain(`event: ${partialEventName(generateOp)}`);
    const more = await Promise.race([reader.read().then(() => 'data'), new Promise((r) => setTimeout(() => r('silent'), 300))]);
    expect(more).toBe('silent');
    expect(mock.inFlight()).toBeGreaterThan(0);
    controller.abort();
  });

  it('reset-after-events=2 and error-after-events=1 end streams early', async () => {
    const reset = await generate('reset-after-events=2', { stream: true, partial_images: 3 });
    await expect(reset.text()).rejects.toThrow();
    const errored = await (await generate('error-after-events=1', { stream: true, partial_images: 2 })).text();
    expect(errored).toMatch(/event: error\ndata: \{"error":\{"message":/);
    expect(errored).not.toContain(completedEventName(generateOp));
  });

  it('transport faults: truncate, reset mid-body, html, invalid JSON, empty, wrong type, no-stream, done, drip, redirect', async () => {
    const truncated = await generate('truncate-bytes=20');
    expect((await truncated.text()).length).toBe(20);
    await expect((await generate('reset-after-bytes=10')).text()).rejects.toThrow();
    const html = await generate('502;body=html');
    expect([html.status, html.headers.get('content-type')]).toEqual([502, 'text/html']);
    await expect((await generate('body=invalid-json')).json()).rejects.toThrow();
    expect(await (await generate('body=empty', { stream: true })).text()).toBe('');
    expect((await generate('content-type=text/html')).headers.get('content-type')).toBe('text/html');
    const json = await generate('no-stream', { stream: true });
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(((await json.json()) as { data: unknown[] }).data).toHaveLength(1);
    expect(await (await generate('done', { stream: true })).text()).toMatch(/data: \[DONE\]\n\n$/);
    expect(await (await generate('drip-ms=0', { stream: true })).text()).toContain(completedEventName(generateOp));
    const moved = await fetch(`${mock.url}${generateOp.path}`, {
      method: generateOp.httpMethod,
      redirect: 'manual',
      headers: { authorization: 'Bearer sk', [FAULT_HEADER]: 'redirect=http://example.invalid/v1' },
    });
    expect([moved.status, moved.headers.get('location')]).toEqual([307, 'http://example.invalid/v1']);
  });

  it('image-bytes pads each image: a huge JSON body or a huge event', async () => {
    for (const size of [3_000_000, 3_000_001, 3_000_002]) {
      const big = (await (await generate(`image-bytes=${size}`)).json()) as { data: Array<{ b64_json: string }> };
      const bytes = Buffer.from(big.data[0]?.b64_json ?? '', 'base64');
      expect(bytes.length).toBe(size);
      expect(imageInfo(bytes)?.format).toBe('png'); // still the image, followed by padding
    }
    const event = await (await generate('image-bytes=2000000', { stream: true })).text();
    expect(event.length).toBeGreaterThan(2_000_000);
  });

  it('echo-authorization reflects the key, as a leaky proxy would (for redaction tests)', async () => {
    const res = await generate('echo-authorization');
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('sk-test');
  });

  it('an unknown fault is a 400 naming the header', async () => {
    const res = await generate('explode');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { param: string; message: string } };
    expect(body.error.param).toBe(FAULT_HEADER);
    expect(body.error.message).toContain("unknown fault 'explode'");
  });
});

describe('fault schedule and seed', () => {
  it('503, 503, then success: the official SDK retries through it, and retried bodies hash alike', async () => {
    const scheduled = await startMock({ faults: { [generateOp.method]: ['503;retry-after-ms=1', '503;retry-after-ms=1'] } });
    try {
      const client = new OpenAI({ apiKey: 'sk-test', baseURL: scheduled.url, maxRetries: 2 });
      const result = await client.images.generate({ model: gpt, prompt: 'retry me' });
      expect(result.data).toHaveLength(1);
      expect(scheduled.requests.map((r) => r.status)).toEqual([503, 503, 200]);
      expect(new Set(scheduled.requests.map((r) => r.bodyHash)).size).toBe(1);
      scheduled.setFaults({ [generateOp.operationId]: ['429'] });
      await expect(client.images.generate({ model: gpt, prompt: 'x' }, { maxRetries: 0 })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
      scheduled.setFaults({ [generateOp.path]: '503' }); // one fault, every time
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await generate(undefined, {}, scheduled)).status);
      expect(statuses).toEqual([503, 503, 503]);
      expect(() => scheduled.setFaults({ '*': 'explode' })).toThrow(/faults\.\*: unknown fault 'explode'/);
    } finally {
      await scheduled.close();
    }
  });

  it('the same seed answers alike: request ids, images and rate faults', async () => {
    const runOnce = async () => {
      const m = await startMock({ seed: 'same', faults: { '*': { rate: 0.5, fault: '503' } } });
      try {
        const out: string[] = [];
        for (let i = 0; i < 8; i++) {
          const res = await generate(undefined, {}, m);
          out.push(
            `${res.status} ${res.headers.get('x-request-id')} ${res.status === 200 ? ((await res.json()) as { data: Array<{ b64_json: string }> }).data[0]?.b64_json.slice(-40) : ''}`,
          );
        }
        return out;
      } finally {
        await m.close();
      }
    };
    const [a, b] = [await runOnce(), await runOnce()];
    expect(a).toEqual(b);
    expect(new Set(a.map((line) => line.split(' ')[0])).size).toBe(2); // both outcomes occur
  });

  it('a key option: other keys get 401 invalid_api_key, and the key never appears in the answer', async () => {
    const keyed = await startMock({ key: 'sk-right' });
    try {
      const wrong = await generate(undefined, {}, keyed).then(async (r) => ({ status: r.status, text: await r.text() }));
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain('invalid_api_key');
      expect(wrong.text).not.toContain('sk-test');
      const right = await fetch(`${keyed.url}${generateOp.path}`, {
        method: generateOp.httpMethod,
        headers: { authorization: 'Bearer sk-right', 'content-type': 'application/json' },
        body: JSON.stringify({ model: gpt, prompt: 'x' }),
      });
      expect(right.status).toBe(200);
    } finally {
      await keyed.close();
    }
  });
});

describe('pacing', () => {
  it('paces a long stream without piling up listeners (no MaxListenersExceededWarning)', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const text = await (await generate('pacing-ms=1', { stream: true, partial_images: 3, n: 5 })).text();
      expect(text.split('\n\n').filter(Boolean)).toHaveLength(5 * 4);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
