import { sniffImageType } from '@imagegen/client';
import { invalidRequest, MockHttpError, schemaError } from './errors.js';
import { imageInfo } from './image-info.js';
import { ENCODERS, type ImageCache, PALETTE } from './images.js';
import { FormShapeError, formToBody } from './multipart.js';
import {
  fileKind,
  isObject,
  type JsonObject,
  type MockOperation,
  type MockSpec,
  type RequestMedia,
  type Schema,
  schemaEnum,
} from './spec.js';

export interface ImageLink {
  format: string;
  width: number;
  height: number;
  colour: number;
  alpha: number;
  frames: number;
}

export type Answer = (
  | { kind: 'json'; body: JsonObject }
  | { kind: 'stream'; events: Array<{ name: string; data: JsonObject }>; json: JsonObject }
) & {
  /** Images to pad to `imageBytes` (a fault): their base64 stands in the body as `padMarker(i)`, expanded while writing. */
  pads: Buffer[];
};

/** The placeholder of padded image `i` in a body's text. */
export const padMarker = (i: number) => `@@imagegen-mock-pad-${i}@@`;

export interface AnswerContext {
  spec: MockSpec;
  op: MockOperation;
  contentType: string | undefined;
  body: Buffer;
  random: () => number;
  cache: ImageCache;
  /** Pad each image to about this many bytes (a fault). */
  imageBytes: number | undefined;
  link: (image: ImageLink) => string;
  /** Called with the parsed body before it is validated (for the request log). */
  onParsed?: (params: JsonObject) => void;
}

/**
 * Parameters only the GPT image models take: when a request names no model but sends one of these, it is meant for
 * a GPT image model even where the schema's default model is a legacy one (as the API decides).
 */
const GPT_ONLY = ['stream', 'partial_images', 'output_format', 'output_compression', 'background', 'moderation', 'input_fidelity'];

/** Legacy (DALL·E) models: `response_format` decides url or base64, no usage, no echo fields. */
const isLegacyModel = (model: string) => /^dall-e/i.test(model);

/** The value the API reports for a request's `auto`-like choice, when the response's enum lacks the request's value. */
const RESOLVED: Record<string, string[]> = {
  quality: ['medium', 'high'],
  background: ['opaque'],
};

/** Output formats the API renders in one piece: no partial images, no stream. */
const UNSTREAMABLE = ['gif', 'svg'];

async function parseBody(ctx: AnswerContext): Promise<{ media: RequestMedia; value: JsonObject; uploads: Array<[string, File]> }> {
  const mediaType = (ctx.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const media = ctx.op.requests.get(mediaType);
  if (!media) {
    const accepted = [...ctx.op.requests.keys()].join(', ');
    throw invalidRequest(
      mediaType
        ? `Unsupported content type '${mediaType}' for ${ctx.op.httpMethod} ${ctx.op.path}; send one of: ${accepted}.`
        : `Missing Content-Type header; ${ctx.op.httpMethod} ${ctx.op.path} accepts: ${accepted}.`,
    );
  }
  if (!media.form) {
    let value: unknown;
    try {
      value = JSON.parse(ctx.body.toString('utf8'));
    } catch {
      throw invalidRequest(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
      );
    }
    if (!isObject(value)) throw invalidRequest('The request body must be a JSON object.');
    return { media, value, uploads: [] };
  }
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(ctx.body), { headers: { 'content-type': ctx.contentType ?? '' } }).formData();
  } catch {
    throw invalidRequest('Could not parse the multipart form body (check the boundary and the part headers).');
  }
  try {
    const { value } = formToBody(form, media, ctx.spec.resolve);
    const uploads: Array<[string, File]> = [];
    for (const [name, part] of form.entries()) if (typeof part !== 'string') uploads.push([name, part]);
    return { media, value, uploads };
  } catch (error) {
    if (error instanceof FormShapeError) throw invalidRequest(error.message, error.param, 'invalid_type');
    throw error;
  }
}

/** The type the upload's first bytes name (the client's sniffer; GIF, which it does not send, by the mock's reader). */
function sniff(bytes: Uint8Array): string | undefined {
  return sniffImageType(bytes) ?? (imageInfo(bytes)?.format === 'gif' ? 'image/gif' : undefined);
}

/** Uploads must be of a type the spec's `encoding.contentType` lists for the part (judged by their bytes, else their declared type). */
async function checkUploads(media: RequestMedia, parts: Array<[string, File]>, value: JsonObject) {
  for (const [name, file] of parts) {
    const allowed = media.partTypes.get(name) ?? [];
    if (!allowed.length || allowed.some((t) => t === '*/*' || t === 'application/octet-stream')) continue;
    const actual = sniff(new Uint8Array(await file.slice(0, 16).arrayBuffer()));
    const declared = file.type.split(';')[0]?.trim().toLowerCase() ?? '';
    if ((actual && allowed.includes(actual)) || (!actual && allowed.includes(declared))) continue;
    const param = name in value ? name : name.replace(/\[\]$/, '');
    throw invalidRequest(
      `Invalid file '${name}' (${file.name || 'upload'}): unsupported image type ${actual ?? (declared || 'unknown')}; supported: ${allowed.join(', ')}.`,
      param,
      'invalid_image_format',
    );
  }
}

/** Every `image_url` in a JSON body must be an http(s) URL or a base64 data URL of an image. */
function checkImageUrls(node: unknown, path = ''): void {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) checkImageUrls(item, `${path}[${i}]`);
  } else if (isObject(node))
    for (const [key, item] of Object.entries(node)) {
      const where = path ? `${path}.${key}` : key;
      if (key === 'image_url' && typeof item === 'string' && !/^(https?:\/\/\S+|data:image\/[\w.+-]+;base64,[A-Za-z0-9+/=\s]+)$/.test(item))
        throw invalidRequest(
          `Invalid value for '${where}': expected an http(s) URL or a base64 data URL of an image.`,
          where,
          'invalid_image_url',
        );
      checkImageUrls(item, where);
    }
}

function defaultOf(media: RequestMedia, name: string): unknown {
  return media.properties.get(name)?.default;
}

/** A value for a schema when the mock has nothing better: its const, first enum value, example, or a typed zero. */
function sample(schema: Schema, resolve: (n: unknown) => unknown): unknown {
  if (schema.const !== undefined) return schema.const;
  const values = schemaEnum(schema, resolve);
  if (values.length) return values[0];
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === 'integer' || type === 'number') return typeof schema.minimum === 'number' ? schema.minimum : 0;
  if (type === 'boolean') return false;
  if (type === 'array') return [];
  if (type === 'object' || isObject(schema.properties)) return fit({}, schema, resolve);
  return 'mock';
}

/**
 * Shapes a candidate value to a schema: object properties the schema lacks are dropped, required ones that are missing
 * are sampled, strings outside an enum are replaced by the value the API would report (`auto` → what was used).
 */
function fit(value: unknown, schemaNode: unknown, resolve: (n: unknown) => unknown, name = ''): unknown {
  const schema = (resolve(schemaNode) ?? {}) as Schema;
  const branches = [...(Array.isArray(schema.anyOf) ? schema.anyOf : []), ...(Array.isArray(schema.oneOf) ? schema.oneOf : [])];
  if (isObject(schema.properties) && isObject(value)) {
    const required = Array.isArray(schema.required) ? schema.required : [];
    const out: JsonObject = {};
    for (const [key, propSchema] of Object.entries(schema.properties)) {
      if (value[key] !== undefined) out[key] = fit(value[key], propSchema, resolve, key);
      else if (required.includes(key)) out[key] = sample((resolve(propSchema) ?? {}) as Schema, resolve);
    }
    return out;
  }
  if (Array.isArray(value) && schema.items !== undefined) return value.map((item) => fit(item, schema.items, resolve, name));
  if (typeof value === 'string' && !branches.length) {
    const allowed = schemaEnum(schema, resolve);
    if (allowed.length && !allowed.includes(value)) return RESOLVED[name]?.find((v) => allowed.includes(v)) ?? allowed[0];
  }
  return value;
}

/**
 * Custom `WIDTHxHEIGHT` sizes, as the spec describes them for gpt-image-2 and later: both sides multiples of 16, an
 * aspect ratio within 1:3 … 3:1, at most 3840×2160 pixels (and 3840 on a side).
 */
const CUSTOM_SIZE = { step: 16, maxRatio: 3, maxSide: 3840, maxPixels: 3840 * 2160 };

/** Models that take only the listed sizes: the legacy ones and the gpt-image-1 family (custom sizes came with 2). */
const listedSizesOnly = (model: string) => isLegacyModel(model) || /^gpt-image-1(\b|[.-])/.test(model);

/** Prompt limits of the legacy models (the schema holds only the largest, the GPT models'). */
const LEGACY_PROMPT_LIMITS: Array<[RegExp, number]> = [
  [/^dall-e-2/, 1000],
  [/^dall-e-3/, 4000],
];

function parseSize(raw: string, model: string, media: RequestMedia, resolve: (n: unknown) => unknown): { width: number; height: number } {
  if (raw === 'auto') return { width: 1024, height: 1024 };
  const listed = schemaEnum(media.properties.get('size') ?? {}, resolve);
  const match = /^(\d{1,5})x(\d{1,5})$/.exec(raw);
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  const refuse = (rule: string) =>
    invalidRequest(
      `Invalid value for 'size': '${raw}'. ${rule} Supported values are: ${listed.map((s) => `'${s}'`).join(', ')}.`,
      'size',
      'invalid_value',
    );
  if (!match || width < 1 || height < 1) throw refuse('Expected WIDTHxHEIGHT.');
  if (listed.includes(raw)) return { width, height };
  if (listedSizesOnly(model)) throw refuse(`Model '${model}' takes only the listed sizes.`);
  const { step, maxRatio, maxSide, maxPixels } = CUSTOM_SIZE;
  if (width % step || height % step) throw refuse(`A custom size needs both sides to be multiples of ${step}.`);
  if (Math.max(width, height) / Math.min(width, height) > maxRatio)
    throw refuse(`A custom size needs an aspect ratio between 1:${maxRatio} and ${maxRatio}:1.`);
  if (width > maxSide || height > maxSide || width * height > maxPixels)
    throw refuse(`A custom size is at most ${maxSide} pixels a side and ${maxPixels} pixels.`);
  return { width, height };
}

export async function answerOperation(ctx: AnswerContext): Promise<Answer> {
  const { op, spec } = ctx;
  const resolve = spec.resolve;
  const { media, value, uploads } = await parseBody(ctx);
  ctx.onParsed?.(structuredClone(value));
  const unknown = Object.keys(value).find((k) => !media.properties.has(k));
  if (unknown !== undefined) throw invalidRequest(`Unknown parameter: '${unknown}'.`, unknown, 'unknown_parameter');
  if (!media.validate(value)) throw schemaError(media.validate.errors ?? [], value);
  if (uploads.length) await checkUploads(media, uploads, value);

  const given = (name: string) => (value[name] === null ? undefined : value[name]);
  checkImageUrls(value);
  if (given('mask') !== undefined && given('markup') !== undefined)
    throw invalidRequest("'markup' cannot be combined with 'mask'; send one of them.", 'markup', 'invalid_value');
  const modelDefault = defaultOf(media, 'model');
  const gptHinted = GPT_ONLY.some((k) => given(k) !== undefined);
  const modelEnum = schemaEnum(media.properties.get('model') ?? {}, resolve);
  let model =
    typeof given('model') === 'string'
      ? (given('model') as string)
      : typeof modelDefault === 'string'
        ? modelDefault
        : (modelEnum[0] ?? 'mock');
  if (given('model') === undefined && gptHinted && isLegacyModel(model)) model = modelEnum.find((m) => !isLegacyModel(m)) ?? model;
  const legacy = isLegacyModel(model);
  const imageFields = [...media.properties]
    .filter(([, schema]) => ['files', 'either'].includes(fileKind(schema, resolve) ?? ''))
    .map(([name]) => name);
  const inputUploads = uploads.filter(([name]) => imageFields.includes(name) || imageFields.includes(name.replace(/\[\]$/, '')));
  if (legacy && inputUploads.length > 1)
    throw invalidRequest(
      `Model '${model}' edits exactly one image, got ${inputUploads.length}.`,
      inputUploads[0]?.[0] ?? null,
      'invalid_value',
    );

  const stream = given('stream') === true && op.events.length > 0;
  if (stream && legacy) throw invalidRequest(`Streaming is not supported for model '${model}'.`, 'stream', 'unsupported_value');

  const n =
    typeof given('n') === 'number'
      ? (given('n') as number)
      : typeof defaultOf(media, 'n') === 'number'
        ? (defaultOf(media, 'n') as number)
        : 1;
  const formatValue = given('output_format') ?? defaultOf(media, 'output_format') ?? 'png';
  const format = legacy ? 'png' : String(formatValue);
  if (!ENCODERS[format]) throw new MockHttpError(500, `imagegen-mock has no encoder for output_format '${format}'.`, 'output_format');
  if (stream && UNSTREAMABLE.includes(format))
    throw invalidRequest(`Streaming is not supported with output_format '${format}'.`, 'stream', 'unsupported_value');
  const sizeValue = given('size') ?? defaultOf(media, 'size') ?? 'auto';
  const { width, height } = parseSize(String(sizeValue), model, media, resolve);
  const background = String(given('background') ?? defaultOf(media, 'background') ?? 'auto');
  const transparent = !legacy && background === 'transparent';
  if (transparent && format === 'jpeg')
    throw invalidRequest(
      `Transparent background is not supported for output_format '${format}'; use png or webp.`,
      'background',
      'invalid_value',
    );
  const quality = String(given('quality') ?? defaultOf(media, 'quality') ?? 'auto');
  const frames = format === 'gif' ? Number(given('frame_count') ?? defaultOf(media, 'frame_count') ?? 1) : 1;
  const frameDurationMs = Number(given('frame_duration_ms') ?? defaultOf(media, 'frame_duration_ms') ?? 100);
  const partials = stream ? Number(given('partial_images') ?? 0) : 0;
  const responseFormat = String(given('response_format') ?? defaultOf(media, 'response_format') ?? 'url');
  const prompt = typeof value.prompt === 'string' ? value.prompt : '';
  const promptLimit = LEGACY_PROMPT_LIMITS.find(([pattern]) => pattern.test(model))?.[1];
  if (promptLimit !== undefined && prompt.length > promptLimit)
    throw invalidRequest(
      `Invalid value for 'prompt': '${model}' takes at most ${promptLimit} characters, got ${prompt.length}.`,
      'prompt',
      'string_above_max_length',
    );
  if (/^dall-e-3/.test(model) && n !== 1)
    throw invalidRequest(`Invalid value for 'n': '${model}' makes one image per request (n=1), got ${n}.`, 'n', 'invalid_value');
  const inputImages = uploads.length + (Array.isArray(value.images) ? value.images.length : 0);

  const base = Math.floor(ctx.random() * PALETTE.length);
  const pads: Buffer[] = [];
  const alpha = transparent ? 0 : 255;
  const encode = (i: number) => {
    const colour = (base + i) % PALETTE.length;
    const image = ctx.cache.get(format, {
      width,
      height,
      color: { ...(PALETTE[colour] as (typeof PALETTE)[number]), a: alpha },
      frames,
      frameDurationMs,
    });
    if (ctx.imageBytes === undefined || ctx.imageBytes <= image.bytes.length) return { colour, b64: image.base64 };
    pads.push(image.bytes);
    return { colour, b64: padMarker(pads.length - 1) };
  };

  const created = Math.floor(Date.now() / 1000);
  const textTokens = Math.ceil(prompt.length / 4);
  const imageTokens = inputImages * 194;
  const outputTokens = n * Math.ceil((width * height) / 1024 / 4);
  const usage = {
    input_tokens: textTokens + imageTokens,
    output_tokens: outputTokens,
    total_tokens: textTokens + imageTokens + outputTokens,
    input_tokens_details: { text_tokens: textTokens, image_tokens: imageTokens },
    output_tokens_details: { image_tokens: outputTokens, text_tokens: 0 },
  };
  const safety = given('safety_identifier') ?? given('user');
  const echo: JsonObject = {
    background: transparent ? 'transparent' : background,
    output_format: format,
    size: `${width}x${height}`,
    quality,
    usage,
    ...(typeof safety === 'string' && safety ? { safety_identifier: safety } : {}),
  };
  const svg = isObject(value.svg) ? value.svg : {};
  if (format === 'svg')
    echo.svg_usage = {
      input_tokens: textTokens,
      model: typeof svg.model === 'string' ? svg.model : model,
      output_tokens: 64,
      reasoning_tokens: 0,
      total_tokens: textTokens + 64,
    };

  const images = Array.from({ length: n }, (_, i) => encode(i));
  const data = images.map(({ colour, b64 }) => {
    if (legacy && responseFormat === 'url') {
      const item: JsonObject = { url: ctx.link({ format, width, height, colour, alpha, frames }) };
      if (/^dall-e-3/i.test(model)) item.revised_prompt = prompt;
      return item;
    }
    const item: JsonObject = { b64_json: b64 };
    if (/^dall-e-3/i.test(model)) item.revised_prompt = prompt;
    return item;
  });
  const json = fit({ created, data, ...(legacy ? {} : echo) }, op.response?.schema ?? {}, resolve) as JsonObject;
  if (!stream) return { kind: 'json', body: json, pads };

  const partialEvent = op.events.find((e) => e.partial);
  const completedEvent = op.events.find((e) => !e.partial) ?? op.events[0];
  const events: Array<{ name: string; data: JsonObject }> = [];
  const indexKey = partialEvent ? [...partialEvent.properties.keys()].find((k) => !completedEvent?.properties.has(k)) : undefined;
  images.forEach(({ b64 }, i) => {
    if (partialEvent)
      for (let p = 0; p < partials; p++) {
        const preview = encode(i + p + 1).b64;
        const candidate: JsonObject = { ...echo, type: partialEvent.name, b64_json: preview, created_at: created };
        if (indexKey) candidate[indexKey] = p;
        events.push({ name: partialEvent.name, data: fit(candidate, partialEvent.schema, resolve) as JsonObject });
      }
    if (completedEvent) {
      const candidate: JsonObject = { ...echo, type: completedEvent.name, b64_json: b64, created_at: created };
      events.push({ name: completedEvent.name, data: fit(candidate, completedEvent.schema, resolve) as JsonObject });
    }
  });
  return { kind: 'stream', events, json, pads };
}
