// The official `openai` SDK against the mock: every image call it makes succeeds, streams stream, images decode,
// and invalid requests get a 400 naming the field. Models, formats, sizes and limits come from the merged spec.
import OpenAI, { toFile } from 'openai';
import type { ImageEditParams, ImageGenerateParams } from 'openai/resources/images';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageInfo } from '../src/image-info.js';
import { ENCODERS } from '../src/images.js';
import { type MockServer, startMock } from '../src/server.js';
import {
  completedEventName,
  editOp,
  enumOf,
  eventErrors,
  fileArray,
  fixedSizes,
  generateOp,
  maximumOf,
  media,
  models,
  partialEventName,
  requiredOf,
  responseErrors,
  variationOp,
} from './spec-facts.js';

const generateBody = media(generateOp, 'application/json');
const editBody = media(editOp, 'multipart/form-data');
const editJson = media(editOp, 'application/json');
const variationBody = media(variationOp, 'multipart/form-data');

let mock: MockServer;
let client: OpenAI;

const png = (width = 64, height = 64) =>
  (ENCODERS.png as (typeof ENCODERS)[string]).encode({ width, height, color: { r: 200, g: 100, b: 50, a: 255 } });
const upload = (name: string) => toFile(png(), name, { type: 'image/png' });

beforeAll(async () => {
  mock = await startMock({ seed: 'openai-sdk' });
  client = new OpenAI({ apiKey: 'sk-test-mock', baseURL: mock.url, maxRetries: 0 });
});
afterAll(() => mock.close());

describe('official SDK: generate', () => {
  const { gpt, legacy } = models(generateBody);
  const [size] = fixedSizes(generateBody).filter((s) => s !== '1024x1024');

  it.each(enumOf(generateBody, 'output_format'))('GPT model, output_format %s: n images of the requested size', async (format) => {
    const result = await client.images.generate({
      model: gpt,
      prompt: 'a lighthouse at dawn',
      n: 2,
      size: size as NonNullable<ImageGenerateParams['size']>,
      output_format: format as NonNullable<ImageGenerateParams['output_format']>,
    });
    expect(responseErrors(generateOp, result)).toEqual([]);
    expect(result.data).toHaveLength(2);
    for (const image of result.data ?? []) {
      const [width, height] = (size as string).split('x').map(Number);
      expect(imageInfo(image.b64_json ?? '')).toEqual({ format, width, height });
    }
    expect(result.output_format).toBe(format);
    expect(result.size).toBe(size);
    expect(result.usage?.total_tokens).toBeGreaterThan(0);
    expect(result.created).toBeGreaterThan(0);
  });

  it.runIf(legacy)('legacy model: a url by default (served by the mock), b64_json on request', async () => {
    const legacySize = fixedSizes(generateBody).find((s) => s !== '1024x1024') as NonNullable<ImageGenerateParams['size']>;
    const byUrl = await client.images.generate({ model: legacy as string, prompt: 'a red fox', size: legacySize });
    expect(responseErrors(generateOp, byUrl)).toEqual([]);
    const url = byUrl.data?.[0]?.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const fetched = Buffer.from(await (await fetch(url as string)).arrayBuffer());
    const [width, height] = String(legacySize).split('x').map(Number);
    expect(imageInfo(fetched)).toEqual({ format: 'png', width, height });
    expect(byUrl.usage).toBeUndefined();

    const inline = await client.images.generate({ model: legacy as string, prompt: 'a red fox', response_format: 'b64_json' });
    expect(imageInfo(inline.data?.[0]?.b64_json ?? '')?.format).toBe('png');
  });

  it('response headers: x-request-id and the rate-limit headers the spec declares', async () => {
    const { response } = await client.images.generate({ model: gpt, prompt: 'headers' }).withResponse();
    const declared = generateOp.headers.get('200')?.map((h) => h.name) ?? [];
    expect(declared.length).toBeGreaterThan(0);
    for (const name of declared) expect(response.headers.get(name), name).not.toBeNull();
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('stream: partial images in index order, then the completed event, each valid against the spec', async () => {
    const stream = await client.images.generate({ model: gpt, prompt: 'a lighthouse', stream: true, partial_images: 2 });
    const events: Array<{ type: string } & Record<string, unknown>> = [];
    for await (const event of stream) events.push(event as never);
    expect(events.map((e) => e.type)).toEqual([partialEventName(generateOp), partialEventName(generateOp), completedEventName(generateOp)]);
    for (const e of events) expect(eventErrors(generateOp, e.type, e)).toEqual([]);
    expect(events.slice(0, 2).map((e) => e.partial_image_index)).toEqual([0, 1]);
    expect(imageInfo(String(events[2]?.b64_json))?.format).toBe('png');
  });
});

describe('official SDK: edit and variation', () => {
  const { gpt } = models(editBody);

  it('one image', async () => {
    const result = await client.images.edit({ model: gpt, image: await upload('otter.png'), prompt: 'add a hat' });
    expect(responseErrors(editOp, result)).toEqual([]);
    expect(imageInfo(result.data?.[0]?.b64_json ?? '')?.format).toBe('png');
    expect(mock.requests.at(-1)?.body.toString('latin1')).toContain('name="image"');
  });

  it('three image[] files and a mask, as webp', async () => {
    const format = enumOf(editBody, 'output_format').find((f) => f === 'webp') ?? 'png';
    const result = await client.images.edit({
      model: gpt,
      image: [await upload('a.png'), await upload('b.png'), await upload('c.png')],
      mask: await upload('mask.png'),
      prompt: 'merge them',
      output_format: format as NonNullable<ImageEditParams['output_format']>,
      n: 3,
    });
    expect(result.data).toHaveLength(3);
    for (const image of result.data ?? []) expect(imageInfo(image.b64_json ?? '')?.format).toBe(format);
    const sent = mock.requests.at(-1)?.body.toString('latin1') ?? '';
    expect(sent.split(`name="${fileArray(editBody).name}"`)).toHaveLength(4);
    expect(result.usage?.input_tokens_details.image_tokens).toBeGreaterThan(0);
  });

  it('JSON edit by reference (file id and URL)', async () => {
    const { gpt: jsonModel } = models(editJson);
    const result = await client.post<OpenAI.ImagesResponse>(editOp.path, {
      body: { model: jsonModel, prompt: 'make it night', images: [{ file_id: 'file-abc123' }, { image_url: 'https://example.com/a.png' }] },
    });
    expect(responseErrors(editOp, result)).toEqual([]);
    expect(imageInfo(result.data?.[0]?.b64_json ?? '')?.format).toBe('png');
  });

  it('stream: 2 partial images then completed', async () => {
    const stream = await client.images.edit({ model: gpt, image: await upload('a.png'), prompt: 'snow', stream: true, partial_images: 2 });
    const events: Array<{ type: string } & Record<string, unknown>> = [];
    for await (const event of stream) events.push(event as never);
    expect(events.map((e) => e.type)).toEqual([partialEventName(editOp), partialEventName(editOp), completedEventName(editOp)]);
    for (const e of events) expect(eventErrors(editOp, e.type, e)).toEqual([]);
  });

  it('variation', async () => {
    const sizes = enumOf(variationBody, 'size');
    const size = sizes[0] as string;
    const result = await client.images.createVariation({
      image: await upload('otter.png'),
      n: 2,
      size: size as never,
      response_format: 'b64_json',
    });
    expect(responseErrors(variationOp, result)).toEqual([]);
    expect(result.data).toHaveLength(2);
    const [width, height] = size.split('x').map(Number);
    expect(imageInfo(result.data?.[0]?.b64_json ?? '')).toEqual({ format: 'png', width, height });
  });
});

describe('official SDK: invalid requests get a 400 naming the field', () => {
  const { gpt } = models(generateBody);

  async function badRequest(call: Promise<unknown>): Promise<InstanceType<typeof OpenAI.BadRequestError>> {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    return error as InstanceType<typeof OpenAI.BadRequestError>;
  }

  it('n above the maximum', async () => {
    const max = maximumOf(generateBody, 'n');
    const error = await badRequest(client.images.generate({ model: gpt, prompt: 'x', n: max + 1 }));
    expect(error.param).toBe('n');
    expect(error.message).toContain(`must be <= ${max}`);
    expect(error.type).toBe('invalid_request_error');
  });

  it('one image more than the array allows', async () => {
    const { name, maxItems } = fileArray(editBody);
    const image = await Promise.all(Array.from({ length: maxItems + 1 }, (_, i) => upload(`${i}.png`)));
    const error = await badRequest(client.images.edit({ model: gpt, image, prompt: 'x' }));
    expect(error.param).toBe(name);
    expect(error.message).toContain(String(maxItems));
  });

  it('a missing required field', async () => {
    const [field] = requiredOf(generateBody);
    const error = await badRequest(client.images.generate({ model: gpt } as unknown as ImageGenerateParams));
    expect(error.param).toBe(field);
  });

  it('a value outside the enum', async () => {
    const quality = enumOf(generateBody, 'quality');
    expect(quality).not.toContain('ultra');
    const error = await badRequest(client.images.generate({ model: gpt, prompt: 'x', quality: 'ultra' as never }));
    expect(error.param).toBe('quality');
    expect(error.message).toContain("'ultra'");
  });

  it('no key: 401 with the API error body', async () => {
    const res = await fetch(`${mock.url}${generateOp.path}`, {
      method: generateOp.httpMethod,
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  });
});
