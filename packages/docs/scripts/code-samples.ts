// Adds `x-codeSamples` to each operation of the merged spec: the TypeScript sample files as they are, and a curl command built from the operation's first request example.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deref, isObject, type JsonObject, mediaExamples, type Operation, operations } from './spec.js';

/** Which sample file is shown for which operation, in tab order (TypeScript tabs first, then curl). */
export const REFERENCE_SAMPLES: ReadonlyArray<{ operationId: string; file: string; label: string }> = [
  { operationId: 'createImage', file: 'generate.ts', label: 'TypeScript' },
  { operationId: 'createImage', file: 'stream.ts', label: 'TypeScript (stream)' },
  { operationId: 'createImageEdit', file: 'edit.ts', label: 'TypeScript' },
  { operationId: 'createImageEdit', file: 'upload-from-disk.ts', label: 'TypeScript (uploads)' },
  { operationId: 'createImageVariation', file: 'variation.ts', label: 'TypeScript' },
];

/**
 * Redoc's `codeSamples.languages` option: one entry per sample label, TypeScript first. Redoc shows
 * only the samples whose label is listed, and selects the first listed one.
 */
export function codeSampleLanguages(): Array<{ lang: string; label: string }> {
  const labels = [...new Set(REFERENCE_SAMPLES.map((s) => s.label))];
  return [...labels.map((label) => ({ lang: 'TypeScript', label })), { lang: 'curl', label: 'curl' }];
}

export interface CodeSample {
  lang: string;
  label: string;
  source: string;
}

/**
 * A copy of `doc` with `x-codeSamples` on every operation. Throws when an operation has no
 * TypeScript sample, when a sample names an unknown operation, or when a sample file is missing.
 */
export function withCodeSamples(doc: JsonObject, samplesDir: string): JsonObject {
  const copy = structuredClone(doc);
  const ops = operations(copy);
  const known = new Set(ops.map((op) => op.operationId));
  for (const sample of REFERENCE_SAMPLES) {
    if (!known.has(sample.operationId))
      throw new Error(`sample ${sample.file} is mapped to operation ${sample.operationId}, which the spec does not have`);
  }
  for (const op of ops) {
    const typescript = REFERENCE_SAMPLES.filter((s) => s.operationId === op.operationId).map(
      (s): CodeSample => ({ lang: 'TypeScript', label: s.label, source: readFileSync(path.join(samplesDir, s.file), 'utf8') }),
    );
    if (typescript.length === 0)
      throw new Error(`operation ${op.operationId} has no TypeScript sample: add one to REFERENCE_SAMPLES in scripts/code-samples.ts`);
    op.node['x-codeSamples'] = [...typescript, { lang: 'curl', label: 'curl', source: curlFor(copy, op) }];
  }
  return copy;
}

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

function isBinary(doc: JsonObject, schema: unknown): boolean {
  const s = deref(doc, schema);
  if (!isObject(s)) return false;
  if (s.format === 'binary') return true;
  const nested = [s.items, ...(Array.isArray(s.anyOf) ? s.anyOf : []), ...(Array.isArray(s.oneOf) ? s.oneOf : [])];
  return nested.some((n) => n !== undefined && isBinary(doc, n));
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
