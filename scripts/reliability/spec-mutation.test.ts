// Bad specs: a CI-sized, seeded mutation run through the real lint and codegen (the script runs a few hundred).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatMutationReport, generateMutations, MUTATION_KINDS, type MutationReport, runMutations } from './spec-mutation.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const spec = path.join(root, 'spec', 'dist', 'openapi.yaml');

describe('spec mutations', () => {
  it('are reproducible from the seed and cover every kind', () => {
    const text = readFileSync(spec, 'utf8');
    const a = generateMutations(text, 24, 7);
    const b = generateMutations(text, 24, 7);
    expect(a.map((m) => m.text)).toEqual(b.map((m) => m.text));
    expect(new Set(a.map((m) => m.kind))).toEqual(new Set(MUTATION_KINDS));
    expect(a.every((m) => m.text !== text)).toBe(true);
  });

  let report: MutationReport;
  it('40 mutations: lint then codegen pass or fail with file and line; never a crash, hang or wrong types', async () => {
    report = await runMutations({ count: 40, seed: 1 });
    const bad = report.results.filter((r) => !['pass', 'rejected'].includes(r.pipeline));
    expect(bad.map((r) => `${r.id} ${r.kind}: ${r.description} → ${r.pipeline}: ${r.lintMessage || r.codegenMessage}`)).toEqual([]);
    // Most edits must be caught by lint: a run where everything "passes" means the lint step is not running.
    expect(report.results.filter((r) => r.lint === 'rejected').length).toBeGreaterThan(20);
  }, 150_000);

  // What `pnpm --filter @imagegen/types codegen` does with a spec that does not lint: fail with a message, not a
  // stack trace from inside openapi-typescript.
  it('codegen alone never crashes or hangs on a bad spec', () => {
    expect(report, 'the previous test ran').toBeDefined();
    const crashes = report.results.filter((r) => ['crash', 'hang'].includes(r.codegen));
    expect(crashes.length, formatMutationReport(report)).toBe(0);
  });

  // The detector itself: a codegen that ignores its input (always generates from the original spec) must be caught.
  it('flags a codegen that silently ignores an edit', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'imagegen-stale-codegen-'));
    try {
      const fixed = path.join(dir, 'fixed.json');
      writeFileSync(fixed, readFileSync(path.join(root, 'spec', 'dist', 'openapi.json')));
      const source = readFileSync(path.join(root, 'scripts', 'codegen.ts'), 'utf8');
      const stale = source.replace(/const specFile = [^;]+;/, `const specFile = ${JSON.stringify(fixed)};`);
      expect(stale).not.toBe(source);
      writeFileSync(path.join(dir, 'codegen.ts'), stale);
      const report = await runMutations({ count: 8, seed: 1, codegen: path.join(dir, 'codegen.ts') });
      expect(report.results.filter((r) => r.pipeline === 'wrong-types').map((r) => r.kind)).toContain('remove-required-property');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
