// The handle startMock returns and the edges of routing: base path, request log, connections, CORS, 404, media types.
import { describe, expect, it } from 'vitest';
import { ENCODERS } from '../src/images.js';
import { maskAuthorization, startMock } from '../src/server.js';
import { editOp, fileArray, generateOp, media, models } from './spec-facts.js';

const { gpt } = models(media(generateOp, 'application/json'));
const auth = { authorization: 'Bearer sk-test' };
const png = () =>
  new Blob(
    [new Uint8Array((ENCODERS.png as (typeof ENCODERS)[string]).encode({ width: 4, height: 4, color: { r: 0, g: 0, b: 0, a: 255 } }))],
    { type: 'image/png' },
  );

describe('startMock', () => {
  it("basePath '' serves the spec's paths at the root (as Prism does)", async () => {
    const mock = await startMock({ basePath: '' });
    try {
      expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${mock.url}${generateOp.path}`, {
        method: generateOp.httpMethod,
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'x', model: gpt }),
      });
      expect(res.status).toBe(200);
    } finally {
      await mock.close();
    }
  });

  it('records each request with its parsed params; recordLimit bounds the log', async () => {
    const mock = await startMock({ recordLimit: 2 });
    try {
      const form = new FormData();
      form.append('prompt', 'x');
      const { name } = fileArray(media(editOp, 'multipart/form-data'));
      form.append(name, png(), 'a.png');
      form.append(name, png(), 'b.png');
      await fetch(`${mock.url}${editOp.path}`, { method: editOp.httpMethod, headers: auth, body: form });
      expect(mock.requests.at(-1)?.operationId).toBe(editOp.operationId);
      expect(mock.requests.at(-1)?.params).toEqual({ prompt: 'x', [name]: ['a.png', 'b.png'] });
      for (let i = 0; i < 3; i++) await fetch(`${mock.url}/nowhere`);
      expect(mock.requests).toHaveLength(2);
      mock.reset();
      expect(mock.requests).toHaveLength(0);
    } finally {
      await mock.close();
    }
  });

  it('counts connections and closes idle ones', async () => {
    const mock = await startMock();
    try {
      await (await fetch(`${mock.url}/nowhere`)).text();
      expect(mock.connections()).toBeGreaterThan(0);
      mock.closeIdle();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(mock.connections()).toBe(0);
      await mock.settle();
      expect(mock.inFlight()).toBe(0);
    } finally {
      await mock.close();
    }
  });

  it('CORS preflight for browsers; 404 and a wrong media type in the API error shape', async () => {
    const mock = await startMock();
    try {
      const preflight = await fetch(`${mock.url}${generateOp.path}`, { method: 'OPTIONS' });
      expect([preflight.status, preflight.headers.get('access-control-allow-origin')]).toEqual([204, '*']);
      const missing = await fetch(`${mock.url}/nowhere`, { method: 'POST', headers: auth });
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { message: string } }).error.message).toContain('/nowhere');
      const wrong = await fetch(`${mock.url}${generateOp.path}`, {
        method: generateOp.httpMethod,
        headers: { ...auth, 'content-type': 'text/plain' },
        body: 'x',
      });
      expect(wrong.status).toBe(400);
      expect(((await wrong.json()) as { error: { message: string } }).error.message).toContain('application/json');
    } finally {
      await mock.close();
    }
  });
});

describe('control API (for tests that run the CLI from another language)', () => {
  it('GET /_mock/requests lists requests with the key masked; PUT /_mock/faults schedules; POST /_mock/reset clears', async () => {
    const mock = await startMock();
    const root = mock.url.replace(/\/v1$/, '');
    const key = 'sk-live-0123456789abcdefWXYZ';
    const send = () =>
      fetch(`${mock.url}${generateOp.path}`, {
        method: generateOp.httpMethod,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'x', model: gpt }),
      });
    try {
      expect((await send()).status).toBe(200);
      const listed = await (await fetch(`${root}/_mock/requests`)).text();
      expect(listed).not.toContain(key);
      const [first] = JSON.parse(listed) as Array<{
        operationId: string;
        status: number;
        headers: Record<string, string>;
        params: unknown;
      }>;
      expect(first?.operationId).toBe(generateOp.operationId);
      expect(first?.headers.authorization).toBe('Bearer sk-…WXYZ');
      expect(first?.params).toEqual({ prompt: 'x', model: gpt });

      const put = await fetch(`${root}/_mock/faults`, { method: 'PUT', body: JSON.stringify({ '*': ['503'] }) });
      expect(put.status).toBe(200);
      expect([(await send()).status, (await send()).status]).toEqual([503, 200]);
      const bad = await fetch(`${root}/_mock/faults`, { method: 'PUT', body: JSON.stringify({ '*': 'explode' }) });
      expect(bad.status).toBe(400);

      await fetch(`${root}/_mock/reset`, { method: 'POST' });
      expect(JSON.parse(await (await fetch(`${root}/_mock/requests`)).text())).toEqual([]);
    } finally {
      await mock.close();
    }
  });
});

describe('maskAuthorization', () => {
  it('keeps the scheme and at most the first 3 and last 4 characters of a long key; nothing of a short one', () => {
    expect(maskAuthorization('Bearer sk-proj-0123456789abcdef')).toBe('Bearer sk-…cdef');
    expect(maskAuthorization('Bearer sk-test')).toBe('Bearer …');
    expect(maskAuthorization('sk-0123456789abcdefgh')).toBe('sk-…efgh');
  });
});
