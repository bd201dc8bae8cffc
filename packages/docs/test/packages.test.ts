// The published packages as an npm consumer gets them: each packed tarball holds LICENSE and README, and a fresh
// project that installs the tarballs can run `npx imagegen-contract --help` (and the mock's) and import
// '@imagegen/spec' as a module. publint and attw are each package's own `check:exports` task (and the release test
// runs them on the published tarballs), not repeated here.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLISHED_DIRS, repoRoot } from '../scripts/site.js';
import { loadSpec } from '../scripts/spec.js';

const require = createRequire(import.meta.url);

const work = mkdtempSync(path.join(tmpdir(), 'imagegen-consumer-'));
const tarballs = path.join(work, 'tgz');
const consumer = path.join(work, 'app');

interface Pkg {
  dir: string;
  name: string;
  type: string | undefined;
  hasRequire: boolean;
}
const packages: Pkg[] = PUBLISHED_DIRS.map((dir) => {
  const pkg = require(path.join(repoRoot, dir, 'package.json')) as { name: string; type?: string; exports?: Record<string, unknown> };
  const root = pkg.exports?.['.'];
  return { dir, name: pkg.name, type: pkg.type, hasRequire: typeof root === 'object' && root !== null && 'require' in root };
});

const run = (cmd: string, args: string[], cwd: string) =>
  spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

beforeAll(() => {
  mkdirSync(tarballs);
  mkdirSync(consumer);
  // pnpm pack turns `workspace:*` dependencies into the versions an npm consumer installs.
  for (const p of packages)
    execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: path.join(repoRoot, p.dir), stdio: 'ignore' });
  writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const files = readdirSync(tarballs).map((f) => `./${path.join('..', 'tgz', f)}`);
  const install = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...files], consumer);
  if (install.status !== 0) throw new Error(`npm install of the tarballs failed:\n${install.stderr}`);
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('packed packages', () => {
  it.each(packages.map((p) => [p.name, p] as const))('%s: the tarball holds LICENSE and README.md', (_name, p) => {
    const tarball = readdirSync(tarballs).find((f) => f.startsWith(`${p.name.replace('@', '').replace('/', '-')}-`));
    expect(tarball).toBeDefined();
    const listing = execFileSync('tar', ['-tzf', path.join(tarballs, tarball ?? '')], { encoding: 'utf8' }).split('\n');
    expect(listing).toEqual(expect.arrayContaining(['package/LICENSE', 'package/README.md', 'package/package.json']));
  });

  it('a fresh consumer runs npx imagegen-contract --help', () => {
    const help = run('npx', ['--no-install', 'imagegen-contract', '--help'], consumer);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: imagegen-contract/);
  });

  it('a fresh consumer runs npx imagegen-mock --help', () => {
    const help = run('npx', ['--no-install', 'imagegen-mock', '--help'], consumer);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: imagegen-mock/m);
  });

  it("a fresh consumer imports '@imagegen/spec': the merged spec as default export, and its file paths", () => {
    const script =
      "import('@imagegen/spec').then(m => console.log(JSON.stringify({ paths: Object.keys(m.default.paths), json: m.jsonPath, yaml: m.yamlPath })))";
    const out = run(process.execPath, ['-e', script], consumer);
    expect(out.status, out.stderr).toBe(0);
    const result = JSON.parse(out.stdout) as { paths: string[]; json: string; yaml: string };
    expect(result.paths).toEqual(Object.keys(loadSpec().paths as object));
    expect(result.json).toBe(path.join(consumer, 'node_modules', '@imagegen', 'spec', 'dist', 'openapi.json'));
    expect(result.yaml).toMatch(/openapi\.yaml$/);
  });
});
