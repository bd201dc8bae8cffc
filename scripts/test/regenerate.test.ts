// Regenerate on spec change, end to end, in a copy of the repo: edit only spec/src, run the build, and check that
// the generated types, the client, the docs and the computed version bump all follow — with nothing outside
// spec/ and .changeset/ touched by hand.
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Document, isMap, isScalar, parseDocument, visit, type YAMLSeq } from 'yaml';
import { copyWorkspace, latestRunSummary, replayFromRepoCache, type TurboSummary, type WorkspaceCopy } from './workspace-copy.js';

const GENERATED = 'packages/types/src/generated/openapi.gen.ts';
const SCHEMAS = 'spec/src/components/schemas';
const SEED_DESCRIPTION = 'A seed for reproducible images. All models.';

let repo: WorkspaceCopy;
let hasDocs = false;
const timings: Record<string, number> = {};

function editSchema(name: string, edit: (doc: Document) => void): void {
  const file = path.join(repo.dir, SCHEMAS, `${name}.yaml`);
  const doc = parseDocument(readFileSync(file, 'utf8'));
  edit(doc);
  writeFileSync(file, doc.toString());
}

// Drop a property from every example value that has it (the spec validates examples strictly).
function removeFromExamples(property: string): void {
  const dir = path.join(repo.dir, 'spec/src/components/examples');
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const file = path.join(dir, name);
    const doc = parseDocument(readFileSync(file, 'utf8'));
    const value = doc.get('value', true);
    if (!isMap(value) && !value) continue;
    let removed = false;
    visit(doc, {
      Pair(_, pair) {
        if (isScalar(pair.key) && pair.key.value === property) {
          removed = true;
          return visit.REMOVE;
        }
        return undefined;
      },
    });
    if (removed) writeFileSync(file, doc.toString());
  }
}

// The generated interface of one schema: from `        Name: {` to its closing `        };`.
function generatedSchema(name: string): string {
  const text = readFileSync(path.join(repo.dir, GENERATED), 'utf8');
  const start = text.indexOf(`\n        ${name}: {\n`);
  if (start < 0) throw new Error(`${name} not found in ${GENERATED}`);
  const end = text.indexOf('\n        };\n', start);
  return text.slice(start, end);
}

/** Run turbo build for the client (and the docs when the package exists) with a run summary. */
async function build(label: string): Promise<{ code: number | null; output: string; summary: TurboSummary }> {
  const filters = ['--filter', '@imagegen/client...', ...(hasDocs ? ['--filter', '@imagegen/docs...'] : [])];
  // What is unchanged replays from this checkout's cache: the test is about what a spec edit rebuilds, not about
  // building everything once more.
  const r = await repo.run(repo.bin('turbo'), ['run', 'build', ...filters, '--summarize', '--output-logs', 'errors-only'], {
    timeoutMs: 600_000,
    env: replayFromRepoCache(),
  });
  timings[label] = r.ms;
  return { code: r.code, output: r.output, summary: latestRunSummary(repo.dir) };
}

const taskStatus = (summary: TurboSummary) => Object.fromEntries(summary.tasks.map((t) => [t.taskId, t.cache.status]));

type SpecDiffJson = { bump: string; base: string | null; report?: { changes: { kind: string; text: string }[] } };
async function specDiff(...args: string[]) {
  return repo.run(repo.bin('tsx'), ['scripts/spec-diff.ts', ...args], { timeoutMs: 120_000 });
}
async function computedBump(): Promise<SpecDiffJson> {
  const r = await specDiff('--json');
  expect(r.code, r.output).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as SpecDiffJson;
}

// A consumer of the built client, compiled with the monorepo's TypeScript. It lives in .tmp/ (git-ignored) and
// resolves @imagegen/client through a node_modules link to packages/client, i.e. through its package.json exports.
function writeConsumer(files: Record<string, string>): string {
  const dir = path.join(repo.dir, '.tmp', 'consumer');
  mkdirSync(path.join(dir, 'node_modules', '@imagegen'), { recursive: true });
  const link = path.join(dir, 'node_modules', '@imagegen', 'client');
  if (!existsSync(link)) symlinkSync(path.join(repo.dir, 'packages', 'client'), link, 'dir');
  writeFileSync(path.join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { noEmit: true }, include: Object.keys(files) }),
  );
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

async function compileConsumer(files: Record<string, string>) {
  const dir = writeConsumer(files);
  return repo.run(repo.bin('tsc'), ['-p', dir], { timeoutMs: 120_000 });
}

// Code that only uses what the released spec has: a request without `size`, a response's `revised_prompt`.
const EXISTING_USAGE = `import { createImagesClient, type ImagesResponse } from '@imagegen/client';

const client = createImagesClient({ apiKey: 'sk-test', fetch: async () => Response.json({ created: 1 }) });

export async function revisedPrompt(): Promise<string | undefined> {
  const res: ImagesResponse = await client.images.generate({ prompt: 'A lighthouse at dusk' });
  return res.data?.[0]?.revised_prompt;
}
`;

// Code that uses the additions of scenario (a).
const NEW_USAGE = `import { createImagesClient, type ImagesResponse } from '@imagegen/client';

const client = createImagesClient({ apiKey: 'sk-test', fetch: async () => Response.json({ created: 1 }) });

export async function seeded(): Promise<ImagesResponse> {
  return client.images.generate({ prompt: 'A lighthouse at dusk', seed: 42 });
}

export const avif: NonNullable<ImagesResponse['output_format']> = 'avif';
`;

beforeAll(async () => {
  repo = await copyWorkspace('regenerate');
  timings.setup = repo.setupMs;
  hasDocs = existsSync(path.join(repo.dir, 'packages', 'docs', 'package.json'));
  const specVersion = (JSON.parse(readFileSync(path.join(repo.dir, 'spec', 'package.json'), 'utf8')) as { version: string }).version;
  // The initial commit plays the last release, so spec-diff finds its base the way it does in real use.
  repo.git('tag', `@imagegen/spec@${specVersion}`);
  const baseline = await build('baselineBuild');
  expect(baseline.code, baseline.output).toBe(0);
});

afterAll(() => {
  console.log(`regenerate timings (ms): ${JSON.stringify(timings)}`);
  repo?.remove();
});

function resetSpec(): void {
  repo.git('checkout', '--quiet', '--', 'spec', '.changeset');
  repo.git('clean', '--quiet', '-fd', '--', 'spec/src', '.changeset');
  expect(repo.changedFiles()).toEqual([]);
}

function onlySpecAndChangesetsChanged(): void {
  const changed = repo.changedFiles();
  expect(changed.length).toBeGreaterThan(0);
  expect(changed.filter((f) => !f.startsWith('spec/src/') && !f.startsWith('.changeset/'))).toEqual([]);
}

describe('(a) additive: a new optional request field and a new response enum value', () => {
  beforeAll(() => {
    resetSpec();
    editSchema('CreateImageRequest', (doc) => {
      doc.setIn(['properties', 'seed'], doc.createNode({ type: 'integer', minimum: 0, description: SEED_DESCRIPTION, examples: [42] }));
    });
    editSchema('ImagesResponse', (doc) => {
      (doc.getIn(['properties', 'output_format', 'enum']) as YAMLSeq).add('avif');
    });
  });

  it('rebuilds exactly the spec and what derives from it', async () => {
    const r = await build('additiveBuild');
    expect(r.code, r.output).toBe(0);
    const status = taskStatus(r.summary);
    expect(status).toMatchObject({ '@imagegen/spec#build': 'MISS', '@imagegen/types#build': 'MISS', '@imagegen/client#build': 'MISS' });
    if (hasDocs) expect(status['@imagegen/docs#build'], 'the docs rebuild').toBe('MISS');
  });

  it('the generated types carry the new field and enum value', () => {
    expect(generatedSchema('CreateImageRequest')).toMatch(/\n\s+seed\?: number( \| null)?;/);
    expect(generatedSchema('ImagesResponse')).toMatch(/output_format\?: [^;]*"avif"/);
  });

  it('the client type-checks, and code using the new field compiles alongside existing code', async () => {
    const typecheck = await repo.run('pnpm', ['--filter', '@imagegen/client', 'typecheck'], { timeoutMs: 300_000 });
    expect(typecheck.code, typecheck.output).toBe(0);
    const consumer = await compileConsumer({ 'existing.ts': EXISTING_USAGE, 'new.ts': NEW_USAGE });
    expect(consumer.code, consumer.output).toBe(0);
  });

  it('the rebuilt docs describe the new field', () => {
    if (!hasDocs) return;
    const dist = path.join(repo.dir, 'packages', 'docs', 'dist');
    const pages = readdirSync(dist).filter((f) => f.endsWith('.html'));
    const reference = pages.includes('reference.html') ? ['reference.html'] : pages;
    expect(reference.some((f) => readFileSync(path.join(dist, f), 'utf8').includes(SEED_DESCRIPTION))).toBe(true);
  });

  it('computes a minor bump; --check fails until --write adds the changeset', async () => {
    const diff = await computedBump();
    expect(diff.bump).toBe('minor');
    expect(diff.base).toMatch(/^@imagegen\/spec@/);
    expect(diff.report?.changes.map((c) => c.text).join('\n')).toContain('`seed`');
    const before = await specDiff('--check');
    expect(before.code).toBe(1);
    expect(before.stderr).toContain('fix: pnpm spec:changeset');
    const write = await specDiff('--write');
    expect(write.code, write.output).toBe(0);
    const after = await specDiff('--check');
    expect(after.code, after.output).toBe(0);
  });

  it('leaves changes only in spec/src and .changeset', () => {
    onlySpecAndChangesetsChanged();
    expect(repo.changedFiles().filter((f) => f.startsWith('.changeset/'))).toEqual([
      expect.stringMatching(/^\.changeset\/spec-[0-9a-f]+\.md$/),
    ]);
  });
});

describe('(b) breaking: a removed response field and a newly required request field', () => {
  beforeAll(() => {
    resetSpec();
    editSchema('Image', (doc) => {
      doc.deleteIn(['properties', 'revised_prompt']);
    });
    removeFromExamples('revised_prompt');
    editSchema('CreateImageRequest', (doc) => {
      (doc.get('required') as YAMLSeq).add('size');
    });
  });

  it('rebuilds the spec, types and client', async () => {
    const r = await build('breakingBuild');
    const status = taskStatus(r.summary);
    expect(status['@imagegen/spec#build'], r.output).toBe('MISS');
    expect(status['@imagegen/types#build'], r.output).toBe('MISS');
    // Everything up to the client builds: the break is in what consumers wrote, which the next test shows.
    expect(r.summary.tasks.find((t) => t.taskId === '@imagegen/client#build')?.execution?.exitCode, r.output).toBe(0);
  });

  it('the generated types lose the field and make the request field required', () => {
    expect(generatedSchema('Image')).not.toContain('revised_prompt');
    expect(generatedSchema('CreateImageRequest')).toMatch(/\n\s+size: /);
  });

  it('code written against the released types no longer compiles, at exactly those two places', async () => {
    const consumer = await compileConsumer({ 'existing.ts': EXISTING_USAGE });
    expect(consumer.code).not.toBe(0);
    const errors = consumer.output.split('\n').filter((l) => /^\S.*: error TS\d+/.test(l));
    expect(errors, consumer.output).toHaveLength(2);
    // Line 6 calls generate({ prompt }) without `size`; line 7 reads `revised_prompt`.
    expect(errors[0]).toMatch(/existing\.ts\(6,\d+\): error TS2769/);
    expect(consumer.output).toContain("Property 'size' is missing");
    expect(errors[1]).toMatch(/existing\.ts\(7,\d+\): error TS2339: Property 'revised_prompt' does not exist/);
  });

  it('computes a major bump and writes a major changeset', async () => {
    const diff = await computedBump();
    expect(diff.bump).toBe('major');
    const breaking = diff.report?.changes.filter((c) => c.kind === 'breaking').map((c) => c.text) ?? [];
    expect(breaking.join('\n')).toContain('revised_prompt');
    expect(breaking.join('\n')).toMatch(/`size`.* became required/);
    expect((await specDiff('--check')).code).toBe(1);
    const write = await specDiff('--write');
    expect(write.code, write.output).toBe(0);
    const file = repo.changedFiles().find((f) => f.startsWith('.changeset/spec-'));
    const text = readFileSync(path.join(repo.dir, file as string), 'utf8');
    for (const pkg of ['spec', 'types', 'client', 'contract']) expect(text).toContain(`"@imagegen/${pkg}": major`);
    expect(text).not.toContain('@imagegen/docs');
  });

  it('leaves changes only in spec/src and .changeset', () => {
    onlySpecAndChangesetsChanged();
  });
});
