// Rules the API applies per model beyond the schema (the spec states them in its descriptions): custom sizes only for
// gpt-image-2 and later and only in 16-pixel steps, dall-e-3 makes one image at a time, legacy prompt limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENCODERS } from '../src/images.js';
import { type MockServer, startMock } from '../src/server.js';
import { editOp, enumOf, fileArray, generateOp, media } from './spec-facts.js';

const body = media(generateOp, 'application/json');
const all = enumOf(body, 'model');
const custom = all.find((m) => /^gpt-image-2/.test(m));
const older = all.find((m) => /^gpt-image-1/.test(m));
const dalle3 = all.find((m) => /^dall-e-3/.test(m));
const dalle2 = all.find((m) => /^dall-e-2/.test(m));

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(() => mock.close());

async function generate(params: Record<string, unknown>) {
  const res = await fetch(`${mock.url}${generateOp.path}`, {
    method: generateOp.httpMethod,
    headers: { authorization: 'Bearer sk', 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'x', ...params }),
  });
  return { status: res.status, body: (await res.json()) as { error?: { param: string; message: string } } };
}

describe('per-model rules', () => {
  it.runIf(custom)('a custom size in 16-pixel steps is fine for gpt-image-2; 999x999 is not', async () => {
    expect((await generate({ model: custom, size: '1280x720' })).status).toBe(200);
    const odd = await generate({ model: custom, size: '999x999' });
    expect([odd.status, odd.body.error?.param]).toEqual([400, 'size']);
    expect(odd.body.error?.message).toContain('999x999');
    const wide = await generate({ model: custom, size: '3840x640' });
    expect([wide.status, wide.body.error?.param]).toEqual([400, 'size']);
  });

  it.runIf(older)('an older GPT image model takes only the listed sizes', async () => {
    const res = await generate({ model: older, size: '1280x720' });
    expect([res.status, res.body.error?.param]).toEqual([400, 'size']);
    for (const size of enumOf(body, 'size').filter((s) => /^1\d{3}x1\d{3}$/.test(s)))
      expect((await generate({ model: older, size })).status, size).toBe(200);
  });

  it.runIf(dalle3)('dall-e-3 makes one image per request', async () => {
    const res = await generate({ model: dalle3, n: 2 });
    expect([res.status, res.body.error?.param]).toEqual([400, 'n']);
  });

  it.runIf(dalle2)('dall-e-2 prompts are limited to 1000 characters', async () => {
    expect((await generate({ model: dalle2, prompt: 'a'.repeat(1000) })).status).toBe(200);
    const res = await generate({ model: dalle2, prompt: 'a'.repeat(1001) });
    expect([res.status, res.body.error?.param]).toEqual([400, 'prompt']);
  });

  it.runIf(dalle2)('dall-e-2 edits take exactly one image', async () => {
    const png = new Blob(
      [new Uint8Array((ENCODERS.png as (typeof ENCODERS)[string]).encode({ width: 8, height: 8, color: { r: 1, g: 1, b: 1, a: 255 } }))],
      { type: 'image/png' },
    );
    const form = new FormData();
    form.append('prompt', 'x');
    form.append('model', dalle2 as string);
    const { name } = fileArray(media(editOp, 'multipart/form-data'));
    form.append(name, png, 'a.png');
    form.append(name, png, 'b.png');
    const res = await fetch(`${mock.url}${editOp.path}`, {
      method: editOp.httpMethod,
      headers: { authorization: 'Bearer sk' },
      body: form,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { param: string } }).error.param).toBe(name);
  });

  it('a JSON edit image reference must be a URL or a base64 data URL', async () => {
    const send = (image_url: string) =>
      fetch(`${mock.url}${editOp.path}`, {
        method: editOp.httpMethod,
        headers: { authorization: 'Bearer sk', 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'x', images: [{ image_url }] }),
      });
    expect((await send('https://example.com/a.png')).status).toBe(200);
    expect(
      (
        await send(
          `data:image/png;base64,${(ENCODERS.png as (typeof ENCODERS)[string]).encode({ width: 2, height: 2, color: { r: 0, g: 0, b: 0, a: 255 } }).toString('base64')}`,
        )
      ).status,
    ).toBe(200);
    const bad = await send('otter.png');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('images[0].image_url');
  });
});
