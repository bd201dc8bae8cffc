// Runs every sample with tsx against @imagegen/mock (the faithful offline Images API), with the base URL and the key
// injected from outside as a reader's shell would, in a scratch directory holding the input images.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type MockRequest, type MockServer, startMock } from '@imagegen/mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileFields } from '../scripts/code-samples.js';
import { exampleImages } from '../scripts/example-images.js';
import { sampleFiles } from '../scripts/sample-check.js';
import { readSample } from '../scripts/sample-meta.js';
import { loadSpec } from '../scripts/spec.js';
import { requestExamples } from '../scripts/spec-markdown.js';

const docsDir = path.resolve(import.meta.dirname, '..');
const samples = sampleFiles(path.join(docsDir, 'samples')).map(readSample);
const tsx = createRequire(import.meta.url).resolve('tsx/cli');
const doc = loadSpec();

let mock: MockServer;
let work: string;

beforeAll(async () => {
  mock = await startMock({ seed: 'docs-samples' });
  work = mkdtempSync(path.join(tmpdir(), 'imagegen-samples-'));
  // The file names the samples (and the spec's examples) use, filled with the spec's own example PNG.
  const png = exampleImages(doc).find((img) => img.mediaType === 'image/png');
  if (!png) throw new Error('the spec has no PNG example image');
  for (const name of ['sunrise.png', 'red-sailboat.png', 'sky-mask.png'])
    writeFileSync(path.join(work, name), Buffer.from(png.base64, 'base64'));
});

afterAll(async () => {
  await mock?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

function run(sample: string): Promise<{ code: number | null; stdout: string; stderr: string; requests: MockRequest[] }> {
  const before = mock.requests.length;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Injected from outside, as a reader's shell would: the samples themselves name no URL and no key.
    OPENAI_BASE_URL: mock.url,
    OPENAI_API_KEY: 'sk-test-docs-samples',
    IMAGEGEN_LOG: 'warn',
  };
  const child = spawn(process.execPath, [tsx, path.join(docsDir, 'samples', sample)], { cwd: work, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${sample} did not finish within 60 s\n${stdout}${stderr}`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, requests: mock.requests.slice(before) });
    });
  });
}

/** How many file parts of each file field a multipart request carried (`image[]` parts count for `image`). */
function fileParts(r: MockRequest): Record<string, number> {
  const fields = requestExamples(doc, r.operationId ?? '').find((b) => b.mediaType === 'multipart/form-data');
  const names = new Set(fileFields(doc, fields?.schema).map((f) => f.name.replace(/\[\]$/, '')));
  const counts: Record<string, number> = {};
  for (const [key, value] of Object.entries(r.params ?? {})) {
    const name = key.replace(/\[\]$/, '');
    if (names.has(name)) counts[name] = (counts[name] ?? 0) + (Array.isArray(value) ? value.length : 1);
  }
  return counts;
}

type Run = Awaited<ReturnType<typeof run>>;
const contentType = (r: MockRequest | undefined) => String(r?.headers['content-type'] ?? '').split(';')[0];

/** What each sample must visibly do besides exiting 0 with one request to its operation. A sample not listed here only has to do that. */
const EXPECTED: Record<string, (r: Run) => void> = {
  'generate.ts': (r) => {
    expect(r.stdout).toMatch(/^1 image\(s\), \d+ tokens, request \S+/m);
    expect(existsSync(path.join(work, 'generated-1.png'))).toBe(true);
  },
  'edit.ts': (r) => {
    expect(contentType(r.requests[0])).toBe('multipart/form-data');
    expect(fileParts(r.requests[0] as MockRequest)).toEqual({ image: 2, mask: 1 });
    expect(existsSync(path.join(work, 'edited.png'))).toBe(true);
  },
  'upload-from-disk.ts': (r) => {
    expect(fileParts(r.requests[0] as MockRequest)).toEqual({ image: 2, mask: 1 });
    expect(existsSync(path.join(work, 'uploaded-edit.png'))).toBe(true);
  },
  'edit-by-reference.ts': (r) => {
    expect(contentType(r.requests[0])).toBe('application/json');
    expect(r.stdout).toContain('1 edited image(s)');
  },
  'variation.ts': (r) => {
    expect(fileParts(r.requests[0] as MockRequest)).toEqual({ image: 1 });
    expect(r.stdout.trim().split('\n')).toHaveLength(Number(r.requests[0]?.params?.n));
  },
  'stream.ts': (r) => {
    const partials = Number(r.requests[0]?.params?.partial_images);
    expect(r.stdout).toMatch(
      new RegExp(`${[...Array(partials).keys()].map((i) => `partial image ${i}\n`).join('')}final image, \\d+ tokens`),
    );
    for (const file of [...[...Array(partials).keys()].map((i) => `partial-${i}.png`), 'final.png'])
      expect(existsSync(path.join(work, file)), file).toBe(true);
  },
  'errors.ts': (r) => {
    expect(r.stdout).toContain('1 image(s)');
  },
};

describe('code samples against @imagegen/mock', () => {
  it('finds the samples, one at least per operation of the spec', () => {
    expect(new Set(samples.map((s) => s.operationId)).size).toBeGreaterThan(0);
  });

  it.each(samples.map((s) => [s.name, s] as const))(
    '%s exits 0 after one answered request to the operation it declares',
    async (name, sample) => {
      const result = await run(name);
      expect(result.code, `${name} failed:\n${result.stdout}\n${result.stderr}`).toBe(0);
      expect(result.requests.map((r) => [r.operationId, r.status])).toEqual([[sample.operationId, 200]]);
      EXPECTED[name]?.(result);
    },
  );
});
