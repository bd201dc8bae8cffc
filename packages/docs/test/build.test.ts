// The docs build as a command: it refuses a sample with a type error (naming file and line) and draws
// the Performance page from whatever benchmark file it is given.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const docsDir = path.resolve(import.meta.dirname, '..');
const tsx = createRequire(import.meta.url).resolve('tsx/cli');
const outDirs: string[] = [];

function build(...args: string[]) {
  const out = mkdtempSync(path.join(tmpdir(), 'imagegen-docs-out-'));
  outDirs.push(out);
  const result = spawnSync(process.execPath, [tsx, 'scripts/build.ts', '--out', out, ...args], { cwd: docsDir, encoding: 'utf8' });
  return { ...result, out, output: `${result.stdout}${result.stderr}` };
}

afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

describe('docs build', () => {
  it('fails on a sample with a type error, printing file:line:col, and writes nothing', () => {
    const result = build('--samples', 'test/fixtures/bad-sample');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/test\/fixtures\/bad-sample\/generate\.ts:8:3 - error TS\d+/);
    expect(existsSync(path.join(result.out, 'reference.html'))).toBe(false);
  });

  it('draws the benchmark results as an SVG chart on the Performance page', () => {
    const result = build('--bench', 'test/fixtures/bench-results.json');
    expect(result.status, result.output).toBe(0);
    const svg = readFileSync(path.join(result.out, 'performance.svg'), 'utf8');
    expect(svg).toMatch(/^<svg [^>]*width="760" height="\d+"/);
    expect(svg).toContain('stream, 3 × 4 MB partial images');
    expect(svg).toContain('raw fetch + manual SSE parsing');
    const html = readFileSync(path.join(result.out, 'performance.html'), 'utf8');
    expect(html).toContain('<img src="performance.svg"');
    expect(html).not.toContain('No benchmark results yet');
  });

  it('renders the Performance page with a note when there are no benchmark results', () => {
    const result = build('--bench', 'test/fixtures/no-such-bench-results.json');
    expect(result.status, result.output).toBe(0);
    expect(existsSync(path.join(result.out, 'performance.svg'))).toBe(false);
    const html = readFileSync(path.join(result.out, 'performance.html'), 'utf8');
    expect(html).toContain('No benchmark results yet');
    expect(html).toContain('<code>pnpm bench</code>');
  });

  it('fails on a benchmark file of the wrong shape, naming the field', () => {
    const result = build('--bench', 'test/fixtures/bench-results-invalid.json');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('bench-results-invalid.json: rows[0].ours must be a finite number');
  });
});
