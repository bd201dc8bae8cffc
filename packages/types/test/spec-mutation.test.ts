// Bad specs: seeded edits of the merged spec, each given to generate(). It either rejects with a CodegenError whose
// one-line message names the place (a JSON pointer), or its output compiles and says what the edit says — never a
// stack trace from inside a dependency, never types that ignore the edit.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CodegenError, generate } from '../scripts/generate.js';
import { compile } from './compile.js';
import { generateMutations, MUTATION_KINDS, type Mutation, oracleProbe } from './mutations.js';

const base = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('@imagegen/spec/openapi.json'), 'utf8'));

type Verdict = 'pass' | 'rejected' | 'unclear' | 'wrong-types';

async function judge(m: Mutation, run: (spec: object) => Promise<Record<string, string>> = generate): Promise<[Verdict, string]> {
  let files: Record<string, string>;
  try {
    files = await run(m.spec as object);
  } catch (error) {
    if (error instanceof CodegenError && !error.message.includes('\n') && /#\/|openapi-typescript:/.test(error.message))
      return ['rejected', error.message];
    return ['unclear', String((error as Error)?.stack ?? error).slice(0, 400)];
  }
  const problems = compile(files, m.oracle ? oracleProbe(m.oracle) : '');
  return problems.length ? ['wrong-types', problems.slice(0, 2).join(' | ')] : ['pass', ''];
}

describe('spec mutations', () => {
  it('are reproducible from the seed and cover every kind', () => {
    const a = generateMutations(base, 16, 7);
    const b = generateMutations(base, 16, 7);
    expect(a.map((m) => JSON.stringify(m.spec))).toEqual(b.map((m) => JSON.stringify(m.spec)));
    expect(new Set(a.map((m) => m.kind))).toEqual(new Set(MUTATION_KINDS));
    expect(a.every((m) => JSON.stringify(m.spec) !== JSON.stringify(base))).toBe(true);
  });

  it('24 mutations: generate() rejects with the place, or emits types that compile and match the edit', async () => {
    const verdicts: string[] = [];
    let rejected = 0;
    for (const m of generateMutations(base, 24, 1)) {
      const [verdict, message] = await judge(m);
      if (verdict === 'rejected') rejected++;
      else if (verdict !== 'pass') verdicts.push(`${m.id} ${m.kind}: ${m.description} → ${verdict}: ${message}`);
    }
    expect(verdicts).toEqual([]);
    // A run where nothing is rejected would mean the checks are not running.
    expect(rejected).toBeGreaterThan(5);
  }, 120_000);

  it('flags a generator that ignores its input', async () => {
    const stale = () => generate(base);
    const caught: string[] = [];
    for (const m of generateMutations(base, 16, 1).filter((m) => m.oracle?.expect === 'optional'))
      if ((await judge(m, stale))[0] === 'wrong-types') caught.push(m.kind);
    expect(caught).toContain('remove-required-property');
  }, 60_000);

  it('the type check catches a type error (the detector works)', () => {
    expect(compile({}, 'export const n: number = "one";')[0]).toMatch(/^probe\.ts:1 Type 'string' is not assignable to type 'number'/);
  });
});
