import { type FilePart, isFilePart, png, type RequestCase, requestFacts } from './cases.js';
import { undeclaredValue } from './schema-facts.js';
import { isObject, type OperationInfo, type Spec } from './spec.js';

/** An invalid request derived from a valid one and the spec, and what the server must answer. */
export interface NegativeCase {
  request: RequestCase;
  /** The request field the error's `param` should name; undefined for whole-request problems. */
  field?: string;
  /** A declared 4xx (`client error`), or exactly 401 (`unauthorized`). */
  expect: 'client error' | 'unauthorized';
  /** Authorization to send instead of the suite's: `null` sends none. */
  authorization?: string | null;
}

const TEXT_FILE: FilePart = {
  file: new Uint8Array(Buffer.from('This is a text file, not an image.\n')),
  filename: 'notes.txt',
  contentType: 'text/plain',
};

/**
 * Invalid variants of `base`, each breaking one rule the spec states: a number outside its
 * `minimum`/`maximum`, a value outside a closed enum, a required field left out, more files than
 * `maxItems`, a text file where an image goes; plus a missing and a malformed `Authorization`.
 */
export function negativeCases(spec: Spec, op: OperationInfo, base: RequestCase, malformedAuthorization: string): NegativeCase[] {
  const props = requestFacts(spec, op, base.mediaType);
  const out: NegativeCase[] = [];
  const variant = (label: string, fields: Record<string, unknown>): RequestCase => ({
    ...base,
    label: `rejects ${label} (${base.mediaType})`,
    origin: 'negative',
    fields,
    stream: false,
    notes: [],
  });
  const multipart = base.mediaType.startsWith('multipart/');
  for (const facts of props.values()) {
    if (facts.deprecated) continue;
    const { name, numeric } = facts;
    if (numeric?.maximum !== undefined) {
      const value = numeric.maximum + 1;
      out.push({
        request: variant(`${name} = ${value} (maximum ${numeric.maximum})`, { ...base.fields, [name]: value }),
        field: name,
        expect: 'client error',
      });
    } else if (numeric?.minimum !== undefined) {
      const value = numeric.minimum - 1;
      out.push({
        request: variant(`${name} = ${value} (minimum ${numeric.minimum})`, { ...base.fields, [name]: value }),
        field: name,
        expect: 'client error',
      });
    }
    if (facts.enumValues.length > 0 && !facts.openString) {
      const value = undeclaredValue(facts.enumValues);
      out.push({
        request: variant(`${name} = ${JSON.stringify(value)} (not in its enum)`, { ...base.fields, [name]: value }),
        field: name,
        expect: 'client error',
      });
    }
    if (multipart && facts.binary) {
      const { maxItems } = facts.binary;
      if (facts.binary.multiple && maxItems !== undefined && base.fields[name] !== undefined) {
        const files = Array.from({ length: maxItems + 1 }, (_, i) => ({
          file: png(64, 64, { r: i * 10, g: 90, b: 160, a: 255 }),
          filename: `image-${i}.png`,
          contentType: 'image/png',
        }));
        out.push({
          request: variant(`${maxItems + 1} files in ${name} (maxItems ${maxItems})`, { ...base.fields, [name]: files }),
          field: name,
          expect: 'client error',
        });
      }
      if (base.fields[name] !== undefined) {
        const current = base.fields[name];
        const replaced = Array.isArray(current) ? current.map((item, i) => (i === 0 && isFilePart(item) ? TEXT_FILE : item)) : TEXT_FILE;
        out.push({
          request: variant(`a text file as ${name}`, { ...base.fields, [name]: replaced }),
          field: name,
          expect: 'client error',
        });
      }
    }
    if (facts.required && base.fields[name] !== undefined) {
      const { [name]: _, ...rest } = base.fields;
      out.push({ request: variant(`a request without ${name} (required)`, rest), field: name, expect: 'client error' });
    }
  }
  // `anyOf: [{required: [a]}, {required: [b]}]`: one of them is required; leave out all of them.
  const schema = op.requestContent.get(base.mediaType)?.schemaPointer;
  const node = schema ? spec.resolve(schema).node : undefined;
  const alternatives = isObject(node)
    ? [...(Array.isArray(node.anyOf) ? node.anyOf : []), ...(Array.isArray(node.oneOf) ? node.oneOf : [])]
    : [];
  const oneOf = alternatives.flatMap((m) =>
    isObject(m) && Array.isArray(m.required) ? m.required.filter((r): r is string => typeof r === 'string') : [],
  );
  const present = oneOf.filter((name) => base.fields[name] !== undefined);
  if (oneOf.length > 1 && present.length > 0) {
    const rest = Object.fromEntries(Object.entries(base.fields).filter(([k]) => !oneOf.includes(k)));
    out.push({
      request: variant(`a request without any of ${oneOf.join(', ')} (one is required)`, rest),
      field: present[0] ?? '',
      expect: 'client error',
    });
  }
  out.push(
    { request: variant('a request without Authorization', base.fields), expect: 'unauthorized', authorization: null },
    { request: variant('a malformed Authorization header', base.fields), expect: 'unauthorized', authorization: malformedAuthorization },
  );
  return out;
}

/** Whether an error's `param` names `field` (`image` for `image[]`, `svg` for `svg[model]`, and the reverse). */
export function paramNames(param: string, field: string): boolean {
  const root = (s: string) => s.replace(/\[.*$/, '').replace(/\..*$/, '');
  return param === field || root(param) === root(field);
}
