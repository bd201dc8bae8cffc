// Independent proof that the images are real: headless Chromium decodes every format the mock encodes, at the
// size asked for, in the colour drawn (checked at the centre pixel).
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENCODERS, PALETTE } from '../src/images.js';
import { type MockServer, startMock } from '../src/server.js';
import { enumOf, generateOp, media, models } from './spec-facts.js';

const CHROMIUM = '/usr/bin/chromium';
const generateBody = media(generateOp, 'application/json');
let browser: Browser;
let page: Page;
let mock: MockServer;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  page = await browser.newPage();
  mock = await startMock({ seed: 'decode' });
});
afterAll(async () => {
  await browser?.close();
  await mock?.close();
});

/** Decodes in the page; returns `WxH r,g,b,a` of the centre pixel, or the decoder's error. */
function decode(base64: string, type: string): Promise<string> {
  return page.evaluate(
    async ([b64, mime]) => {
      try {
        const blob = new Blob([Uint8Array.from(atob(b64 as string), (c) => c.charCodeAt(0))], { type: mime as string });
        let source: ImageBitmap;
        if (mime === 'image/svg+xml') {
          const img = new Image();
          img.src = URL.createObjectURL(blob);
          await img.decode();
          source = await createImageBitmap(img);
        } else source = await createImageBitmap(blob);
        const canvas = new OffscreenCanvas(source.width, source.height);
        const ctx = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
        ctx.drawImage(source, 0, 0);
        const px = ctx.getImageData(source.width >> 1, source.height >> 1, 1, 1).data;
        return `${source.width}x${source.height} ${Array.from(px).join(',')}`;
      } catch (error) {
        return `error: ${String(error)}`;
      }
    },
    [base64, type],
  );
}

describe.runIf(existsSync(CHROMIUM))('Chromium decodes what the mock draws', () => {
  const formats = Object.keys(ENCODERS).filter((f) => f !== 'jpg');
  it.each(formats.flatMap((f) => [[f, 1536, 1024, 255] as const, [f, 33, 17, 0] as const]))(
    '%s %ix%i alpha %i',
    async (format, width, height, a) => {
      const color = { ...(PALETTE[2] as (typeof PALETTE)[number]), a };
      const encoder = ENCODERS[format] as (typeof ENCODERS)[string];
      const result = await decode(encoder.encode({ width, height, color }).toString('base64'), encoder.contentType);
      const [size, pixel] = result.split(' ');
      expect(size, result).toBe(`${width}x${height}`);
      const [r, g, b, alpha] = (pixel ?? '').split(',').map(Number);
      const hasAlpha = format !== 'jpeg';
      if (!hasAlpha || a === 255) {
        // JPEG's colour conversion rounds; allow a couple of levels.
        for (const [got, want] of [
          [r, color.r],
          [g, color.g],
          [b, color.b],
        ] as const)
          expect(Math.abs((got ?? -99) - want)).toBeLessThanOrEqual(2);
        expect(alpha).toBe(255);
      } else expect(alpha).toBe(0);
    },
  );

  it.each(enumOf(generateBody, 'output_format'))('a generate answer in %s decodes at the requested size', async (format) => {
    const res = await fetch(`${mock.url}${generateOp.path}`, {
      method: generateOp.httpMethod,
      headers: { authorization: 'Bearer sk', 'content-type': 'application/json' },
      body: JSON.stringify({ model: models(generateBody).gpt, prompt: 'x', output_format: format, size: '1024x1536' }),
    });
    const body = (await res.json()) as { data: Array<{ b64_json: string }> };
    const result = await decode(body.data[0]?.b64_json ?? '', (ENCODERS[format] as (typeof ENCODERS)[string]).contentType);
    expect(result.split(' ')[0], result).toBe('1024x1536');
  });

  it('a web page on another origin can call it (CORS preflight with Authorization) and stream', async () => {
    const other = await startMock();
    // Any page served over http from another port is another origin: one of the other mock's image URLs will do.
    await page.goto(`${other.url.replace(/\/v1$/, '')}/_mock/images/8x8-0-255.png`);
    await other.close();
    const result = await page.evaluate(
      async ([url, path]) => {
        const res = await fetch(`${url}${path}`, {
          method: 'POST',
          headers: { authorization: 'Bearer sk-browser', 'content-type': 'application/json' },
          body: JSON.stringify({ prompt: 'x', stream: true, partial_images: 1 }),
        });
        const text = await res.text();
        return { status: res.status, requestId: res.headers.get('x-request-id'), events: text.split('\n\n').filter(Boolean).length };
      },
      [mock.url, generateOp.path],
    );
    expect(result.status).toBe(200);
    expect(result.requestId).toMatch(/^req_/);
    expect(result.events).toBe(2);
  });
});
