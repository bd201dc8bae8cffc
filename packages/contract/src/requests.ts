import { makePng } from './png.js';

/** A file part of a multipart request. */
export interface FilePart {
  file: Uint8Array<ArrayBuffer>;
  filename: string;
  contentType: string;
}

/** One request the suite sends: a media type the operation must accept, and typed field values. */
export interface RequestRecipe {
  /** Label in the report, e.g. `multipart: image[] ×2 + mask`. */
  name: string;
  mediaType: 'application/json' | 'multipart/form-data';
  /** Field values; in multipart, numbers and booleans go as text, arrays as repeated parts of the same name. */
  fields: Record<string, unknown>;
}

export interface OperationRecipes {
  /** Success requests; the first is also used for the error and retry checks. */
  success: RequestRecipe[];
  /** A `stream: true` request, for operations that stream. */
  stream?: RequestRecipe;
}

export function isFilePart(value: unknown): value is FilePart {
  return typeof value === 'object' && value !== null && (value as FilePart).file instanceof Uint8Array;
}

const png = (name: string, options: Parameters<typeof makePng>[0]): FilePart => ({
  file: makePng(options),
  filename: name,
  contentType: 'image/png',
});

// Square RGBA PNGs: dall-e-2 needs square PNGs and, without a mask, transparent pixels; the mask
// has the same size as the first image and marks the area to edit with alpha 0.
const SIDE = 256;
const withHole = png('red.png', { size: SIDE, color: [214, 48, 49], transparentCentre: true });
const opaque = png('blue.png', { size: SIDE, color: [9, 132, 227] });
const second = png('green.png', { size: SIDE, color: [0, 184, 148] });
const mask = png('mask.png', { size: SIDE, color: [0, 0, 0], transparentCentre: true });

const PROMPT = 'A small red paper boat on calm water, flat illustration';

/**
 * The requests of the suite, keyed by operationId: the cheapest settings that still exercise each
 * request shape (gpt-image-1-mini at quality low, dall-e-2 at 256x256, n=1), because the same
 * requests go to the live API with `--live`.
 */
export function recipes(): Record<string, OperationRecipes> {
  const gptImage = { model: 'gpt-image-1-mini', quality: 'low', size: '1024x1024', n: 1 };
  const dallE2 = { model: 'dall-e-2', size: '256x256', n: 1 };
  return {
    createImage: {
      success: [{ name: 'success (json)', mediaType: 'application/json', fields: { ...gptImage, prompt: PROMPT } }],
      stream: { name: 'stream', mediaType: 'application/json', fields: { ...gptImage, prompt: PROMPT, stream: true, partial_images: 2 } },
    },
    createImageEdit: {
      success: [
        { name: 'multipart: one image', mediaType: 'multipart/form-data', fields: { ...dallE2, prompt: PROMPT, image: withHole } },
        {
          name: 'multipart: image[] ×2 + mask',
          mediaType: 'multipart/form-data',
          fields: { ...gptImage, prompt: PROMPT, 'image[]': [opaque, second], mask },
        },
        {
          name: 'json: images by data URL',
          mediaType: 'application/json',
          fields: { ...gptImage, prompt: PROMPT, images: [{ image_url: dataUrl(opaque) }] },
        },
      ],
      stream: {
        name: 'stream',
        mediaType: 'multipart/form-data',
        fields: { ...gptImage, prompt: PROMPT, image: opaque, stream: true, partial_images: 1 },
      },
    },
    createImageVariation: {
      success: [{ name: 'multipart: one image', mediaType: 'multipart/form-data', fields: { ...dallE2, image: opaque } }],
    },
  };
}

function dataUrl(part: FilePart): string {
  return `data:${part.contentType};base64,${Buffer.from(part.file).toString('base64')}`;
}

/** The request body and its content type (multipart's boundary is left to fetch). */
export function encodeBody(recipe: RequestRecipe): { body: string | FormData; contentType?: string } {
  if (recipe.mediaType === 'application/json') return { body: JSON.stringify(recipe.fields), contentType: 'application/json' };
  const form = new FormData();
  for (const [name, value] of Object.entries(recipe.fields)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (isFilePart(item)) form.append(name, new Blob([item.file], { type: item.contentType }), item.filename);
      else form.append(name, typeof item === 'object' ? JSON.stringify(item) : String(item));
    }
  }
  return { body: form };
}
