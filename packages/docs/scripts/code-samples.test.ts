import { describe, expect, it } from 'vitest';
import { codeSampleLanguages, curlFor, REFERENCE_SAMPLES, withCodeSamples } from './code-samples.js';
import { loadSpec, operations } from './spec.js';

const doc = loadSpec();
const op = (id: string) => {
  const found = operations(doc).find((o) => o.operationId === id);
  if (!found) throw new Error(`no operation ${id}`);
  return found;
};

describe('code samples in the spec', () => {
  it('gives every operation its TypeScript samples (the files as they are) and then curl', () => {
    const withSamples = withCodeSamples(doc, new URL('../samples', import.meta.url).pathname);
    for (const o of operations(withSamples)) {
      const samples = o.node['x-codeSamples'] as Array<{ lang: string; label: string; source: string }>;
      const expected = REFERENCE_SAMPLES.filter((s) => s.operationId === o.operationId).map((s) => s.label);
      expect(samples.map((s) => s.label)).toEqual([...expected, 'curl']);
      expect(samples[0]?.source).toContain("from '@imagegen/client'");
    }
    expect(operations(doc)[0]?.node['x-codeSamples']).toBeUndefined();
  });

  it('lists TypeScript first in Redoc’s language options', () => {
    expect(codeSampleLanguages()[0]).toEqual({ lang: 'TypeScript', label: 'TypeScript' });
    expect(codeSampleLanguages().at(-1)).toEqual({ lang: 'curl', label: 'curl' });
  });

  it('builds curl for a JSON body from the first request example', () => {
    const curl = curlFor(doc, op('createImage'));
    expect(curl).toMatch(/^curl https:\/\/api\.openai\.com\/v1\/images\/generations \\\n/);
    expect(curl).toContain('-H "Authorization: Bearer $OPENAI_API_KEY"');
    expect(curl).toContain(`-d '{\n  "model": "gpt-image-1.5",`);
  });

  it('builds curl for a multipart body with file fields as @file parts', () => {
    const curl = curlFor(doc, op('createImageEdit'));
    expect(curl).toContain("-F 'image=@sunrise.png'");
    expect(curl).toContain("-F 'mask=@sky-mask.png'");
    expect(curl).toMatch(/-F 'prompt=[^@]/);
    expect(curlFor(doc, op('createImageVariation'))).toContain("-F 'n=2'");
  });
});
