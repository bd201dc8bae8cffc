// `pnpm release` against a real npm registry (verdaccio on 127.0.0.1, no uplinks), from a copy of the repo so no
// version bump lands in the real tree. Then the published packages are installed into a fresh project and used
// from ESM, CJS and TypeScript, checked with publint and attw, and a snapshot goes out under a dist-tag.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerSource, consumerTsconfig, type JsonExample, jsonExample } from '../packed-consumer.js';
import { readChangesetConfig, workspacePackages } from '../pending-changesets.js';
import { mirrorToRegistry, thirdPartyClosure } from '../verdaccio/mirror.js';
import { type Registry, startRegistry } from '../verdaccio/registry.js';
import { childEnv, copyWorkspace, ok, run, type TurboSummary, type WorkspaceCopy } from './workspace-copy.js';

let registry: Registry;
let repo: WorkspaceCopy;
let env: Record<string, string>;
let scratch: string;
let publicPackages: { name: string; dir: string; version: string }[];
const timings: Record<string, number> = {};

type Level = 'major' | 'minor' | 'patch';

/** `version` bumped by `level` (prerelease dropped), as changesets computes it. */
function bumped(version: string, level: Level): string {
  const [major = 0, minor = 0, patch = 0] = (version.split('-')[0] ?? '').split('.').map(Number);
  if (level === 'major') return `${major + 1}.0.0`;
  if (level === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

/** The version a release gives `name` when every public package is bumped by `level` (a `fixed` group moves together). */
function releasedVersion(name: string, level: Level): string {
  const group = readChangesetConfig(repo.dir).fixed?.find((g) => g.includes(name)) ?? [name];
  const versions = publicPackages.filter((p) => group.includes(p.name)).map((p) => p.version);
  const highest = versions.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1) ?? '0.0.0';
  return bumped(highest, level);
}

const npm = (args: string[], cwd = scratch) => ok('npm', args, { cwd, env, timeoutMs: 180_000 });
const npmJson = async <T>(args: string[]): Promise<T> => JSON.parse((await npm([...args, '--json'])).stdout) as T;

/** The turbo run summaries (`--summarize`, as the gate runs turbo) in the copy, by file name. */
const runsDir = () => path.join(repo.dir, '.turbo', 'runs');
const runSummaries = () => (existsSync(runsDir()) ? readdirSync(runsDir()).filter((f) => f.endsWith('.json')) : []);
const readRunSummary = (file: string) => JSON.parse(readFileSync(path.join(runsDir(), file), 'utf8')) as TurboSummary;

function commitChangeset(name: string, releases: Record<string, string>, summary: string): void {
  const head = Object.entries(releases).map(([pkg, bump]) => `"${pkg}": ${bump}`);
  writeFileSync(path.join(repo.dir, '.changeset', name), `---\n${head.join('\n')}\n---\n\n${summary}\n`);
  repo.git('add', '-A');
  repo.git('commit', '--quiet', '-m', `changeset ${name}`);
}

/**
 * In the copy, each public package's `test` script becomes a no-op that says so, committed. What is under test here
 * is release.ts: the order of its steps, the one-line refusal, versions, tags, the registry. The packages' own test
 * suites run in `pnpm test` on this very tree; running them again inside every gate of this file (three times) made
 * it the longest task of `pnpm test` by far. The quick checks (build, lint, check:exports, typecheck) stay real: the
 * refusal below comes from a real type error.
 */
function stubTestScripts(dirs: string[]): void {
  for (const dir of dirs) {
    const file = path.join(dir, 'package.json');
    const text = readFileSync(file, 'utf8');
    const stubbed = text.replace(
      /^(\s*"test": )"[^"\n]*"/m,
      '$1"node -e \\"console.log(\'release test: the suite runs in pnpm test\')\\""',
    );
    if (stubbed === text) throw new Error(`${file}: no "test" script to stand in for`);
    writeFileSync(file, stubbed);
  }
  repo.git('add', '-A');
  repo.git('commit', '--quiet', '-m', 'release test: package tests stand in (they run in pnpm test)');
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'imagegen-release-test-'));
  registry = await startRegistry({ dir: path.join(scratch, 'registry') });
  env = { ...registry.env, npm_config_cache: path.join(scratch, 'npm-cache') };
  repo = await copyWorkspace('release');
  timings.setup = repo.setupMs;
  publicPackages = workspacePackages(repo.dir).filter((p) => !p.private);
  stubTestScripts(publicPackages.map((p) => p.dir));
  // The copy starts as its own released state: every public package already on a version has its release tag, so
  // the release compares the spec with it (as after a real release) and bumps from there.
  for (const { name, version } of publicPackages) if (version !== '0.0.0') repo.git('tag', `${name}@${version}`);
  // The registry has no uplinks: give it the client's third-party dependencies (openapi-fetch and what it needs),
  // taken from the installed node_modules, so `npm install @imagegen/client` resolves offline.
  const mirrorStart = Date.now();
  const mirrored = mirrorToRegistry(thirdPartyClosure([path.join(repo.dir, 'packages', 'client')]), childEnv(env));
  timings.mirror = Date.now() - mirrorStart;
  expect(mirrored.some((p) => p.startsWith('openapi-fetch@'))).toBe(true);
});

afterAll(async () => {
  console.log(`release timings (ms): ${JSON.stringify(timings)}`);
  await registry?.stop();
  repo?.remove();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('pnpm release: usage', () => {
  it('--help prints the usage and exits 0; an unknown option is one line and exit 2', async () => {
    const help = await repo.run(repo.bin('tsx'), ['scripts/release.ts', '--help'], { env });
    expect(help.code, help.output).toBe(0);
    expect(help.stdout).toMatch(/^usage: pnpm release/);
    const typo = await repo.run(repo.bin('tsx'), ['scripts/release.ts', '--snapshto', 'pr-1'], { env });
    expect(typo.code).toBe(2);
    expect(typo.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^release: Unknown option '--snapshto'/)]);
  });
});

describe('pnpm release → local registry', () => {
  // The pending release: every public package gets a minor bump. The first test is refused with it, the next releases it.
  beforeAll(() => {
    commitChangeset(
      'release.md',
      Object.fromEntries(publicPackages.map((p) => [p.name, 'minor'])),
      'A release: the OpenAI Images API spec, its generated types, the typed client and the contract suite.',
    );
  });

  it('refuses to publish a tree that does not type-check: one line naming the task, nothing versioned or published', async () => {
    // In a file typecheck reads and the build does not (turbo's build inputs leave test/ out), under the pending
    // changeset the next test releases: the refused gate's passing tasks (every build among them) are then the next
    // gate's turbo cache hits, as for a maintainer who fixes a type error and runs the release again.
    const broken = path.join('packages', 'client', 'test', 'release-gate-type-error.ts');
    writeFileSync(path.join(repo.dir, broken), "export const count: number = 'not a number';\n");
    repo.git('add', '-A');
    repo.git('commit', '--quiet', '-m', 'a type error the build does not see');
    const head = repo.git('rev-parse', 'HEAD').trim();
    try {
      const refused = await repo.run(repo.bin('tsx'), ['scripts/release.ts'], { env, timeoutMs: 600_000 });
      timings.refused = refused.ms;
      expect(refused.code, refused.output).toBe(1);
      // One line, naming the type-check first (a test that fails on the same tree is listed after it).
      const lines = refused.stderr.trim().split('\n');
      expect(lines, refused.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^release: refused: @imagegen\/client#typecheck failed \(run: pnpm turbo run typecheck --filter @imagegen\/client\)(; also failed: .*)?$/,
      );
      expect(repo.git('rev-parse', 'HEAD').trim()).toBe(head);
      expect(repo.changedFiles()).toEqual([]);
      for (const { name } of publicPackages) {
        const view = await run('npm', ['view', name, 'versions', '--json'], { cwd: scratch, env });
        expect(view.code, `${name} must not be on the registry: ${view.output}`).not.toBe(0);
      }
    } finally {
      repo.git('rm', '--quiet', broken);
      repo.git('commit', '--quiet', '-m', 'fix the type error');
    }
  });

  it('versions, commits, builds and publishes every public package, with git tags', async () => {
    // Every package pnpm counts in the workspace whose package.json is not private, read independently of release.ts.
    const listed = await run('pnpm', ['ls', '--recursive', '--json', '--depth', '-1'], { cwd: repo.dir });
    const published = (JSON.parse(listed.stdout) as { path: string }[])
      .map(({ path: dir }) => JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; private?: boolean })
      .filter((manifest) => !manifest.private)
      .map((manifest) => manifest.name);
    expect(published.length).toBeGreaterThan(0);
    expect(publicPackages.map((p) => p.name).sort()).toEqual(published.sort());
    const runsBefore = runSummaries();
    const release = await repo.run(repo.bin('tsx'), ['scripts/release.ts'], { env, timeoutMs: 600_000 });
    timings.release = release.ms;
    expect(release.code, release.output).toBe(0);
    // The gate ran on the same versioned tree as the refused one but for the type error: turbo replayed the builds.
    const gateTasks = runSummaries()
      .filter((f) => !runsBefore.includes(f))
      .flatMap((f) => readRunSummary(f).tasks);
    const all = new Set(gateTasks.map((t) => t.taskId));
    const replayed = [...new Set(gateTasks.filter((t) => t.cache.status === 'HIT').map((t) => t.taskId))].sort();
    console.log(`release gate: ${replayed.length} of ${all.size} tasks replayed from the refused run: ${replayed.join(', ')}`);
    expect(replayed).toContain('@imagegen/client#build');

    for (const { name } of publicPackages) {
      const version = releasedVersion(name, 'minor');
      expect(await npmJson<string>(['view', `${name}@${version}`, 'version'])).toBe(version);
      expect(repo.git('tag', '--list', `${name}@${version}`).trim()).toBe(`${name}@${version}`);
    }
    // The bump is its own commit (tags point at it) and the tree is clean: biome-formatted, nothing left over.
    const clientVersion = releasedVersion('@imagegen/client', 'minor');
    expect(repo.git('log', '-1', '--format=%s').trim()).toBe('chore(release): version packages');
    expect(repo.git('rev-list', '-n', '1', `@imagegen/client@${clientVersion}`).trim()).toBe(repo.git('rev-parse', 'HEAD').trim());
    expect(repo.changedFiles()).toEqual([]);
    expect(readFileSync(path.join(repo.dir, 'packages', 'client', 'CHANGELOG.md'), 'utf8')).toContain('A release: the OpenAI Images API');
    // Published manifests carry real versions, not workspace: ranges.
    const client = await npmJson<{ dependencies: Record<string, string> }>(['view', `@imagegen/client@${clientVersion}`]);
    expect(client.dependencies['@imagegen/types']).toBe(releasedVersion('@imagegen/types', 'minor'));
  });

  describe('a fresh project that installs @imagegen/client from the registry', () => {
    let project: string;
    let example: JsonExample;
    // A stub fetch answers in-process with the spec's response example: the client runs for real without any network.
    const call = () => `rawClient(
  createImagesClient({
    apiKey: 'sk-test',
    baseURL: 'http://127.0.0.1:9/v1',
    fetch: async (request) => {
      seen = request;
      return Response.json(${JSON.stringify(example.response)});
    },
  }),
).POST(${JSON.stringify(example.path)}, { body: ${JSON.stringify(example.body)} })`;
    const report = '({ method: seen.method, url: seen.url, body: await seen.json(), data: res.data })';
    const expected = () => ({
      method: 'POST',
      url: `http://127.0.0.1:9/v1${example.path}`,
      body: example.body,
      data: example.response,
    });

    beforeAll(async () => {
      example = jsonExample(JSON.parse(readFileSync(path.join(repo.dir, 'spec', 'dist', 'openapi.json'), 'utf8')));
      project = path.join(scratch, 'consumer');
      mkdirSync(project);
      writeFileSync(path.join(project, 'package.json'), '{ "name": "consumer", "version": "1.0.0", "private": true }\n');
      const versions = ['@imagegen/client', '@imagegen/types'].map((name) => `${name}@${releasedVersion(name, 'minor')}`);
      const install = await npm(['install', ...versions, '--registry', registry.registry, '--no-audit', '--no-fund'], project);
      timings.consumerInstall = install.ms;
    });

    it('runs from an ES module', async () => {
      writeFileSync(
        path.join(project, 'esm.mjs'),
        `import { createImagesClient, rawClient } from '@imagegen/client';\nlet seen;\nconst res = await ${call()};\nconsole.log(JSON.stringify(${report}));\n`,
      );
      const r = await ok(process.execPath, ['esm.mjs'], { cwd: project });
      expect(JSON.parse(r.stdout)).toEqual(expected());
    });

    it('runs from a CommonJS module', async () => {
      writeFileSync(
        path.join(project, 'cjs.cjs'),
        `const { createImagesClient, rawClient } = require('@imagegen/client');\nlet seen;\n(async () => {\n  const res = await ${call()};\n  console.log(JSON.stringify(${report}));\n})();\n`,
      );
      const r = await run(process.execPath, ['cjs.cjs'], { cwd: project });
      expect(r.code, r.output).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(expected());
    });

    it('type-checks with tsc (ESM and CJS resolution, the published .d.ts files included)', async () => {
      // What the release gate compiles against the packed tarballs, here against the packages from the registry.
      const installed = publicPackages.filter((p) => ['@imagegen/client', '@imagegen/types'].includes(p.name));
      writeFileSync(path.join(project, 'index.ts'), consumerSource(installed, example));
      // The same import from a CommonJS module resolves the package's \`require\` types (index.d.cts).
      writeFileSync(
        path.join(project, 'require.cts'),
        `import { createImagesClient } from '@imagegen/client';\nexport const client = createImagesClient({ apiKey: 'sk-test' });\n`,
      );
      writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify(consumerTsconfig(repo.dir, ['index.ts', 'require.cts'])));
      const tsc = await run(repo.bin('tsc'), ['-p', project], { cwd: project });
      expect(tsc.code, tsc.output).toBe(0);
    });
  });

  it('every published tarball passes publint and attw', async () => {
    const bin = (name: string) => path.join(repo.dir, 'packages', 'client', 'node_modules', '.bin', name);
    const tarballs = path.join(scratch, 'tarballs');
    mkdirSync(tarballs);
    for (const { name, dir } of publicPackages) {
      const version = releasedVersion(name, 'minor');
      const [packed] = await npmJson<{ filename: string }[]>(['pack', `${name}@${version}`, '--pack-destination', tarballs]);
      const tarball = path.join(tarballs, path.basename(packed?.filename ?? ''));
      const publint = await run(bin('publint'), ['run', tarball, '--strict'], { cwd: scratch });
      expect(publint.code, `${name}: ${publint.output}`).toBe(0);
      // Dual packages are checked for ESM and CJS consumers (node16); ESM-only ones as such. attw reports a
      // types-free package (the spec: JSON and YAML only) without failing.
      const manifest = readFileSync(path.join(dir, 'package.json'), 'utf8');
      const profile = manifest.includes('"require"') ? 'node16' : 'esm-only';
      // A subpath that exports a YAML file has nothing for attw to resolve: it is left out, read from the manifest.
      const exportsMap = (JSON.parse(manifest) as { exports?: Record<string, unknown> }).exports ?? {};
      const yaml = Object.entries(exportsMap).flatMap(([key, target]) =>
        typeof target === 'string' && /\.ya?ml$/.test(target) ? [key] : [],
      );
      const attw = await run(bin('attw'), [tarball, '--profile', profile, ...(yaml.length ? ['--exclude-entrypoints', ...yaml] : [])], {
        cwd: scratch,
      });
      expect(attw.code, `${name}: ${attw.output}`).toBe(0);
    }
  });

  it('spec-diff finds the released spec in the registry when the git tag is missing', async () => {
    // As in a clone without tags: every spec release tag is gone, so only the registry knows the released spec.
    const spec = `@imagegen/spec@${releasedVersion('@imagegen/spec', 'minor')}`;
    const specTags = repo.git('tag', '--list', '@imagegen/spec@*').trim().split('\n').filter(Boolean);
    const tagged = new Map(specTags.map((t) => [t, repo.git('rev-list', '-n', '1', t).trim()]));
    repo.git('tag', '-d', ...specTags);
    try {
      const r = await repo.run(repo.bin('tsx'), ['scripts/spec-diff.ts', '--json'], { env, timeoutMs: 120_000 });
      expect(r.code, r.output).toBe(0);
      expect(JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '')).toMatchObject({ base: `${spec} (npm)`, bump: 'none' });
    } finally {
      for (const [tag, commit] of tagged) repo.git('tag', tag, commit);
    }
  });

  it('a snapshot release publishes under a dist-tag and leaves the tree as it was', async () => {
    commitChangeset('snapshot-fix.md', { '@imagegen/client': 'patch' }, 'Snapshot test: a client fix.');
    const head = repo.git('rev-parse', 'HEAD').trim();
    const tagsBefore = repo.git('tag', '--list').trim();
    const snapshot = await repo.run(repo.bin('tsx'), ['scripts/release.ts', '--snapshot', 'pr-42'], { env, timeoutMs: 600_000 });
    timings.snapshot = snapshot.ms;
    expect(snapshot.code, snapshot.output).toBe(0);

    const tags = await npmJson<Record<string, string>>(['view', '@imagegen/client', 'dist-tags']);
    const latest = releasedVersion('@imagegen/client', 'minor');
    expect(tags.latest).toBe(latest);
    expect(tags['pr-42']).toMatch(new RegExp(`^${bumped(latest, 'patch').replaceAll('.', '\\.')}-pr-42-\\d{14}$`));
    // types is released in lockstep with the client, so it gets the same snapshot version.
    const typesTags = await npmJson<Record<string, string>>(['view', '@imagegen/types', 'dist-tags']);
    expect(typesTags['pr-42']).toBe(tags['pr-42']);

    expect(repo.git('rev-parse', 'HEAD').trim()).toBe(head);
    expect(repo.git('tag', '--list').trim()).toBe(tagsBefore);
    expect(repo.changedFiles()).toEqual([]);
  });
});
