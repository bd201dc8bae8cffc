// The images embedded in the spec's examples (`b64_json` values), found by walking the whole document.
import { isObject, type JsonObject } from './spec.js';

export interface ExampleImage {
  /** The example's name under `components.examples`, or the JSON pointer where the image was found. */
  name: string;
  /** The example's summary, when it has one. */
  summary: string;
  /** Every example holding the same image, with its summary (the first is `name`). */
  examples: Array<{ name: string; summary: string }>;
  mediaType: string;
  base64: string;
}

const SIGNATURES: Array<[string, string]> = [
  ['iVBORw0KGgo', 'image/png'],
  ['/9j/', 'image/jpeg'],
  ['UklGR', 'image/webp'],
];

/** Every `b64_json` string in the document that holds a PNG, JPEG or WebP, each distinct image once. */
export function exampleImages(doc: JsonObject): ExampleImage[] {
  const found = new Map<string, ExampleImage>();
  const walk = (node: unknown, pointer: string[], example: JsonObject | undefined) => {
    if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) walk(item, [...pointer, String(i)], example);
    }
    if (!isObject(node)) return;
    const owner = pointer[0] === 'components' && pointer[1] === 'examples' && pointer.length === 3 ? node : example;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'b64_json' && typeof value === 'string') {
        const mediaType = SIGNATURES.find(([prefix]) => value.startsWith(prefix))?.[1];
        if (!mediaType) continue;
        const name = owner && pointer[0] === 'components' ? (pointer[2] ?? '') : `#/${[...pointer, key].join('/')}`;
        const summary = typeof owner?.summary === 'string' ? owner.summary : name;
        const seen = found.get(value);
        if (seen) seen.examples.push({ name, summary });
        else found.set(value, { name, summary, examples: [{ name, summary }], mediaType, base64: value });
      } else {
        walk(value, [...pointer, key], owner);
      }
    }
  };
  walk(doc, [], undefined);
  return [...found.values()];
}
