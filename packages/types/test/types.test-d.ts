import { assertType, describe, expectTypeOf, test } from 'vitest';
import type {
  CreateImageEditRequest,
  CreateImageRequest,
  CreateImageVariationRequest,
  EditImageBodyJsonParam,
  ErrorResponse,
  ImageEditStreamEvent,
  ImageGenStreamEvent,
  ImagesResponse,
  paths,
} from '../src/index.js';

const file = new File([new Uint8Array([137, 80, 78, 71])], 'cat.png', { type: 'image/png' });

describe('uploads', () => {
  test('a File is accepted for image and mask', () => {
    assertType<CreateImageEditRequest>({ image: file, prompt: 'Add a red scarf', mask: file });
  });
  test('an array of files is accepted for image', () => {
    assertType<CreateImageEditRequest>({ image: [file, file], prompt: 'Put both cats on one sofa' });
  });
  test('several files as image[] are accepted, and one of image / image[] is required', () => {
    assertType<CreateImageEditRequest>({ 'image[]': [file, file], prompt: 'x' });
    // @ts-expect-error neither image nor image[] is given
    assertType<CreateImageEditRequest>({ prompt: 'Add a red scarf' });
  });
  test('a Blob is accepted for a variation', () => {
    assertType<CreateImageVariationRequest>({ image: new Blob([]) });
  });
  test('a string is not a file', () => {
    // @ts-expect-error image must be a Blob/File, not a path string
    assertType<CreateImageVariationRequest>({ image: 'cat.png' });
  });
});

describe('requests', () => {
  test('prompt is required', () => {
    // @ts-expect-error prompt is missing
    assertType<CreateImageRequest>({ model: 'gpt-image-1' });
    assertType<CreateImageRequest>({ prompt: 'A watercolor lighthouse at dawn' });
  });
  test('an unknown quality is rejected', () => {
    // @ts-expect-error "ultra" is not a quality
    assertType<CreateImageRequest>({ prompt: 'x', quality: 'ultra' });
    assertType<CreateImageRequest>({ prompt: 'x', quality: 'high' });
  });
  test('model and size stay open to new values', () => {
    assertType<CreateImageRequest>({ prompt: 'x', model: 'gpt-image-9', size: '2048x1152' });
  });
  test('the JSON edit body takes image references', () => {
    assertType<EditImageBodyJsonParam>({ images: [{ image_url: 'https://example.com/cat.png' }], prompt: 'x' });
    assertType<EditImageBodyJsonParam>({ images: [{ file_id: 'file-abc123' }], prompt: 'x' });
  });
});

describe('responses', () => {
  test('only created is required in ImagesResponse', () => {
    assertType<ImagesResponse>({ created: 1_767_225_600 });
    // @ts-expect-error created is required
    assertType<ImagesResponse>({ data: [] });
  });
  test('the error body', () => {
    expectTypeOf<ErrorResponse['error']['message']>().toEqualTypeOf<string>();
  });
  test('generation stream events narrow on type', () => {
    const handle = (event: ImageGenStreamEvent) => {
      if (event.type === 'image_generation.partial_image') {
        expectTypeOf(event.partial_image_index).toEqualTypeOf<number>();
      } else {
        expectTypeOf(event.type).toEqualTypeOf<'image_generation.completed'>();
        expectTypeOf(event.usage.total_tokens).toEqualTypeOf<number>();
      }
    };
    assertType<(e: ImageGenStreamEvent) => void>(handle);
  });
  test('edit stream events narrow on type', () => {
    expectTypeOf<Extract<ImageEditStreamEvent, { type: 'image_edit.partial_image' }>>().toHaveProperty('partial_image_index');
    expectTypeOf<Extract<ImageEditStreamEvent, { type: 'image_edit.completed' }>>().toHaveProperty('usage');
  });
  test('the paths carry the three operations', () => {
    expectTypeOf<keyof paths>().toEqualTypeOf<'/images/generations' | '/images/edits' | '/images/variations'>();
  });
});
