// `pnpm release`: check, version the packages from the pending changesets, build them, publish what is new.
//
//   tsx scripts/release.ts                    spec:check → changeset version → gate → commit →
//                                             changeset publish (+ git tags)
//   tsx scripts/release.ts --snapshot <tag>   changeset version --snapshot <tag> → gate →
//                                             changeset publish --tag <tag> --no-git-tag, then restore the tree
//
// The gate runs on the versioned tree (what it builds is what is published) and refuses to publish (one line
// naming what failed; the version bump is put back, nothing is committed or published) unless build, lint,
// check:exports and typecheck, then test, of every public package pass under turbo, and a project that installs
// the packed tarballs compiles a consumer importing each of them (scripts/packed-consumer.ts).
// It publishes to the registry npm is configured for (npm_config_registry / .npmrc). Start from a clean, committed
// tree: the version bump becomes its own commit, so the `<name>@<version>` tags point at the released code.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkPackedConsumer, PackedConsumerError } from './packed-consumer.js';
import { type WorkspacePackage, workspacePackages } from './pending-changesets.js';

const root = path.resolve(import.meta.dirname, '..');
const bin = (dir: string, name: string) => path.join(root, dir, 'node_modules', '.bin', name);
const turbo = bin('.', 'turbo');
const changeset = bin('scripts', 'changeset');
const biome = bin('.', 'biome');
const tsx = bin('.', 'tsx');

const USAGE = `usage: pnpm release [--snapshot <dist-tag>]

  (no option)              spec:check, changeset version, the gate, commit, changeset publish + git tags
  --snapshot <dist-tag>    changeset version --snapshot, the gate, publish under <dist-tag> (e.g. pr-123); the tree is restored
  --help                   print this help

The gate: turbo run build lint check:exports typecheck, then test, for every public package; then a packed-tarball
consumer that must compile.
Publishes to the registry npm is configured for (npm_config_registry / .npmrc).`;

class ReleaseError extends Error {}
class UsageError extends Error {}

function step(title: string, command: string, args: string[]): void {
  console.log(`\nrelease: ${title}\n$ ${[path.relative(root, command) || command, ...args].join(' ')}`);
  // The tools' output (their errors too) goes to stdout: stderr holds only release's own one-line verdict.
  const r = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 1], env: process.env });
  if (r.status !== 0) throw new ReleaseError(`${title} failed (exit ${r.status ?? r.signal}); nothing after it ran`);
}

/**
 * The tasks every public package must pass before anything is committed or published, in two phases: the quick
 * checks first, so a type or lint error refuses the release in a minute instead of after every test suite; the
 * tests only once those pass.
 */
const GATE_PHASES = [['build', 'lint', 'check:exports', 'typecheck'], ['test']] as const;
const GATE_TASKS: readonly string[] = GATE_PHASES.flat();

// turbo writes one summary per run into .turbo/runs/; the new one names each task's exit code.
function failedTasks(before: Set<string>): string[] {
  const runs = path.join(root, '.turbo', 'runs');
  const fresh = existsSync(runs) ? readdirSync(runs).filter((f) => f.endsWith('.json') && !before.has(f)) : [];
  const failed: string[] = [];
  for (const file of fresh) {
    const summary = JSON.parse(readFileSync(path.join(runs, file), 'utf8')) as {
      tasks?: { taskId: string; execution?: { exitCode?: number } }[];
    };
    for (const t of summary.tasks ?? []) if ((t.execution?.exitCode ?? 0) !== 0) failed.push(t.taskId);
  }
  return failed;
}

/** One phase of the gate under turbo; refuses with one line naming the first failed task (in GATE_TASKS order). */
function gatePhase(tasks: readonly string[], packages: WorkspacePackage[]): void {
  const filters = packages.flatMap((p) => ['--filter', p.name]);
  const runs = path.join(root, '.turbo', 'runs');
  const before = new Set(existsSync(runs) ? readdirSync(runs) : []);
  // --continue: every task runs to its end, so none is killed half-way (leaving e.g. attw's packed tarball behind).
  const args = ['run', ...tasks, ...filters, '--continue', '--summarize', '--output-logs', 'errors-only'];
  console.log(`\nrelease: gate: ${tasks.join(', ')} of ${packages.map((p) => p.name).join(', ')}\n$ turbo ${args.join(' ')}`);
  // turbo's own report (the failing task's log) goes to stdout; stderr keeps only the one refusal line.
  const r = spawnSync(turbo, args, { cwd: root, stdio: ['ignore', 'inherit', 1], env: process.env });
  if (r.status === 0) return;
  // The most basic failure first (a type error usually breaks the tests too).
  const rank = (id: string) => GATE_TASKS.findIndex((t) => id.endsWith(`#${t}`));
  const [task, ...more] = failedTasks(before).sort((a, b) => rank(a) - rank(b));
  if (!task) {
    throw new ReleaseError(
      `refused: turbo run ${tasks.join(' ')} failed (exit ${r.status ?? r.signal}; run: pnpm turbo ${args.join(' ')})`,
    );
  }
  const [pkg, name] = task.split('#');
  const others = more.length > 0 ? `; also failed: ${more.join(', ')}` : '';
  throw new ReleaseError(`refused: ${task} failed (run: pnpm turbo run ${name} --filter ${pkg})${others}`);
}

function gate(packages: WorkspacePackage[]): void {
  for (const tasks of GATE_PHASES) gatePhase(tasks, packages);
  console.log('\nrelease: gate: the packed tarballs in a fresh project (npm install, tsc --noEmit of a consumer)');
  const work = mkdtempSync(path.join(tmpdir(), 'imagegen-release-consumer-'));
  try {
    checkPackedConsumer({ root, packages, work });
  } catch (e) {
    if (e instanceof PackedConsumerError) throw new ReleaseError(`refused: ${e.message}`);
    throw e;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
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
  let values: { snapshot?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({ options: { snapshot: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('. To specify')[0]} (see pnpm release --help)`);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const snapshot = values.snapshot;
  if (snapshot !== undefined && !/^[a-z][a-z0-9-]*$/.test(snapshot))
    throw new UsageError(`--snapshot needs a dist-tag name like "pr-123", got "${snapshot}"`);

  if (status().length > 0) {
    throw new ReleaseError(
      'the working tree has uncommitted changes; commit or stash them first (a release commits the version bump, a snapshot restores the tree)',
    );
  }
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
  let committed = false;
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
    // The gate checks the versioned tree, so what it builds and tests is what is published, built once (the
    // packages are read again: the packed tarballs carry the new versions).
    gate(workspacePackages(root).filter((p) => !p.private));
    if (snapshot === undefined && touched.length > 0) {
      const versions = workspacePackages(root)
        .filter((p) => !p.private && touched.some(([, f]) => f === path.relative(root, path.join(p.dir, 'package.json'))))
        .map((p) => `${p.name}@${p.version}`);
      // Only what `changeset version` touched: never build output that happens to be lying around.
      git(['add', '-A', '--', ...touched.map(([, f]) => f)]);
      git(['commit', '--quiet', '-m', `chore(release): version packages\n\n${versions.join('\n')}`]);
      committed = true;
      console.log(`\nrelease: committed the version bump (${versions.join(', ')})`);
    }
    step(
      snapshot ? `publish the snapshot under the "${snapshot}" dist-tag` : 'publish',
      changeset,
      snapshot ? ['publish', '--tag', snapshot, '--no-git-tag'] : ['publish'],
    );
  } finally {
    // A snapshot's versions never stay in the tree, nor do a refused release's: put back what `changeset version`
    // changed (deleted changesets come back, new CHANGELOG.md files go).
    if (!committed) {
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
  process.exit(e instanceof UsageError ? 2 : 1);
}
