// A curl command for an operation, built from its first request example.
import { deref, isObject, type JsonObject, mediaExamples, type Operation } from './spec.js';

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

function isBinary(doc: JsonObject, schema: unknown): boolean {
  const s = deref(doc, schema);
  if (!isObject(s)) return false;
  if (s.format === 'binary') return true;
  const nested = [s.items, ...(Array.isArray(s.anyOf) ? s.anyOf : []), ...(Array.isArray(s.oneOf) ? s.oneOf : [])];
  return nested.some((n) => n !== undefined && isBinary(doc, n));
}

/** The binary (file) properties of a multipart schema, and whether each takes several files. */
export function fileFields(doc: JsonObject, schema: unknown): Array<{ name: string; multiple: boolean }> {
  const s = deref(doc, schema);
  const props = isObject(s) && isObject(s.properties) ? s.properties : {};
  return Object.entries(props)
    .filter(([, p]) => isBinary(doc, p))
    .map(([name, p]) => {
      const d = deref(doc, p);
      const multiple =
        isObject(d) &&
        (d.type === 'array' ||
          [...(Array.isArray(d.anyOf) ? d.anyOf : []), ...(Array.isArray(d.oneOf) ? d.oneOf : [])].some(
            (b) => isObject(deref(doc, b)) && (deref(doc, b) as JsonObject).type === 'array',
          ));
      return { name, multiple };
    });
}

/**
 * A curl command for an operation from its first request body example: a JSON body as `-d`, a
 * multipart body as `-F` parts (file fields, whose examples hold file names, as `@file`; arrays as
 * repeated parts).
 */
export function curlFor(doc: JsonObject, op: Operation): string {
  const servers = Array.isArray(op.node.servers) ? op.node.servers : Array.isArray(doc.servers) ? doc.servers : [];
  const server = isObject(servers[0]) && typeof servers[0].url === 'string' ? servers[0].url.replace(/\/$/, '') : '';
  const args = [`curl ${server}${op.path}`];
  if (op.method !== 'get' && op.method !== 'post') args.push(`-X ${op.method.toUpperCase()}`);
  args.push('-H "Authorization: Bearer $OPENAI_API_KEY"');
  const body = deref(doc, op.node.requestBody);
  const content = isObject(body) && isObject(body.content) ? Object.entries(body.content) : [];
  const [mediaType, media] = content[0] ?? [];
  const example = mediaExamples(doc, media)[0]?.value;
  if (mediaType === 'application/json' && example !== undefined) {
    // -N: print each server-sent event as it arrives.
    if (isObject(example) && example.stream === true) args.push('-N');
    args.push('-H "Content-Type: application/json"', `-d ${shellQuote(JSON.stringify(example, null, 2))}`);
  } else if (mediaType === 'multipart/form-data' && isObject(example) && isObject(media)) {
    const schema = deref(doc, media.schema);
    const props = isObject(schema) && isObject(schema.properties) ? schema.properties : {};
    for (const [key, value] of Object.entries(example)) {
      const binary = isBinary(doc, props[key]);
      for (const item of Array.isArray(value) ? value : [value]) {
        const text = typeof item === 'string' ? item : JSON.stringify(item);
        args.push(`-F ${shellQuote(`${key}=${binary ? '@' : ''}${text}`)}`);
      }
    }
  }
  return args.join(' \\\n  ');
}
