import type {
  ImageEditCompletedEvent,
  ImageEditStreamEvent,
  ImageGenCompletedEvent,
  ImageGenStreamEvent,
  OperationId,
  OperationTypes,
} from '@imagegen/types';
import { describe, expectTypeOf, it } from 'vitest';
import {
  collectImages,
  createImagesClient,
  getResponseMeta,
  type ImageStream,
  type ImagesResponse,
  type RateLimitInfo,
} from '../src/index.js';

const client = createImagesClient({ apiKey: 'sk-types' });

describe('images.generate overloads', () => {
  it('returns an ImagesResponse without stream or with stream: false', () => {
    expectTypeOf(client.images.generate({ prompt: 'x' })).resolves.toEqualTypeOf<ImagesResponse>();
    expectTypeOf(client.images.generate({ prompt: 'x', stream: false })).resolves.toEqualTypeOf<ImagesResponse>();
  });
  it('returns an async iterable of generation events with stream: true', () => {
    expectTypeOf(client.images.generate({ prompt: 'x', stream: true })).resolves.toEqualTypeOf<ImageStream<ImageGenStreamEvent>>();
    expectTypeOf<ImageStream<ImageGenStreamEvent>>().toExtend<AsyncIterable<ImageGenStreamEvent>>();
  });
  it('returns the union for a boolean', () => {
    const stream = Math.random() > 0.5;
    expectTypeOf(client.images.generate({ prompt: 'x', stream })).resolves.toEqualTypeOf<
      ImagesResponse | ImageStream<ImageGenStreamEvent>
    >();
  });
  it('narrows events on `type`', async () => {
    for await (const event of await client.images.generate({ prompt: 'x', stream: true })) {
      if (event.type === 'image_generation.partial_image') expectTypeOf(event.partial_image_index).toBeNumber();
      else expectTypeOf(event).toEqualTypeOf<ImageGenCompletedEvent>();
    }
  });
  it('rejects bodies the spec does not allow', () => {
    // @ts-expect-error prompt is required
    void client.images.generate({ model: 'gpt-image-1' });
    // @ts-expect-error quality is an enum
    void client.images.generate({ prompt: 'x', quality: 'ultra' });
    // open unions accept new model names and sizes
    void client.images.generate({ prompt: 'x', model: 'gpt-image-9', size: '2048x1152' });
  });
});

describe('images.edit overloads', () => {
  const image = new Uint8Array(8);
  it('returns an ImagesResponse or a stream of edit events', () => {
    expectTypeOf(client.images.edit({ image, prompt: 'x' })).resolves.toEqualTypeOf<ImagesResponse>();
    expectTypeOf(client.images.edit({ image: [image, new Blob([])], prompt: 'x', stream: true })).resolves.toEqualTypeOf<
      ImageStream<ImageEditStreamEvent>
    >();
    expectTypeOf(client.images.edit({ images: [{ file_id: 'f' }], prompt: 'x', stream: true })).resolves.toEqualTypeOf<
      ImageStream<ImageEditStreamEvent>
    >();
  });
  it('accepts Blob, File, Buffer, Uint8Array and ArrayBuffer uploads, not strings', () => {
    void client.images.edit({ image: [new File([], 'a.png'), Buffer.from([]), new ArrayBuffer(8)], mask: new Blob([]), prompt: 'x' });
    // @ts-expect-error a path string is not an upload (use fromPath)
    void client.images.edit({ image: 'a.png', prompt: 'x' });
  });
});

/** The methods of the operations that never stream (today: the variation), from the generated table; maybe none. */
type NonStreamingMethod = {
  [K in OperationId]: OperationTypes[K]['stream'] extends true ? never : OperationTypes[K]['method'];
}[OperationId];
type Images = typeof client.images;

describe('operations without streaming', () => {
  it('return an ImagesResponse and have no streaming', () => {
    expectTypeOf<{ [M in NonStreamingMethod]: ReturnType<Images[M]> }>().toEqualTypeOf<{
      [M in NonStreamingMethod]: Promise<ImagesResponse>;
    }>();
    // No `stream` parameter: a body with `stream: true` is not one of theirs.
    expectTypeOf<{ [M in NonStreamingMethod]: 'stream' extends keyof Parameters<Images[M]>[0] ? true : false }>().toEqualTypeOf<{
      [M in NonStreamingMethod]: false;
    }>();
  });
});

describe('helpers', () => {
  it('getResponseMeta exposes typed rate limits', () => {
    const meta = getResponseMeta({});
    expectTypeOf(meta?.rateLimit).toEqualTypeOf<RateLimitInfo | undefined>();
    expectTypeOf<RateLimitInfo['limitRequests']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<RateLimitInfo['resetTokens']>().toEqualTypeOf<string | undefined>();
    expectTypeOf(meta?.requestId).toEqualTypeOf<string | undefined>();
  });
  it('collectImages returns the completed events of the stream it is given', async () => {
    const edits = await collectImages(await client.images.edit({ image: new Blob([]), prompt: 'x', stream: true }));
    expectTypeOf(edits.images).toEqualTypeOf<ImageEditCompletedEvent[]>();
    const gens = await collectImages(await client.images.generate({ prompt: 'x', stream: true }));
    expectTypeOf(gens.images).toEqualTypeOf<ImageGenCompletedEvent[]>();
  });
});
