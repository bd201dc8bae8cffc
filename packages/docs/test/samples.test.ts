// Runs every sample in samples/ with tsx against a Prism mock of the merged spec (through the loopback
// front in mock-server.ts, which also streams), in a scratch directory holding the input images.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spec as specConstants } from '@imagegen/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleImages } from '../scripts/example-images.js';
import { sampleFiles } from '../scripts/sample-check.js';
import { readSample } from '../scripts/sample-meta.js';
import { loadSpec, operation, specFile } from '../scripts/spec.js';
import { type ReceivedRequest, startFront, startPrism } from './mock-server.js';

const docsDir = path.resolve(import.meta.dirname, '..');
const samples = sampleFiles(path.join(docsDir, 'samples')).map((f) => path.basename(f));
const tsx = createRequire(import.meta.url).resolve('tsx/cli');
const doc = loadSpec();
/** The path of the operation a sample declares (its first line). */
const pathOf = (sample: string) => operation(doc, readSample(path.join(docsDir, 'samples', sample)).operationId).path;

let prism: Awaited<ReturnType<typeof startPrism>>;
let front: Awaited<ReturnType<typeof startFront>>;
let work: string;

beforeAll(async () => {
  prism = await startPrism(specFile());
  front = await startFront(doc, prism.url, specConstants.limits.editImageMaxItems);
  work = mkdtempSync(path.join(tmpdir(), 'imagegen-samples-'));
  // The file names the samples (and the spec's examples) use, filled with the spec's own example PNG.
  const png = exampleImages(doc).find((img) => img.mediaType === 'image/png');
  if (!png) throw new Error('the spec has no PNG example image');
  for (const name of ['sunrise.png', 'red-sailboat.png', 'sky-mask.png'])
    writeFileSync(path.join(work, name), Buffer.from(png.base64, 'base64'));
});

afterAll(async () => {
  await front?.close();
  await prism?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function run(sample: string): Promise<{ code: number | null; stdout: string; stderr: string; requests: ReceivedRequest[] }> {
  const before = front.received.length;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Injected from outside, as a reader's shell would: the samples themselves name no URL and no key.
    OPENAI_BASE_URL: front.url,
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
      resolve({ code, stdout, stderr, requests: front.received.slice(before) });
    });
  });
}

/** What each sample must visibly do besides exiting 0. A sample not listed here only has to exit 0. */
const EXPECTED: Record<string, (r: Awaited<ReturnType<typeof run>>) => void> = {
  'generate.ts': (r) => {
    expect(r.stdout).toMatch(/^1 image\(s\), \d+ tokens, request req_/m);
    expect(existsSync(path.join(work, 'generated-1.png'))).toBe(true);
  },
  'edit.ts': (r) => {
    expect(r.requests[0]).toMatchObject({
      path: pathOf('edit.ts'),
      contentType: 'multipart/form-data',
      files: { 'image[]': 2, mask: 1 },
      answer: 200,
    });
    expect(existsSync(path.join(work, 'edited.png'))).toBe(true);
  },
  'upload-from-disk.ts': (r) => {
    expect(r.requests[0]).toMatchObject({ path: pathOf('upload-from-disk.ts'), files: { 'image[]': 2, mask: 1 }, answer: 200 });
    expect(existsSync(path.join(work, 'uploaded-edit.png'))).toBe(true);
  },
  'edit-by-reference.ts': (r) => {
    expect(r.requests[0]).toMatchObject({ path: pathOf('edit-by-reference.ts'), contentType: 'application/json', answer: 200 });
    expect(r.stdout).toContain('1 edited image(s)');
  },
  'variation.ts': (r) => {
    expect(r.requests[0]).toMatchObject({ path: pathOf('variation.ts'), files: { image: 1 }, answer: 200 });
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
  },
  'stream.ts': (r) => {
    expect(r.requests[0]).toMatchObject({ path: pathOf('stream.ts'), answer: 'sse' });
    expect(r.stdout).toMatch(/partial image 0\npartial image 1\nfinal image, \d+ tokens/);
    for (const file of ['partial-0.png', 'partial-1.png', 'final.png']) expect(existsSync(path.join(work, file)), file).toBe(true);
  },
  'errors.ts': (r) => {
    expect(r.stdout).toContain('1 image(s)');
  },
};

describe('code samples against the Prism mock', () => {
  it('finds the samples', () => {
    expect(samples).toEqual(expect.arrayContaining(['generate.ts', 'edit.ts', 'variation.ts', 'stream.ts', 'upload-from-disk.ts']));
  });

  it.each(samples)('%s exits 0', async (sample) => {
    const result = await run(sample);
    expect(result.code, `${sample} failed:\n${result.stdout}\n${result.stderr}`).toBe(0);
    EXPECTED[sample]?.(result);
  });
});
