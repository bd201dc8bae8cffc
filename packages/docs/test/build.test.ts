// The docs build as a command: it refuses a sample with a type error (naming file and line), and a
// sample or guide about an operation the spec no longer has (one line naming the file), before
// rendering anything.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** An empty samples directory inside the package, so its files still resolve @imagegen/client. */
function scratchSamples(): string {
  mkdirSync(path.join(docsDir, '.tmp'), { recursive: true });
  const dir = mkdtempSync(path.join(docsDir, '.tmp', 'samples-'));
  scratch.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('docs build', () => {
  it('fails on a sample with a type error, printing file:line:col, and writes nothing', () => {
    // The fixture, declaring the spec's first operation so that only its type error stops the build.
    const samples = scratchSamples();
    const fixture = readFileSync(path.join(docsDir, 'test', 'fixtures', 'bad-sample', 'generate.ts'), 'utf8');
    writeFileSync(path.join(samples, 'generate.ts'), `// operation: ${operations(doc)[0]?.operationId}\n${fixture}`);
    const result = build('--samples', samples);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/\/generate\.ts:9:\d+ - error TS\d+/);
    expect(existsSync(path.join(result.out, 'index.html'))).toBe(false);
  });

  it('fails with one line naming the sample when it shows an operation the spec no longer has', () => {
    const samples = scratchSamples();
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
    expect(lines[0]).toBe(`${victim}:1: shows operation ${sample.operationId}Retired, which the spec no longer has — delete the sample`);
  });

  it('fails on a benchmark file of the wrong shape, naming the field', () => {
    const result = build('--bench', 'test/fixtures/bench-results-invalid.json');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('bench-results-invalid.json: rows[0].ours must be a finite number');
  });
});
