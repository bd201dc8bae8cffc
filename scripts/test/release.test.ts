// `pnpm release` against a real npm registry (verdaccio on 127.0.0.1, no uplinks), from a copy of the repo so no
// version bump lands in the real tree. Then the published packages are installed into a fresh project and used
// from ESM, CJS and TypeScript, checked with publint and attw, and a snapshot goes out under a dist-tag.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspacePackages } from '../pending-changesets.js';
import { mirrorToRegistry, thirdPartyClosure } from '../verdaccio/mirror.js';
import { type Registry, startRegistry } from '../verdaccio/registry.js';
import { childEnv, copyWorkspace, ok, run, type WorkspaceCopy } from './workspace-copy.js';

let registry: Registry;
let repo: WorkspaceCopy;
let env: Record<string, string>;
let scratch: string;
let publicPackages: { name: string; dir: string }[];
const timings: Record<string, number> = {};

const npm = (args: string[], cwd = scratch) => ok('npm', args, { cwd, env, timeoutMs: 180_000 });
const npmJson = async <T>(args: string[]): Promise<T> => JSON.parse((await npm([...args, '--json'])).stdout) as T;

function commitChangeset(name: string, releases: Record<string, string>, summary: string): void {
  const head = Object.entries(releases).map(([pkg, bump]) => `"${pkg}": ${bump}`);
  writeFileSync(path.join(repo.dir, '.changeset', name), `---\n${head.join('\n')}\n---\n\n${summary}\n`);
  repo.git('add', '-A');
  repo.git('commit', '--quiet', '-m', `changeset ${name}`);
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'imagegen-release-test-'));
  registry = await startRegistry({ dir: path.join(scratch, 'registry') });
  env = { ...registry.env, npm_config_cache: path.join(scratch, 'npm-cache') };
  repo = await copyWorkspace('release');
  timings.setup = repo.setupMs;
  publicPackages = workspacePackages(repo.dir).filter((p) => !p.private);
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

describe('pnpm release → local registry', () => {
  it('versions, commits, builds and publishes every public package, with git tags', async () => {
    expect(publicPackages.map((p) => p.name).sort()).toEqual([
      '@imagegen/client',
      '@imagegen/contract',
      '@imagegen/spec',
      '@imagegen/types',
    ]);
    commitChangeset(
      'first-release.md',
      Object.fromEntries(publicPackages.map((p) => [p.name, 'minor'])),
      'First release: the OpenAI Images API spec, its generated types, the typed client and the contract suite.',
    );
    const release = await repo.run(repo.bin('tsx'), ['scripts/release.ts'], { env, timeoutMs: 600_000 });
    timings.release = release.ms;
    expect(release.code, release.output).toBe(0);

    for (const { name } of publicPackages) {
      expect(await npmJson<string>(['view', `${name}@0.1.0`, 'version'])).toBe('0.1.0');
      expect(repo.git('tag', '--list', `${name}@0.1.0`).trim()).toBe(`${name}@0.1.0`);
    }
    // The bump is its own commit (tags point at it) and the tree is clean: biome-formatted, nothing left over.
    expect(repo.git('log', '-1', '--format=%s').trim()).toBe('chore(release): version packages');
    expect(repo.git('rev-list', '-n', '1', '@imagegen/client@0.1.0').trim()).toBe(repo.git('rev-parse', 'HEAD').trim());
    expect(repo.changedFiles()).toEqual([]);
    expect(readFileSync(path.join(repo.dir, 'packages', 'client', 'CHANGELOG.md'), 'utf8')).toContain('First release');
    // Published manifests carry real versions, not workspace: ranges.
    const client = await npmJson<{ dependencies: Record<string, string> }>(['view', '@imagegen/client@0.1.0']);
    expect(client.dependencies['@imagegen/types']).toBe('0.1.0');
  });

  describe('a fresh project that installs @imagegen/client from the registry', () => {
    let project: string;
    // A stub fetch answers in-process: the client runs for real without any network.
    const call = `createImagesClient({
  apiKey: 'sk-test',
  baseURL: 'http://127.0.0.1:9/v1',
  fetch: async (request) => {
    seen = request;
    return Response.json({ created: 1787322480, data: [{ b64_json: 'aGVsbG8=' }] });
  },
}).images.generate({ prompt: 'A lighthouse at dusk' })`;
    const report = '({ method: seen.method, url: seen.url, body: await seen.json(), created: res.created, image: res.data[0].b64_json })';
    const expected = {
      method: 'POST',
      url: 'http://127.0.0.1:9/v1/images/generations',
      body: { prompt: 'A lighthouse at dusk' },
      created: 1787322480,
      image: 'aGVsbG8=',
    };

    beforeAll(async () => {
      project = path.join(scratch, 'consumer');
      mkdirSync(project);
      writeFileSync(path.join(project, 'package.json'), '{ "name": "consumer", "version": "1.0.0", "private": true }\n');
      const install = await npm(
        ['install', '@imagegen/client@0.1.0', '@imagegen/types@0.1.0', '--registry', registry.registry, '--no-audit', '--no-fund'],
        project,
      );
      timings.consumerInstall = install.ms;
    });

    it('runs from an ES module', async () => {
      writeFileSync(
        path.join(project, 'esm.mjs'),
        `import { createImagesClient } from '@imagegen/client';\nlet seen;\nconst res = await ${call};\nconsole.log(JSON.stringify(${report}));\n`,
      );
      const r = await ok(process.execPath, ['esm.mjs'], { cwd: project });
      expect(JSON.parse(r.stdout)).toEqual(expected);
    });

    it('runs from a CommonJS module', async () => {
      writeFileSync(
        path.join(project, 'cjs.cjs'),
        `const { createImagesClient } = require('@imagegen/client');\nlet seen;\n(async () => {\n  const res = await ${call};\n  console.log(JSON.stringify(${report}));\n})();\n`,
      );
      const r = await run(process.execPath, ['cjs.cjs'], { cwd: project });
      expect(r.code, r.output).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(expected);
    });

    it('type-checks with tsc (ESM and CJS resolution, the published .d.ts files included)', async () => {
      writeFileSync(
        path.join(project, 'index.ts'),
        `import { createImagesClient, type ImagesResponse } from '@imagegen/client';
import type { CreateImageRequest } from '@imagegen/types';

const body = { prompt: 'A lighthouse at dusk', model: 'gpt-image-1.5', size: '1024x1024' } satisfies CreateImageRequest;
// @ts-expect-error prompt is required
const missingPrompt: CreateImageRequest = { model: 'dall-e-3' };

export async function created(): Promise<number> {
  const res: ImagesResponse = await createImagesClient({ apiKey: 'sk-test' }).images.generate(body);
  return res.created;
}
export { missingPrompt };
`,
      );
      // The same import from a CommonJS module resolves the package's \`require\` types (index.d.cts).
      writeFileSync(
        path.join(project, 'require.cts'),
        `import { createImagesClient } from '@imagegen/client';\nexport const client = createImagesClient({ apiKey: 'sk-test' });\n`,
      );
      writeFileSync(
        path.join(project, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            module: 'nodenext',
            moduleResolution: 'nodenext',
            target: 'es2022',
            lib: ['es2022', 'dom'],
            types: [],
            skipLibCheck: false,
          },
          include: ['index.ts', 'require.cts'],
        }),
      );
      const tsc = await run(repo.bin('tsc'), ['-p', project], { cwd: project });
      expect(tsc.code, tsc.output).toBe(0);
    });
  });

  it('every published tarball passes publint and attw', async () => {
    const bin = (name: string) => path.join(repo.dir, 'packages', 'client', 'node_modules', '.bin', name);
    const tarballs = path.join(scratch, 'tarballs');
    mkdirSync(tarballs);
    for (const { name, dir } of publicPackages) {
      const [packed] = await npmJson<{ filename: string }[]>(['pack', `${name}@0.1.0`, '--pack-destination', tarballs]);
      const tarball = path.join(tarballs, path.basename(packed?.filename ?? ''));
      const publint = await run(bin('publint'), ['run', tarball, '--strict'], { cwd: scratch });
      expect(publint.code, `${name}: ${publint.output}`).toBe(0);
      // Dual packages are checked for ESM and CJS consumers (node16); ESM-only ones as such. attw reports a
      // types-free package (the spec: JSON and YAML only) without failing.
      const manifest = readFileSync(path.join(dir, 'package.json'), 'utf8');
      const profile = manifest.includes('"require"') ? 'node16' : 'esm-only';
      const attw = await run(bin('attw'), [tarball, '--profile', profile], { cwd: scratch });
      expect(attw.code, `${name}: ${attw.output}`).toBe(0);
    }
  });

  it('spec-diff finds the released spec in the registry when the git tag is missing', async () => {
    repo.git('tag', '-d', '@imagegen/spec@0.1.0');
    try {
      const r = await repo.run(repo.bin('tsx'), ['scripts/spec-diff.ts', '--json'], { env, timeoutMs: 120_000 });
      expect(r.code, r.output).toBe(0);
      expect(JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '')).toMatchObject({ base: '@imagegen/spec@0.1.0 (npm)', bump: 'none' });
    } finally {
      repo.git('tag', '@imagegen/spec@0.1.0', '@imagegen/client@0.1.0');
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
    expect(tags.latest).toBe('0.1.0');
    expect(tags['pr-42']).toMatch(/^0\.1\.1-pr-42-\d{14}$/);
    // types is released in lockstep with the client, so it gets the same snapshot version.
    const typesTags = await npmJson<Record<string, string>>(['view', '@imagegen/types', 'dist-tags']);
    expect(typesTags['pr-42']).toBe(tags['pr-42']);

    expect(repo.git('rev-parse', 'HEAD').trim()).toBe(head);
    expect(repo.git('tag', '--list').trim()).toBe(tagsBefore);
    expect(repo.changedFiles()).toEqual([]);
  });
});
