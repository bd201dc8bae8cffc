// `pnpm release`: version the packages from the pending changesets, build and check them, publish what is new.
//
//   tsx scripts/release.ts                    changeset version → commit → build + lint → changeset publish (+ git tags)
//   tsx scripts/release.ts --snapshot <tag>   changeset version --snapshot <tag> → build + lint →
//                                             changeset publish --tag <tag> --no-git-tag, then restore the tree
//
// It publishes to the registry npm is configured for (npm_config_registry / .npmrc). Start from a clean, committed
// tree: the version bump becomes its own commit, so the `<name>@<version>` tags point at the released code.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { workspacePackages } from './pending-changesets.js';

const root = path.resolve(import.meta.dirname, '..');
const bin = (dir: string, name: string) => path.join(root, dir, 'node_modules', '.bin', name);
const turbo = bin('.', 'turbo');
const changeset = bin('scripts', 'changeset');
const biome = bin('.', 'biome');
const tsx = bin('.', 'tsx');

class ReleaseError extends Error {}

function step(title: string, command: string, args: string[]): void {
  console.log(`\nrelease: ${title}\n$ ${[path.relative(root, command) || command, ...args].join(' ')}`);
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) throw new ReleaseError(`${title} failed (exit ${r.status ?? r.signal}); nothing after it ran`);
}

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// `git status --porcelain` entries as [status, path].
function status(): [string, string][] {
  return git(['status', '--porcelain', '--untracked-files=all'])
    .split('\n')
    .filter(Boolean)
    .map((line) => [line.slice(0, 2), line.slice(3)]);
}

function main(): void {
  const { values } = parseArgs({ options: { snapshot: { type: 'string' } }, strict: true });
  const snapshot = values.snapshot;
  if (snapshot !== undefined && !/^[a-z][a-z0-9-]*$/.test(snapshot))
    throw new ReleaseError(`--snapshot needs a dist-tag name like "pr-123", got "${snapshot}"`);

  if (status().length > 0) {
    throw new ReleaseError(
      'the working tree has uncommitted changes; commit or stash them first (a release commits the version bump, a snapshot restores the tree)',
    );
  }
  const publicPackages = workspacePackages(root).filter((p) => !p.private);
  const filters = publicPackages.flatMap((p) => ['--filter', p.name]);

  if (snapshot === undefined) {
    step('build the spec', turbo, ['run', 'build', '--filter', '@imagegen/spec', '--output-logs', 'errors-only']);
    step('check that the pending changesets cover the spec changes', tsx, [path.join('scripts', 'spec-diff.ts'), '--check']);
  }

  step(
    snapshot ? `version snapshot "${snapshot}"` : 'version packages',
    changeset,
    snapshot ? ['version', '--snapshot', snapshot] : ['version'],
  );
  const touched = status();
  const touchedFiles = touched.map(([, f]) => f).filter((f) => existsSync(path.join(root, f)));
  try {
    // changesets rewrites package.json with its own layout; keep the files the way `biome ci` wants them.
    if (touchedFiles.length > 0) {
      step('format the versioned files', biome, [
        'format',
        '--write',
        '--files-ignore-unknown=true',
        '--no-errors-on-unmatched',
        ...touchedFiles,
      ]);
    }
    if (snapshot === undefined && touched.length > 0) {
      const versions = workspacePackages(root)
        .filter((p) => !p.private && touched.some(([, f]) => f === path.relative(root, path.join(p.dir, 'package.json'))))
        .map((p) => `${p.name}@${p.version}`);
      // Only what `changeset version` touched: never build output that happens to be lying around.
      git(['add', '-A', '--', ...touched.map(([, f]) => f)]);
      git(['commit', '--quiet', '-m', `chore(release): version packages\n\n${versions.join('\n')}`]);
      console.log(`\nrelease: committed the version bump (${versions.join(', ')})`);
    }

    step('build and lint the public packages', turbo, ['run', 'build', 'lint', ...filters, '--output-logs', 'errors-only']);
    step(
      snapshot ? `publish the snapshot under the "${snapshot}" dist-tag` : 'publish',
      changeset,
      snapshot ? ['publish', '--tag', snapshot, '--no-git-tag'] : ['publish'],
    );
  } finally {
    if (snapshot !== undefined) {
      // The snapshot versions must not stay in the tree: put back what `changeset version --snapshot` changed.
      git(['checkout', '--', '.']);
      for (const [code, file] of touched) if (code === '??') rmSync(path.join(root, file), { force: true });
    }
  }
  console.log(
    snapshot
      ? `\nrelease: snapshot published; install it with npm install <package>@${snapshot}`
      : '\nrelease: done. Push the commit and the tags: git push --follow-tags',
  );
}

try {
  main();
} catch (e) {
  console.error(`release: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
