// @imagegen/client against the mock: the same calls as the official SDK test, through the repo's own client.
import {
  BadRequestError,
  createImagesClient,
  getResponseMeta,
  type ImageParams,
  type ImagesClient,
  rawClient,
  ValidationError,
} from '@imagegen/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageInfo } from '../src/image-info.js';
import { ENCODERS } from '../src/images.js';
import { type MockServer, startMock } from '../src/server.js';
import * as facts from './spec-facts.js';

const generateBody = facts.media(facts.generateOp, 'application/json');
const editBody = facts.media(facts.editOp, 'multipart/form-data');
const variationBody = facts.media(facts.variationOp, 'multipart/form-data');
const { gpt, legacy } = facts.models(generateBody);

let mock: MockServer;
let client: ImagesClient;

const png = () =>
  new Blob(
    [new Uint8Array((ENCODERS.png as (typeof ENCODERS)[string]).encode({ width: 32, height: 32, color: { r: 1, g: 2, b: 3, a: 255 } }))],
    {
      type: 'image/png',
    },
  );
type Params = ImageParams<'generate'>;

beforeAll(async () => {
  mock = await startMock({ seed: 'client' });
  client = createImagesClient({ apiKey: 'sk-test-mock', baseURL: mock.url, maxRetries: 0, logLevel: 'off' });
});
afterAll(() => mock.close());

describe('@imagegen/client against the mock', () => {
  it.each(facts.enumOf(generateBody, 'output_format'))('generate (GPT model), output_format %s', async (format) => {
    const size = facts.fixedSizes(generateBody).at(-1) as string;
    const result = await client.images.generate({
      model: gpt,
      prompt: 'a lighthouse',
      n: 2,
      size,
      output_format: format as NonNullable<Params['output_format']>,
    });
    expect(facts.responseErrors(facts.generateOp, result)).toEqual([]);
    const [width, height] = size.split('x').map(Number);
    for (const image of result.data ?? []) expect(imageInfo(image.b64_json ?? '')).toEqual({ format, width, height });
    expect(getResponseMeta(result)?.requestId).toMatch(/^req_/);
    expect(getResponseMeta(result)?.rateLimit.remainingRequests).toBeTypeOf('number');
  });

  it.runIf(legacy)('generate (legacy model): url served by the mock', async () => {
    const result = await client.images.generate({ model: legacy as string, prompt: 'a fox' });
    const url = result.data?.[0]?.url as string;
    expect(imageInfo(Buffer.from(await (await fetch(url)).arrayBuffer()))?.format).toBe('png');
  });

  it('edit: one image; three image[] files and a mask; JSON by reference', async () => {
    const one = await client.images.edit({ model: gpt, image: png(), prompt: 'a hat' });
    expect(facts.responseErrors(facts.editOp, one)).toEqual([]);
    const three = await client.images.edit({ model: gpt, image: [png(), png(), png()], mask: png(), prompt: 'merge', n: 2 });
    expect(three.data).toHaveLength(2);
    expect(
      mock.requests
        .at(-1)
        ?.body.toString('latin1')
        .split(`name="${facts.fileArray(editBody).name}"`),
    ).toHaveLength(4);
    const byRef = await client.images.edit({
      model: gpt,
      prompt: 'night',
      images: [{ file_id: 'file-1' }, { image_url: 'https://example.com/a.png' }],
    });
    expect(imageInfo(byRef.data?.[0]?.b64_json ?? '')?.format).toBe('png');
  });

  it('variation', async () => {
    const size = facts.enumOf(variationBody, 'size')[0] as string;
    const result = await client.images.createVariation({ image: png(), size: size as never, response_format: 'b64_json' });
    const [width, height] = size.split('x').map(Number);
    expect(imageInfo(result.data?.[0]?.b64_json ?? '')).toEqual({ format: 'png', width, height });
  });

  it('streaming generate and edit: 2 partial images, then completed', async () => {
    for (const [op, stream] of [
      [facts.generateOp, await client.images.generate({ model: gpt, prompt: 'x', stream: true, partial_images: 2 })],
      [facts.editOp, await client.images.edit({ model: gpt, image: png(), prompt: 'x', stream: true, partial_images: 2 })],
    ] as const) {
      const events: Array<{ type: string }> = [];
      for await (const event of stream) events.push(event);
      expect(events.map((e) => e.type)).toEqual([facts.partialEventName(op), facts.partialEventName(op), facts.completedEventName(op)]);
      for (const e of events) expect(facts.eventErrors(op, e.type, e)).toEqual([]);
    }
  });

  it('invalid requests: the mock answers 400 naming the field (the client checks prompt and image count itself)', async () => {
    const max = facts.maximumOf(generateBody, 'n');
    const tooMany = await client.images.generate({ model: gpt, prompt: 'x', n: max + 1 }).catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(BadRequestError);
    expect((tooMany as BadRequestError).param).toBe('n');
    const ultra = await client.images.generate({ model: gpt, prompt: 'x', quality: 'ultra' as never }).catch((e: unknown) => e);
    expect((ultra as BadRequestError).param).toBe('quality');

    const { name, maxItems } = facts.fileArray(editBody);
    const images = Array.from({ length: maxItems + 1 }, png);
    const local = await client.images.edit({ model: gpt, image: images, prompt: 'x' }).catch((e: unknown) => e);
    expect(local).toBeInstanceOf(ValidationError);
    const [required] = facts.requiredOf(generateBody);
    const noPrompt = await client.images.generate({ model: gpt } as unknown as Params).catch((e: unknown) => e);
    expect((noPrompt as ValidationError).field).toBe(required);

    // The same two through the raw client, which sends them as they are: the mock names the field.
    const raw = rawClient(client);
    const form = new FormData();
    form.append('prompt', 'x');
    for (const image of images) form.append(name, image, 'a.png');
    const arrayError = await raw.POST(
      facts.editOp.path as never,
      { body: form as never, bodySerializer: (b: unknown) => b as FormData } as never,
    );
    expect((arrayError.error as unknown as { error: { param: string } }).error.param).toBe(name);
    const promptError = await raw.POST(facts.generateOp.path as never, { body: { model: gpt } as never } as never);
    expect((promptError.error as unknown as { error: { param: string } }).error.param).toBe(required);
  });
});
