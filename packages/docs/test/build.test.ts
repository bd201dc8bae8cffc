// The docs build as a command: it refuses a sample with a type error (naming file and line), and a
// sample or guide about an operation the spec no longer has (one line naming the file), before
// rendering anything.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSample } from '../scripts/sample-meta.js';
import { loadSpec, operations } from '../scripts/spec.js';

const docsDir = path.resolve(import.meta.dirname, '..');
const tsx = createRequire(import.meta.url).resolve('tsx/cli');
const scratch: string[] = [];
const doc = loadSpec();

function build(...args: string[]) {
  const out = mkdtempSync(path.join(tmpdir(), 'imagegen-docs-out-'));
  scratch.push(out);
  const result = spawnSync(process.execPath, [tsx, 'scripts/build.ts', '--out', out, ...args], { cwd: docsDir, encoding: 'utf8' });
  return { ...result, out, output: `${result.stdout}${result.stderr}` };
}

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('docs build', () => {
  it('fails on a sample with a type error, printing file:line:col, and writes nothing', () => {
    const result = build('--samples', 'test/fixtures/bad-sample');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/test\/fixtures\/bad-sample\/generate\.ts:\d+:\d+ - error TS\d+/);
    expect(existsSync(path.join(result.out, 'index.html'))).toBe(false);
  });

  it('fails with one line naming the sample when it shows an operation the spec no longer has', () => {
    // Inside the package, so the copy still resolves @imagegen/client.
    mkdirSync(path.join(docsDir, '.tmp'), { recursive: true });
    const samples = mkdtempSync(path.join(docsDir, '.tmp', 'samples-'));
    scratch.push(samples);
    cpSync(path.join(docsDir, 'samples'), samples, { recursive: true });
    const [first] = operations(doc);
    const victim = path.join(samples, 'generate.ts');
    const sample = readSample(victim);
    expect(sample.operationId).toBe(first?.operationId);
    writeFileSync(victim, sample.source.replace(`// operation: ${sample.operationId}`, `// operation: ${sample.operationId}Retired`));
    const result = build('--samples', samples);
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${victim}:1: shows operation ${sample.operationId}Retired, which the spec no longer has`);
  });

  it('fails on a benchmark file of the wrong shape, naming the field', () => {
    const result = build('--bench', 'test/fixtures/bench-results-invalid.json');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('bench-results-invalid.json: rows[0].ours must be a finite number');
  });
});
