import { fileKind, isObject, type JsonObject, type RequestMedia } from './spec.js';

/** Where a form part landed, for error messages that name the field as the client sent it. */
export interface FormBody {
  /** The body as the schema sees it: files replaced by their names (validation only looks at the shape). */
  value: JsonObject;
}

export class FormShapeError extends Error {
  readonly param: string;
  constructor(param: string, message: string) {
    super(message);
    this.param = param;
  }
}

/** `svg[model]` → ['svg', 'model']; `image[]` → ['image', '']; `prompt` → ['prompt']. Undefined when not of that shape. */
function splitName(name: string): string[] | undefined {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(name);
  if (!match) return undefined;
  const keys = [...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? '');
  return [match[1] as string, ...keys];
}

/**
 * Turns form parts into the object the request schema describes, the way the API reads them: repeated `name[]` parts
 * are an array (so is a name repeated without brackets when the schema allows an array there); `a[b][c]` parts are a
 * deepObject `{ a: { b: { c } } }`; a property the spec names literally (such as `image[]`) is used as is. Text
 * values stay text: the schema's types coerce them during validation.
 */
export function formToBody(form: FormData, media: RequestMedia, resolve: (node: unknown) => unknown): FormBody {
  const value: JsonObject = {};
  for (const [name, part] of form.entries()) {
    let keys: string[];
    if (media.properties.has(name)) keys = [name];
    else {
      const split = splitName(name);
      if (!split) throw new FormShapeError(name, `Invalid form field name '${name}'.`);
      keys = split;
    }
    const top = keys[0] as string;
    const schema = media.properties.get(top);
    const kind = schema ? fileKind(schema, resolve) : undefined;
    const isFile = typeof part !== 'string';
    if (schema && kind && !isFile) throw new FormShapeError(top, `Invalid type for '${name}': expected a file upload, got a text value.`);
    if (schema && !kind && isFile) throw new FormShapeError(top, `Invalid type for '${name}': expected a text value, got a file upload.`);
    const leaf: unknown = isFile ? part.name || 'upload' : part;
    const arraySchema =
      schema !== undefined && (kind === 'files' || (Array.isArray(schema.type) ? schema.type.includes('array') : schema.type === 'array'));
    if (keys.length === 1) {
      const existing = value[top];
      if (arraySchema) value[top] = [...(Array.isArray(existing) ? existing : []), leaf];
      else if (existing === undefined) value[top] = leaf;
      else value[top] = [...(Array.isArray(existing) ? existing : [existing]), leaf];
      continue;
    }
    // Nested keys: `name[]` appends, `name[key]` descends.
    let node: JsonObject | unknown[] = value;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const last = i === keys.length - 1;
      const nextKey = keys[i + 1];
      if (Array.isArray(node)) {
        if (last) node.push(leaf);
        else {
          const child: JsonObject | unknown[] = nextKey === '' ? [] : {};
          node.push(child);
          node = child;
        }
        continue;
      }
      if (last) {
        const existing = node[key];
        node[key] = existing === undefined ? leaf : [...(Array.isArray(existing) ? existing : [existing]), leaf];
        continue;
      }
      let child: unknown = node[key];
      if (child === undefined) {
        child = nextKey === '' ? [] : {};
        node[key] = child;
      }
      if (!isObject(child) && !Array.isArray(child))
        throw new FormShapeError(top, `Invalid form field '${name}': '${keys.slice(0, i + 1).join('.')}' is both a value and an object.`);
      node = child;
    }
  }
  return { value };
}
