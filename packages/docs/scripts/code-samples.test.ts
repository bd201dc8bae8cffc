import { describe, expect, it } from 'vitest';
import { curlFor, fileFields } from './code-samples.js';
import { isObject, loadSpec, operations } from './spec.js';
import { requestExamples } from './spec-markdown.js';

const doc = loadSpec();
const servers = doc.servers as Array<{ url: string }>;

describe('curl commands from the spec', () => {
  it.each(operations(doc).map((op) => [op.operationId, op] as const))('%s: built from its first request example', (_id, op) => {
    const curl = curlFor(doc, op);
    expect(curl.split(' \\\n')[0]).toBe(`curl ${servers[0]?.url}${op.path}`);
    expect(curl).toContain('-H "Authorization: Bearer $OPENAI_API_KEY"');
    const [first] = requestExamples(doc, op.operationId);
    const example = first?.examples[0]?.value;
    if (!first || !isObject(example)) return;
    if (first.mediaType === 'application/json') {
      expect(curl).toContain(`-d '${JSON.stringify(example, null, 2).replaceAll("'", `'\\''`)}'`);
    } else {
      // File fields become @file parts, every other field a plain part.
      const files = new Set(fileFields(doc, first.schema).map((f) => f.name));
      for (const [key, value] of Object.entries(example)) {
        const item = Array.isArray(value) ? value[0] : value;
        const text = typeof item === 'string' ? item : JSON.stringify(item);
        expect(curl).toContain(`-F '${key}=${files.has(key) ? '@' : ''}${text}`);
      }
    }
  });
});
