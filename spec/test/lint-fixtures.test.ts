import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lint, specDir } from './redocly.js';

// Each broken fixture differs from test/fixtures/valid-minimal.yaml in one way and must fail
// for exactly that reason, at a line that shows the problem.
const brokenFixtures = [
  { file: 'dangling-ref.yaml', ruleId: 'no-unresolved-refs', lineShows: "'#/components/schemas/Image'" },
  { file: 'invalid-example.yaml', ruleId: 'no-invalid-media-type-examples', lineShows: 'n: 0' },
  { file: 'missing-operation-id.yaml', ruleId: 'operation-operationId', lineShows: 'post:' },
  { file: 'placeholder-example.yaml', ruleId: 'rule/no-placeholder-example', lineShows: 'examples:' },
] as const;

describe('lint fixtures', () => {
  it('passes the clean base fixture', () => {
    const { status, report } = lint(['test/fixtures/valid-minimal.yaml']);
    expect(report.problems).toEqual([]);
    expect(status).toBe(0);
  });

  it.each(brokenFixtures)('$file fails with $ruleId at a named file and line', ({ file, ruleId, lineShows }) => {
    const relative = `test/fixtures/${file}`;
    const { status, report } = lint([relative]);

    expect(status).not.toBe(0);
    expect(report.totals.errors).toBeGreaterThan(0);
    const problem = report.problems.find((p) => p.ruleId === ruleId);
    expect(problem, `expected a ${ruleId} problem, got ${JSON.stringify(report.problems, null, 2)}`).toBeDefined();

    const location = problem?.location[0];
    expect(location?.source.ref).toBe(relative);
    const line = location?.start?.line ?? 0;
    expect(line).toBeGreaterThan(0);
    const lines = readFileSync(path.join(specDir, relative), 'utf8').split('\n');
    expect(lines[line - 1]).toContain(lineShows);

    // Every other problem must come from the same mistake (missing-operation-id also trips the
    // house rule that restates it), never from an unrelated rule.
    const allowed: string[] = [ruleId, ...(ruleId === 'operation-operationId' ? ['rule/operation-has-id-description-tags'] : [])];
    expect(report.problems.map((p) => p.ruleId).filter((id) => !allowed.includes(id))).toEqual([]);
  });

  it('lints the real spec with zero errors and zero warnings', () => {
    const { status, report } = lint();
    expect(report.problems.map((p) => `${p.location[0]?.source.ref}:${p.location[0]?.start?.line} ${p.ruleId} ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(status).toBe(0);
  });
});
