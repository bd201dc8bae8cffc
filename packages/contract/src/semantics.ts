import { imageInfo } from '@imagegen/mock';
import { parseSize, type RequestCase, requestedCount, requestFacts, VOCABULARY } from './cases.js';
import { describeFetchError } from './net.js';
import type { SchemaValidator } from './schema.js';
import { escapePointer, isObject, type JsonObject, type OperationInfo, type Spec } from './spec.js';
import { type Violation, violation } from './violations.js';

/** Where images sit in a response, read from the response schema (not restated). */
export interface ImageShape {
  /** The array property holding the images (`data`). */
  list: string | undefined;
  /** In each image (or stream event): the base64 property (`contentEncoding: base64`) and the URL property (`format: uri`). */
  b64: string | undefined;
  url: string | undefined;
}

/** What the request asked for, as the checks compare it. */
export interface Expectation {
  count: number;
  format: string | undefined;
  size: { width: number; height: number } | undefined;
  /** Request fields the response (or completed event) echoes: name → asked value. */
  echo: Map<string, unknown>;
}

/**
 * The semantic expectation of a request: image count (`n` or its default), the output format and
 * fixed size asked for, and the fields the response schema echoes: properties it shares with the
 * request, when the value asked is a definite one (not `auto`) that the response may carry.
 */
export function expectationFor(
  spec: Spec,
  validator: SchemaValidator,
  op: OperationInfo,
  request: RequestCase,
  responsePointer: string | undefined,
): Expectation {
  const props = requestFacts(spec, op, request.mediaType);
  const responseProps = responsePointer ? spec.objectShape(responsePointer).properties : new Map<string, { pointer: string }>();
  const echo = new Map<string, unknown>();
  for (const [name, value] of Object.entries(request.fields)) {
    const target = responseProps.get(name);
    if (!props.has(name) || !target || typeof value !== 'string' || value === 'auto') continue;
    if (validator.validate(target.pointer, value, name).length === 0) echo.set(name, value);
  }
  const format = request.fields[VOCABULARY.outputFormat];
  return {
    count: requestedCount(spec, op, request),
    format: typeof format === 'string' ? format : undefined,
    size: parseSize(request.fields[VOCABULARY.size]),
    echo,
  };
}

export function imageShape(spec: Spec, pointer: string): ImageShape {
  const { properties } = spec.objectShape(pointer);
  let list: string | undefined;
  let itemPointer = pointer;
  for (const [name, prop] of properties) {
    const items = spec.variants(prop.pointer).find((v) => v.node.type === 'array' && isObject(v.node.items));
    if (!items) continue;
    const inner = spec.resolve(`${items.pointer}/items`).pointer;
    if (fieldWith(spec, inner, (n) => n.contentEncoding === 'base64')) {
      list = name;
      itemPointer = inner;
      break;
    }
  }
  return {
    list,
    b64: fieldWith(spec, itemPointer, (n) => n.contentEncoding === 'base64'),
    url: fieldWith(spec, itemPointer, (n) => n.format === 'uri'),
  };
}

function fieldWith(spec: Spec, pointer: string, test: (node: JsonObject) => boolean): string | undefined {
  for (const [name, prop] of spec.objectShape(pointer).properties) if (spec.variants(prop.pointer).some((v) => test(v.node))) return name;
  return undefined;
}

export interface SemanticResult {
  violations: Violation[];
  /** What was compared, for the report row. */
  checked: string[];
}

/**
 * Semantic checks on a JSON images response: the image list is there with `n` images, each has
 * base64 data or a URL, base64 decodes to an image of the format and fixed size asked for, a URL
 * answers with such an image, echoed fields match the request, and token totals add up.
 */
export async function checkImagesResponse(
  spec: Spec,
  responsePointer: string,
  json: unknown,
  expected: Expectation,
  timeoutMs: number,
): Promise<SemanticResult> {
  const shape = imageShape(spec, responsePointer);
  const violations: Violation[] = [];
  const checked = new Set<string>();
  if (!isObject(json)) return { violations, checked: [] };
  if (shape.list) {
    checked.add(`image count = ${expected.count}`);
    const list = json[shape.list];
    const at = `/${escapePointer(shape.list)}`;
    if (!Array.isArray(list)) violations.push(violation('semantics', at, `is missing: ${expected.count} image(s) were asked for`));
    else {
      if (list.length !== expected.count)
        violations.push(violation('semantics', at, `has ${list.length} image(s), ${expected.count} were asked for (n)`));
      for (const [i, item] of list.entries()) {
        const where = `${at}/${i}`;
        if (!isObject(item)) continue;
        const b64 = shape.b64 ? item[shape.b64] : undefined;
        const url = shape.url ? item[shape.url] : undefined;
        if (b64 === undefined && url === undefined) {
          const fields = [shape.b64, shape.url].filter(Boolean).join(' nor ');
          violations.push(violation('semantics', where, `has neither ${fields}: no image in the response`));
          continue;
        }
        if (typeof b64 === 'string' && shape.b64)
          violations.push(...checkBase64Image(b64, `${where}/${escapePointer(shape.b64)}`, expected, json, checked));
        if (typeof url === 'string' && shape.url)
          violations.push(...(await checkImageUrl(url, `${where}/${escapePointer(shape.url)}`, expected, json, checked, timeoutMs)));
      }
    }
  }
  violations.push(...checkEcho(json, expected, '', checked), ...checkUsage(spec, responsePointer, json, '', checked));
  return { violations, checked: [...checked] };
}

/** Base64 that decodes to an image of the format (asked for, else the one the response names) and fixed size asked for. */
export function checkBase64Image(
  b64: string,
  path: string,
  expected: Expectation,
  response: JsonObject,
  checked: Set<string>,
  checkSize = true,
): Violation[] {
  checked.add('base64 decodes to an image');
  const bytes = decodeBase64(b64);
  if (!bytes) return [violation('semantics', path, `is not base64 (${JSON.stringify(b64.slice(0, 24))}…)`)];
  return checkImageBytes(bytes, path, expected, response, checked, checkSize);
}

function checkImageBytes(
  bytes: Uint8Array,
  path: string,
  expected: Expectation,
  response: JsonObject,
  checked: Set<string>,
  checkSize: boolean,
): Violation[] {
  const info = imageInfo(bytes);
  if (!info) return [violation('semantics', path, `is not an image (first bytes ${Buffer.from(bytes.subarray(0, 8)).toString('hex')})`)];
  const violations: Violation[] = [];
  const named = response[VOCABULARY.outputFormat];
  const format = expected.format ?? (typeof named === 'string' ? named : undefined);
  if (format) {
    checked.add(`image format = ${format}`);
    if (info.format !== format) {
      const why = expected.format
        ? `${VOCABULARY.outputFormat} ${format} was asked for`
        : `the response says ${VOCABULARY.outputFormat} ${format}`;
      violations.push(violation('semantics', path, `is ${info.format}, but ${why}`));
    }
  }
  if (checkSize && expected.size) {
    checked.add(`image size = ${expected.size.width}x${expected.size.height}`);
    if (info.width !== expected.size.width || info.height !== expected.size.height)
      violations.push(
        violation(
          'semantics',
          path,
          `is ${info.width}x${info.height}, but ${VOCABULARY.size} ${expected.size.width}x${expected.size.height} was asked for`,
        ),
      );
  }
  return violations;
}

async function checkImageUrl(
  url: string,
  path: string,
  expected: Expectation,
  response: JsonObject,
  checked: Set<string>,
  timeoutMs: number,
): Promise<Violation[]> {
  checked.add('url is fetchable and an image');
  let bytes: Uint8Array;
  try {
    const answer = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!answer.ok) {
      await answer.body?.cancel();
      return [violation('semantics', path, `GET ${url} answered ${answer.status}`)];
    }
    bytes = new Uint8Array(await answer.arrayBuffer());
  } catch (error) {
    return [violation('semantics', path, `GET ${url} failed: ${describeFetchError(error)}`)];
  }
  return checkImageBytes(bytes, path, expected, response, checked, true);
}

/** Fields the response echoes must say what was asked. */
export function checkEcho(payload: JsonObject, expected: Expectation, prefix: string, checked: Set<string>): Violation[] {
  const violations: Violation[] = [];
  for (const [name, asked] of expected.echo) {
    const got = payload[name];
    if (got === undefined || got === null) continue;
    checked.add(`echoes ${name}`);
    if (got !== asked)
      violations.push(
        violation('semantics', `${prefix}/${escapePointer(name)}`, `is ${JSON.stringify(got)}, but ${JSON.stringify(asked)} was asked for`),
      );
  }
  return violations;
}

/**
 * Token totals add up where the spec says so: in an object whose total property is described as
 * "input plus output", total = input + output.
 */
export function checkUsage(spec: Spec, pointer: string, value: unknown, prefix: string, checked: Set<string>, depth = 0): Violation[] {
  if (!isObject(value) || depth > 4) return [];
  const { properties } = spec.objectShape(pointer);
  const violations: Violation[] = [];
  const described = (name: string) => String(properties.get(name)?.node.description ?? '');
  const total = [...properties.keys()].find((k) => /\binput\b.*\bplus\b.*\boutput\b/i.test(described(k)));
  const input = [...properties.keys()].find((k) => k !== total && /^input/.test(k) && typeof value[k] === 'number');
  const output = [...properties.keys()].find((k) => k !== total && /^output/.test(k) && typeof value[k] === 'number');
  if (total && input && output && typeof value[total] === 'number') {
    checked.add(`${prefix.split('/').pop() || 'usage'}: ${total} = ${input} + ${output}`);
    const sum = Number(value[input]) + Number(value[output]);
    if (value[total] !== sum)
      violations.push(
        violation(
          'semantics',
          `${prefix}/${escapePointer(total)}`,
          `is ${value[total]}, but ${input} ${value[input]} + ${output} ${value[output]} = ${sum}`,
        ),
      );
  }
  for (const [name, prop] of properties) {
    const inner = value[name];
    if (!isObject(inner)) continue;
    const target = spec.variants(prop.pointer).find((v) => isObject(v.node.properties));
    if (target) violations.push(...checkUsage(spec, target.pointer, inner, `${prefix}/${escapePointer(name)}`, checked, depth + 1));
  }
  return violations;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 (padding optional, no whitespace or URL alphabet): the bytes, or undefined. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length === 0 || !BASE64.test(text) || text.length % 4 === 1) return undefined;
  return new Uint8Array(Buffer.from(text, 'base64'));
}
