import { ENCODERS } from '@imagegen/mock';
import { type PropertyFacts, requestProperties } from './schema-facts.js';
import { isObject, type JsonObject, type OperationInfo, type Spec } from './spec.js';
import { EVENT_STREAM } from './stream-schema.js';

/**
 * The request fields whose meaning the semantic checks understand (image count, size, format,
 * streaming). Everything else about a request — which operations, media types, examples, enum
 * values, limits and uploads exist — is read from the spec; a field missing from the spec only
 * turns off the check that needs it.
 */
export const VOCABULARY = {
  count: 'n',
  size: 'size',
  outputFormat: 'output_format',
  stream: 'stream',
  partialImages: 'partial_images',
  mask: 'mask',
} as const;

/** A file part of a multipart request (a real image generated for the request, or a deliberate non-image). */
export interface FilePart {
  file: Uint8Array<ArrayBuffer>;
  filename: string;
  contentType: string;
}

/** One request the suite sends, derived from the spec. */
export interface RequestCase {
  operationId: string;
  /** Names the case in the report, e.g. `multipart/form-data example "image_array"`. */
  label: string;
  origin: 'example' | 'stream variant' | 'generated' | 'negative';
  mediaType: string;
  /** Field values; in multipart, numbers and booleans go as text, arrays as repeated parts, objects as `name[key]` fields. */
  fields: Record<string, unknown>;
  /** The request asks for a stream (`stream: true`). */
  stream: boolean;
  /** What the suite changed from the spec's example, and why. */
  notes: string[];
  /** Generated requests: the label of the example it was drawn from. */
  base?: string;
}

export function isFilePart(value: unknown): value is FilePart {
  return typeof value === 'object' && value !== null && (value as FilePart).file instanceof Uint8Array;
}

/** The properties of the request schema of `op` for `mediaType`. */
export function requestFacts(spec: Spec, op: OperationInfo, mediaType: string): Map<string, PropertyFacts> {
  const pointer = op.requestContent.get(mediaType)?.schemaPointer;
  return pointer ? requestProperties(spec, pointer) : new Map();
}

/** The operation answers 200 with `text/event-stream` and its request has a `stream` property. */
export function canStream(spec: Spec, op: OperationInfo, mediaType: string): boolean {
  return Boolean(op.responses.get('200')?.content.has(EVENT_STREAM)) && requestFacts(spec, op, mediaType).has(VOCABULARY.stream);
}

/**
 * Every request example of every media type of `op`, as a case named after the example, plus a
 * streaming variant (`stream: true`, a partial image) of the first example of each media type that
 * can stream but has no streaming example of its own.
 */
export function exampleCases(spec: Spec, op: OperationInfo): RequestCase[] {
  const cases: RequestCase[] = [];
  for (const [mediaType, media] of op.requestContent) {
    const examples = media.namedExamples.filter((e): e is { name: string; value: JsonObject } => isObject(e.value));
    for (const { name, value } of examples)
      cases.push(materialize(spec, op, mediaType, value, `${mediaType} example "${name}"`, 'example'));
    const first = examples.find((e) => e.value[VOCABULARY.stream] !== true);
    if (first && canStream(spec, op, mediaType) && !examples.some((e) => e.value[VOCABULARY.stream] === true)) {
      const facts = requestFacts(spec, op, mediaType).get(VOCABULARY.partialImages);
      const partials = facts ? Math.min(1, facts.numeric?.maximum ?? 1) : undefined;
      const fields = { ...first.value, [VOCABULARY.stream]: true, ...(partials !== undefined && { [VOCABULARY.partialImages]: partials }) };
      cases.push(materialize(spec, op, mediaType, fields, `${mediaType} example "${first.name}" + stream`, 'stream variant'));
    }
  }
  return cases;
}

const COLOURS = [
  { r: 214, g: 48, b: 49, a: 255 },
  { r: 9, g: 132, b: 227, a: 255 },
  { r: 0, g: 184, b: 148, a: 255 },
  { r: 253, g: 203, b: 110, a: 255 },
] as const;
// A mask's transparent pixels mark what to edit: a fully transparent mask allows editing everything.
const MASK = { r: 0, g: 0, b: 0, a: 0 };

/** A real PNG of the given size in one colour (the mock's encoder: one PNG writer in the repo). */
export function png(width: number, height: number, color: { r: number; g: number; b: number; a: number }): Uint8Array<ArrayBuffer> {
  const encode = ENCODERS.png?.encode;
  if (!encode) throw new Error('@imagegen/mock has no PNG encoder');
  return new Uint8Array(encode({ width, height, color }));
}
const DEFAULT_SIDE = 1024;

/**
 * Turns spec-level values into what goes on the wire: file names in upload fields become real PNG
 * files of the requested size (a mask is transparent), and in JSON bodies image
 * references (file ids, remote URLs — a target has neither) become data URLs of such files.
 */
export function materialize(
  spec: Spec,
  op: OperationInfo,
  mediaType: string,
  raw: JsonObject,
  label: string,
  origin: RequestCase['origin'],
): RequestCase {
  const props = requestFacts(spec, op, mediaType);
  const size = parseSize(raw[VOCABULARY.size]) ?? { width: DEFAULT_SIDE, height: DEFAULT_SIDE };
  const notes: string[] = [];
  const fields: Record<string, unknown> = {};
  let colour = 0;
  const image = (name: string, isMask: boolean): FilePart => ({
    file: png(size.width, size.height, isMask ? MASK : (COLOURS[colour++ % COLOURS.length] ?? MASK)),
    filename: `${name.replace(/\.\w+$/, '') || 'image'}.png`,
    contentType: 'image/png',
  });
  for (const [key, value] of Object.entries(raw)) {
    const facts = props.get(key);
    const isMask = key === VOCABULARY.mask;
    if (mediaType.startsWith('multipart/') && facts?.binary) {
      const named = (v: unknown, i: number) => image(typeof v === 'string' ? v : `${key}-${i}`, isMask);
      fields[key] = Array.isArray(value) ? value.map(named) : isFilePart(value) ? value : named(value, 0);
    } else if (facts && mediaType.endsWith('json')) {
      fields[key] = imageRefs(spec, facts.pointer, value, () => dataUrl(image(key, isMask)), notes);
    } else {
      fields[key] = value;
    }
  }
  return {
    operationId: op.operationId,
    label,
    origin,
    mediaType,
    fields,
    stream: fields[VOCABULARY.stream] === true,
    notes: [...new Set(notes)],
  };
}

/**
 * Replaces image references in a JSON value: an object schema with a property described as taking
 * a data URL is an image reference; its value becomes `{ <that property>: data URL }`.
 */
function imageRefs(spec: Spec, pointer: string, value: unknown, makeUrl: () => string, notes: string[]): unknown {
  if (Array.isArray(value)) {
    const items = spec.variants(pointer).find((v) => isObject(v.node.items));
    return items ? value.map((item) => imageRefs(spec, `${items.pointer}/items`, item, makeUrl, notes)) : value;
  }
  if (!isObject(value)) return value;
  const refField = dataUrlField(spec, pointer);
  if (refField) {
    const current = value[refField];
    if (typeof current === 'string' && current.startsWith('data:')) return value;
    notes.push('image references of the example (file ids, remote URLs) sent as data URLs of generated images: a target has neither');
    return { [refField]: makeUrl() };
  }
  const { properties } = spec.objectShape(pointer);
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      const prop = properties.get(k);
      return [k, prop ? imageRefs(spec, prop.pointer, v, makeUrl, notes) : v];
    }),
  );
}

function dataUrlField(spec: Spec, pointer: string): string | undefined {
  for (const variant of spec.variants(pointer)) {
    const { properties } = spec.objectShape(variant.pointer);
    for (const [name, prop] of properties) {
      if (typeof prop.node.description === 'string' && /data URL/i.test(prop.node.description)) return name;
    }
  }
  return undefined;
}

export function dataUrl(part: FilePart): string {
  return `data:${part.contentType};base64,${Buffer.from(part.file).toString('base64')}`;
}

/** The request body and its content type (multipart's boundary is left to fetch). */
export function encodeBody(request: Pick<RequestCase, 'mediaType' | 'fields'>): { body: string | FormData; contentType?: string } {
  if (!request.mediaType.startsWith('multipart/')) return { body: JSON.stringify(request.fields), contentType: request.mediaType };
  const form = new FormData();
  const append = (name: string, value: unknown) => {
    if (value === undefined) return;
    if (isFilePart(value)) form.append(name, new Blob([value.file], { type: value.contentType }), value.filename);
    else if (Array.isArray(value)) for (const item of value) append(name, item);
    else if (isObject(value)) for (const [key, inner] of Object.entries(value)) append(`${name}[${key}]`, inner);
    else form.append(name, value === null ? '' : String(value));
  };
  for (const [name, value] of Object.entries(request.fields)) append(name, value);
  return { body: form };
}

/** The image count a request asks for: its `n`, else the spec's default, else 1. */
export function requestedCount(spec: Spec, op: OperationInfo, request: RequestCase): number {
  const n = request.fields[VOCABULARY.count];
  if (typeof n === 'number') return n;
  if (typeof n === 'string' && /^\d+$/.test(n)) return Number(n);
  const fallback = requestFacts(spec, op, request.mediaType).get(VOCABULARY.count)?.default;
  return typeof fallback === 'number' ? fallback : 1;
}

/** A fixed `WIDTHxHEIGHT` size, or undefined for `auto` and anything else. */
export function parseSize(size: unknown): { width: number; height: number } | undefined {
  if (typeof size !== 'string') return undefined;
  const match = /^(\d+)x(\d+)$/.exec(size);
  return match ? { width: Number(match[1]), height: Number(match[2]) } : undefined;
}
