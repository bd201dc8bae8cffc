// spec-diff on small fixture specs, in a scratch repo laid out like this one (spec/, packages/*, .changeset/).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { classifyChange } from '../spec-changes.js';
import { ok, type RunResult, repoRoot, run } from './workspace-copy.js';

const fixtures = path.join(import.meta.dirname, 'fixtures', 'spec-diff');
const fixture = (name: string) => path.join(fixtures, `${name}.yaml`);
const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
const script = path.join(repoRoot, 'scripts', 'spec-diff.ts');
const scratch: string[] = [];

type Report = {
  bump: string;
  base: string | null;
  ok: boolean;
  packages: string[];
  changeset?: string;
  report?: { changes: { kind: string; action: string; group: string; text: string; mediaTypes?: string[]; advice?: string }[] };
};

// spec, three published packages derived from it (types devDepends on spec, client on types, contract on both)
// and a private docs package that must never be bumped.
function scratchRepo(specVersion = '0.1.0'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'imagegen-spec-diff-test-'));
  scratch.push(dir);
  const pkg = (rel: string, manifest: object) => {
    mkdirSync(path.join(dir, rel), { recursive: true });
    writeFileSync(path.join(dir, rel, 'package.json'), JSON.stringify(manifest, null, 2));
  };
  writeFileSync(path.join(dir, 'pnpm-workspace.yaml'), 'packages:\n  - spec\n  - packages/*\n');
  pkg('spec', { name: '@imagegen/spec', version: specVersion });
  pkg('packages/types', { name: '@imagegen/types', version: '0.1.0', devDependencies: { '@imagegen/spec': 'workspace:*' } });
  pkg('packages/client', { name: '@imagegen/client', version: '0.1.0', dependencies: { '@imagegen/types': 'workspace:*' } });
  pkg('packages/contract', {
    name: '@imagegen/contract',
    version: '0.1.0',
    dependencies: { '@imagegen/client': 'workspace:*', '@imagegen/spec': 'workspace:*' },
  });
  pkg('packages/docs', { name: '@imagegen/docs', version: '0.0.0', private: true, devDependencies: { '@imagegen/client': 'workspace:*' } });
  mkdirSync(path.join(dir, '.changeset'));
  cpSync(path.join(repoRoot, '.changeset', 'config.json'), path.join(dir, '.changeset', 'config.json'));
  return dir;
}

function setRevision(dir: string, name: string): void {
  mkdirSync(path.join(dir, 'spec', 'dist'), { recursive: true });
  cpSync(fixture(name), path.join(dir, 'spec', 'dist', 'openapi.yaml'));
}

function specDiff(dir: string, args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return run(tsx, [script, '--root', dir, ...args], { cwd: dir, env, timeoutMs: 120_000 });
}

async function report(dir: string, args: string[]): Promise<Report> {
  const r = await specDiff(dir, [...args, '--json']);
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as Report;
  } catch {
    throw new Error(`no JSON from spec-diff (exit ${r.code}):\n${r.output}`);
  }
}

const generatedChangesets = (dir: string) => readdirSync(path.join(dir, '.changeset')).filter((f) => /^spec-[0-9a-f]+\.md$/.test(f));

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('spec-diff: classification', () => {
  it.each([
    ['request-property-became-required', 3, 'breaking'],
    ['response-optional-property-removed', 2, 'breaking'],
    ['response-property-enum-value-added', 2, 'additive'],
    ['new-optional-request-property', 1, 'additive'],
    // INFO for oasdiff (the server falls back to the default), but the generated request type loses its `?`.
    ['request-property-became-required-with-default', 1, 'breaking'],
    ['api-schema-removed', 1, 'breaking'],
    ['api-tag-added', 1, 'docs'],
  ])('oasdiff %s (level %i) is %s', (id, level, kind) => {
    expect(classifyChange({ id, level, text: '' })).toBe(kind);
  });

  it.each([
    ['additive', 'minor'],
    ['breaking', 'major'],
    ['docs', 'patch'],
    ['base', 'none'],
  ])('%s changes → %s', async (name, bump) => {
    const dir = scratchRepo();
    setRevision(dir, name);
    const r = await report(dir, ['--base', fixture('base')]);
    expect(r.bump).toBe(bump);
    expect(r.packages).toEqual(['@imagegen/spec', '@imagegen/client', '@imagegen/contract', '@imagegen/types']);
  });

  it('names each change under its operation, as added / removed / deprecated / changed, with what to do when it breaks', async () => {
    const dir = scratchRepo();
    setRevision(dir, 'breaking');
    const breaking = (await report(dir, ['--base', fixture('base')])).report?.changes ?? [];
    expect(breaking).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'breaking',
          action: 'Removed',
          group: 'POST /images/generations createImage',
          text: 'optional property `data[].revised_prompt` from the 200 response',
          advice: 'stop reading `data[].revised_prompt` from the response',
        }),
        expect.objectContaining({
          kind: 'breaking',
          action: 'Changed',
          group: 'POST /images/generations createImage',
          text: expect.stringContaining('`model` became required'),
          advice: 'send `model` in every request',
        }),
        // The client method comes from the removed operation's `x-imagegen-method` in the base spec.
        expect.objectContaining({
          kind: 'breaking',
          action: 'Removed',
          group: 'POST /images/variations createImageVariation',
          text: 'the operation',
          advice: 'stop calling `images.createVariation`',
        }),
      ]),
    );
    setRevision(dir, 'additive');
    const additive = (await report(dir, ['--base', fixture('base')])).report?.changes ?? [];
    expect(new Set(additive.map((c) => c.kind))).toEqual(new Set(['additive']));
    expect(additive.map((c) => c.text).join('\n')).toMatch(/`avif`[\s\S]*`seed`|`seed`[\s\S]*`avif`/);
    expect(additive).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'Deprecated', text: 'request property `prompt`' })]),
    );
    setRevision(dir, 'docs');
    const docs = (await report(dir, ['--base', fixture('base')])).report?.changes ?? [];
    expect(docs.map((c) => c.text).sort()).toEqual(['description of request body property `prompt`', 'description of the operation']);
  });

  it('says a change once, not once per media type, and names fields by their path in the request', async () => {
    const dir = scratchRepo();
    setRevision(dir, 'additive');
    const edit = ((await report(dir, ['--base', fixture('base')])).report?.changes ?? []).filter(
      (c) => c.group === 'POST /images/edits createImageEdit',
    );
    const texts = edit.map((c) => c.text);
    expect(texts).toEqual([...new Set(texts)]);
    // Both edit media types got `gif`: one change, both media types named in the JSON report, neither in the text.
    const gif = edit.filter((c) => c.text.includes('`gif`'));
    expect(gif).toHaveLength(1);
    expect(gif[0]?.mediaTypes?.sort()).toEqual(['application/json', 'multipart/form-data']);
    expect(gif[0]?.text).toBe('`gif` enum value to the request property `output_format`');
    // anyOf branches and nested objects: the field's path, not oasdiff's schema path.
    expect(texts).toContain('`gpt-image-2.5-flare` enum value to the request property `model`');
    expect(texts).toContain('`max` enum value to the request property `svg.reasoning.effort`');
    expect(texts.join('\n')).not.toMatch(/subschema|media type:|\/reasoning\//);
    // A change to one media type only says which.
    expect(texts).toContain('optional request property `markup` (multipart/form-data only)');
  });

  it('puts breaking changes first, each with what to do, then the rest by operation', async () => {
    const dir = scratchRepo();
    setRevision(dir, 'breaking');
    await ok(tsx, [script, '--root', dir, '--base', fixture('base'), '--write'], { cwd: dir });
    const [name] = generatedChangesets(dir);
    const body = readFileSync(path.join(dir, '.changeset', name as string), 'utf8').split('\n---\n')[1] ?? '';
    const bullets = body.split('\n').filter((l) => l.startsWith('- '));
    expect(bullets[0]).toBe(
      '- `POST /images/variations` (`createImageVariation`): removed the operation — stop calling `images.createVariation`',
    );
    expect(bullets).toContain(
      '- `POST /images/edits` (`createImageEdit`): removed enum value `webp` of the request property `output_format` — stop sending `webp` as `output_format`',
    );
    expect(bullets.filter((l) => l.includes('`webp`'))).toHaveLength(1);
    // The headline, then the breaking section before any bullet.
    expect(body.trim().split('\n')[2]).toMatch(/^Breaking — /);
  });
});

describe('spec-diff --write / --check', () => {
  let dir: string;
  beforeEach(() => {
    dir = scratchRepo();
    setRevision(dir, 'additive');
  });

  it('--check fails without a changeset and prints the fix command; --write writes one that satisfies it', async () => {
    const before = await specDiff(dir, ['--base', fixture('base'), '--check']);
    expect(before.code).toBe(1);
    expect(before.stderr).toContain('needs a minor bump');
    expect(before.stderr.trim().split('\n').at(-1)).toBe('fix: pnpm spec:changeset');

    const write = await specDiff(dir, ['--base', fixture('base'), '--write']);
    expect(write.code, write.output).toBe(0);
    const [name] = generatedChangesets(dir);
    expect(name).toBeDefined();
    const text = readFileSync(path.join(dir, '.changeset', name as string), 'utf8');
    expect(text).toMatch(
      /^---\n"@imagegen\/spec": minor\n"@imagegen\/client": minor\n"@imagegen\/contract": minor\n"@imagegen\/types": minor\n---\n/,
    );
    expect(text).not.toContain('@imagegen/docs');
    expect(text).toContain('- `POST /images/generations` (`createImage`)');
    expect(text).toContain('  - Added: optional request property `seed`');

    const after = await specDiff(dir, ['--base', fixture('base'), '--check']);
    expect(after.code, after.output).toBe(0);
    expect(after.stdout).toContain('ok');
  });

  it('--write is idempotent and replaces an older generated changeset', async () => {
    await ok(tsx, [script, '--root', dir, '--base', fixture('base'), '--write'], { cwd: dir });
    await ok(tsx, [script, '--root', dir, '--base', fixture('base'), '--write'], { cwd: dir });
    const first = generatedChangesets(dir);
    expect(first).toHaveLength(1);
    setRevision(dir, 'breaking');
    await ok(tsx, [script, '--root', dir, '--base', fixture('base'), '--write'], { cwd: dir });
    const second = generatedChangesets(dir);
    expect(second).toHaveLength(1);
    expect(second).not.toEqual(first);
    expect(readFileSync(path.join(dir, '.changeset', second[0] as string), 'utf8')).toContain('"@imagegen/types": major');
    // Back to the released spec: the generated changeset is stale and goes away.
    setRevision(dir, 'base');
    await ok(tsx, [script, '--root', dir, '--base', fixture('base'), '--write'], { cwd: dir });
    expect(generatedChangesets(dir)).toEqual([]);
  });

  it('--check counts hand-written changesets and fixed groups, and fails when they bump too little', async () => {
    const changeset = (name: string, body: string) =>
      writeFileSync(path.join(dir, '.changeset', name), `---\n${body}\n---\n\nHand-written.\n`);
    changeset('tiny.md', '"@imagegen/spec": patch\n"@imagegen/types": patch\n"@imagegen/contract": patch');
    const short = await specDiff(dir, ['--base', fixture('base'), '--check']);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('@imagegen/spec patch');
    expect(short.stderr).toContain('fix: pnpm spec:changeset');
    // client is not named, but it is in a fixed group with types, so types' minor covers it.
    changeset('feature.md', '"@imagegen/spec": minor\n"@imagegen/types": minor\n"@imagegen/contract": major');
    const enough = await specDiff(dir, ['--base', fixture('base'), '--check']);
    expect(enough.code, enough.output).toBe(0);
  });
});

/** A scratch repo whose spec (the base fixture) was released as 0.1.0: committed and tagged `@imagegen/spec@0.1.0`. */
async function releasedRepo(): Promise<string> {
  const dir = scratchRepo('0.1.0');
  mkdirSync(path.join(dir, 'spec', 'src'), { recursive: true });
  cpSync(fixture('base'), path.join(dir, 'spec', 'src', 'openapi.yaml'));
  const git = (...args: string[]) => ok('git', args, { cwd: dir });
  await git('init', '--quiet', '--initial-branch=main');
  await git('add', '-A');
  await git('commit', '--quiet', '-m', 'release 0.1.0');
  await git('tag', '@imagegen/spec@0.1.0');
  return dir;
}

describe('spec-diff: where the base comes from', () => {
  it('bundles spec/src from the git tag of the current spec version', async () => {
    const dir = await releasedRepo();
    setRevision(dir, 'breaking');
    const r = await report(dir, []);
    expect(r.base).toBe('@imagegen/spec@0.1.0');
    expect(r.bump).toBe('major');
  });

  it('after `changeset version` but before publishing, compares with the last release and counts the applied bump', async () => {
    const dir = await releasedRepo();
    setRevision(dir, 'additive');
    const setVersions = (version: string) => {
      for (const rel of ['spec', 'packages/types', 'packages/client', 'packages/contract']) {
        const file = path.join(dir, rel, 'package.json');
        writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), version }, null, 2));
      }
    };
    setVersions('0.2.0');
    const enough = await specDiff(dir, ['--check']);
    expect(enough.code, enough.output).toBe(0);
    expect(enough.stdout).toContain('@imagegen/spec@0.1.0');
    setVersions('0.1.1');
    const short = await specDiff(dir, ['--check']);
    expect(short.code, short.output).toBe(1);
    expect(short.stderr).toContain('needs a minor bump');
  });

  it('treats a never-released spec (0.0.0, no tag) as nothing to compare', async () => {
    const dir = scratchRepo('0.0.0');
    await ok('git', ['init', '--quiet'], { cwd: dir });
    setRevision(dir, 'additive');
    const r = await specDiff(dir, ['--check']);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toContain('has not been released yet');
  });
});

describe('spec-diff: bad input → one line, non-zero exit', () => {
  const oneLine = (r: RunResult) => {
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^spec-diff: /);
    return lines[0] as string;
  };

  it('a missing --base file', async () => {
    const dir = scratchRepo();
    setRevision(dir, 'additive');
    expect(oneLine(await specDiff(dir, ['--base', path.join(dir, 'nope.yaml')]))).toContain('nope.yaml does not exist');
  });

  it('no tag and an unreachable registry', async () => {
    const dir = scratchRepo('0.3.0');
    await ok('git', ['init', '--quiet'], { cwd: dir });
    setRevision(dir, 'additive');
    const env = {
      npm_config_registry: 'http://127.0.0.1:9/',
      npm_config_fetch_retries: '0',
      npm_config_fetch_timeout: '5000',
      npm_config_cache: path.join(dir, '.npm'),
    };
    const line = oneLine(await specDiff(dir, ['--check'], env));
    expect(line).toContain('no base spec');
    expect(line).toContain('--base <file>');
  });

  it('a spec oasdiff cannot read', async () => {
    const dir = scratchRepo();
    mkdirSync(path.join(dir, 'spec', 'dist'), { recursive: true });
    writeFileSync(path.join(dir, 'spec', 'dist', 'openapi.yaml'), 'openapi: [3.1.0\n');
    expect(oneLine(await specDiff(dir, ['--base', fixture('base')]))).toMatch(/oasdiff \w+ failed/);
  });

  it('--help prints the usage and exits 0', async () => {
    const dir = scratchRepo();
    const r = await specDiff(dir, ['--help']);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/^usage: pnpm spec:diff/);
    expect(r.stdout).toContain('--write');
  });

  it('a missing merged spec, an unknown flag, --write with --check', async () => {
    const dir = scratchRepo();
    expect(oneLine(await specDiff(dir, ['--base', fixture('base')]))).toContain('build the spec first');
    setRevision(dir, 'base');
    expect(oneLine(await specDiff(dir, ['--frobnicate']))).toContain("Unknown option '--frobnicate'");
    expect(oneLine(await specDiff(dir, ['--write', '--check']))).toContain('either --write or --check');
    expect(existsSync(path.join(dir, '.changeset', 'config.json'))).toBe(true);
  });
});
