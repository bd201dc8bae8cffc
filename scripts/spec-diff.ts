// Spec diff → version bump. Compares the merged spec (spec/dist/openapi.yaml) with the spec of the last release and
// prints what changed in the API and the bump it needs: breaking → major, additive → minor, docs only → patch.
//
//   tsx scripts/spec-diff.ts            print the bump and the summary
//   tsx scripts/spec-diff.ts --write    write .changeset/spec-<hash>.md bumping every spec-derived package
//   tsx scripts/spec-diff.ts --check    fail when the pending changesets bump less than the spec needs
//
// The last release is the git tag `@imagegen/spec@<version in spec/package.json>` (its spec/ is bundled with
// Redocly); after `changeset version` and before publishing, the newest spec tag in HEAD's history (the bumps the
// versioning applied count as planned); without tags, that version of the published @imagegen/spec (`npm pack`);
// or `--base <file>`.
// Breaking means major even before 1.0: we keep real semver instead of folding breaks into 0.x minors.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  plannedBumps,
  readChangesetConfig,
  readPendingChangesets,
  renderChangeset,
  specDerivedPackages,
  versionBump,
  type WorkspacePackage,
  workspacePackages,
} from './pending-changesets.js';
import { type Bump, bumpAtLeast, compareSpecs, maxBump, OasdiffError, renderSummary, type SpecReport } from './spec-changes.js';

export const FIX_COMMAND = 'pnpm spec:changeset';
const SPEC_PACKAGE = '@imagegen/spec';
const toolsRoot = path.resolve(import.meta.dirname, '..');

const USAGE = `usage: pnpm spec:diff | spec:changeset | spec:check  (tsx scripts/spec-diff.ts [options])

  (no option)        print the bump the spec change needs since the last release, and the API changes
  --write            write .changeset/spec-<hash>.md bumping every spec-derived package (pnpm spec:changeset)
  --check            exit 1 when the pending changesets bump less than the spec needs (pnpm spec:check)
  --base <file>      compare with this merged spec instead of the last release
  --revision <file>  the merged spec to compare (default: spec/dist/openapi.yaml)
  --root <dir>       the repo checkout (default: this one)
  --json             print the result as one JSON line
  --help             print this help`;

class UsageError extends Error {}

function fail(message: string, code = 2): never {
  console.error(`spec-diff: ${message}`);
  process.exit(code);
}

function git(root: string, args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// `versioned`: bumps already applied by `changeset version` since the base release (see resolveBase).
type Base = { file: string; label: string; versioned?: Map<string, Bump> } | { none: string };

function specVersion(root: string): string {
  const file = path.join(root, 'spec', 'package.json');
  if (!existsSync(file)) throw new UsageError(`${file} is missing; is --root a checkout of this repo?`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

function tagExists(root: string, tag: string): boolean {
  try {
    git(root, ['rev-parse', '--quiet', '--verify', `refs/tags/${tag}`]);
    return true;
  } catch {
    return false;
  }
}

// The spec source at a tag, written out file by file (`git show`) and bundled the way spec#build bundles it.
function bundleFromTag(root: string, tag: string, work: string): string {
  const files = git(root, ['ls-tree', '-r', '--name-only', tag, '--', 'spec/src', 'spec/redocly.yaml']).split('\n').filter(Boolean);
  if (!files.some((f) => f === 'spec/src/openapi.yaml')) throw new UsageError(`tag ${tag} has no spec/src/openapi.yaml`);
  for (const f of files) {
    const out = path.join(work, f);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, execFileSync('git', ['show', `${tag}:${f}`], { cwd: root, maxBuffer: 64 * 1024 * 1024 }));
  }
  const specDir = path.join(work, 'spec');
  const bundled = path.join(work, 'base.yaml');
  const config = existsSync(path.join(specDir, 'redocly.yaml')) ? ['--config', 'redocly.yaml'] : [];
  const redocly = path.join(toolsRoot, 'spec', 'node_modules', '.bin', 'redocly');
  try {
    execFileSync(redocly, ['bundle', 'src/openapi.yaml', ...config, '-o', bundled], {
      cwd: specDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? '').trim();
    throw new UsageError(`could not bundle the spec of ${tag}: ${stderr.split('\n').at(-1) ?? 'redocly bundle failed'}`);
  }
  return bundled;
}

// The published package's merged spec. Uses whatever registry npm is configured for (npm_config_registry, .npmrc).
function fromRegistry(version: string, work: string): string | undefined {
  try {
    const out = execFileSync('npm', ['pack', `${SPEC_PACKAGE}@${version}`, '--pack-destination', work, '--json', '--silent'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    const [packed] = JSON.parse(out) as { filename: string }[];
    if (!packed) return undefined;
    execFileSync('tar', ['-xzf', path.join(work, path.basename(packed.filename)), '-C', work], { stdio: 'ignore' });
    const file = path.join(work, 'package', 'dist', 'openapi.yaml');
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

// The newest spec release tag in HEAD's history.
function latestReleaseTag(root: string): string | undefined {
  try {
    return git(root, ['tag', '--merged', 'HEAD', '--list', `${SPEC_PACKAGE}@*`, '--sort=-v:refname'])
      .split('\n')
      .find(Boolean);
  } catch {
    return undefined;
  }
}

// How far each package's version moved since `tag` (a package that did not exist then counts as a major step).
function versionedSince(root: string, tag: string, packages: WorkspacePackage[]): Map<string, Bump> {
  const out = new Map<string, Bump>();
  for (const p of packages) {
    const manifest = path.relative(root, path.join(p.dir, 'package.json')).split(path.sep).join('/');
    try {
      const then = (JSON.parse(git(root, ['show', `${tag}:${manifest}`])) as { version: string }).version;
      out.set(p.name, versionBump(then, p.version));
    } catch {
      out.set(p.name, 'major');
    }
  }
  return out;
}

function resolveBase(root: string, baseArg: string | undefined, work: string, packages: WorkspacePackage[]): Base {
  if (baseArg !== undefined) {
    const file = path.resolve(baseArg);
    if (!existsSync(file)) throw new UsageError(`base spec ${baseArg} does not exist`);
    const rel = path.relative(root, file);
    return { file, label: rel.startsWith('..') ? file : rel };
  }
  const version = specVersion(root);
  const tag = `${SPEC_PACKAGE}@${version}`;
  if (tagExists(root, tag)) return { file: bundleFromTag(root, tag, work), label: tag };
  if (version === '0.0.0') {
    return { none: `${SPEC_PACKAGE} has not been released yet (version 0.0.0, no tag ${tag}): nothing to compare with` };
  }
  // Versioned but not published yet (a release that stopped before `changeset publish`): compare with the last
  // release, and count the bumps the versioning already applied.
  const previous = latestReleaseTag(root);
  if (previous) {
    return { file: bundleFromTag(root, previous, work), label: previous, versioned: versionedSince(root, previous, packages) };
  }
  const published = fromRegistry(version, work);
  if (published) return { file: published, label: `${tag} (npm)` };
  throw new UsageError(`no base spec: tag ${tag} is not in this clone (git fetch --tags) and npm pack ${tag} failed; pass --base <file>`);
}

function specHash(...files: string[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(readFileSync(f));
  return h.digest('hex').slice(0, 8);
}

function removeGeneratedChangesets(root: string, keep?: string): string[] {
  const dir = path.join(root, '.changeset');
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    if (/^spec-[0-9a-f]+\.md$/.test(name) && name !== keep) {
      unlinkSync(path.join(dir, name));
      removed.push(path.join('.changeset', name));
    }
  }
  return removed;
}

type Mode = 'print' | 'write' | 'check';

type Result = { bump: Bump; base: string; report?: SpecReport; changeset?: string; ok: boolean; packages: string[] };

async function main(): Promise<number> {
  let values: {
    base?: string | undefined;
    revision?: string | undefined;
    root?: string | undefined;
    write?: boolean | undefined;
    check?: boolean | undefined;
    json?: boolean | undefined;
    help?: boolean | undefined;
  };
  try {
    ({ values } = parseArgs({
      options: {
        base: { type: 'string' },
        revision: { type: 'string' },
        root: { type: 'string' },
        write: { type: 'boolean' },
        check: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('. To specify')[0]} (see pnpm spec:diff --help)`);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.write && values.check) throw new UsageError('use either --write or --check, not both');
  const mode: Mode = values.write ? 'write' : values.check ? 'check' : 'print';
  const root = path.resolve(values.root ?? toolsRoot);

  const revision = path.resolve(values.revision ?? path.join(root, 'spec', 'dist', 'openapi.yaml'));
  if (!existsSync(revision)) {
    throw new UsageError(
      values.revision
        ? `revision spec ${values.revision} does not exist`
        : `${path.relative(root, revision)} is missing; build the spec first: pnpm turbo run build --filter @imagegen/spec`,
    );
  }

  const workspace = workspacePackages(root);
  const packages = specDerivedPackages(workspace, SPEC_PACKAGE);
  const work = mkdtempSync(path.join(tmpdir(), 'imagegen-spec-diff-'));
  try {
    const base = resolveBase(
      root,
      values.base,
      work,
      workspace.filter((p) => packages.includes(p.name)),
    );
    if ('none' in base) {
      if (values.json) console.log(JSON.stringify({ bump: 'none', base: null, ok: true, packages, note: base.none }));
      else console.log(`spec-diff: ${base.none}`);
      return 0;
    }
    const report = await compareSpecs(base.file, revision);
    const result: Result = { bump: report.bump, base: base.label, report, ok: true, packages };

    if (mode === 'print' && !values.json) {
      console.log(
        report.bump === 'none'
          ? `spec-diff: no API changes since ${base.label}`
          : `spec-diff: ${report.bump} bump since ${base.label}\n\n${renderSummary(report, base.label)}`,
      );
    }

    if (mode === 'write') {
      if (report.bump === 'none') {
        const removed = removeGeneratedChangesets(root);
        if (!values.json)
          console.log(
            `spec-diff: no API changes since ${base.label}; no changeset written${removed.length ? ` (removed stale ${removed.join(', ')})` : ''}`,
          );
      } else {
        const name = `spec-${specHash(base.file, revision)}.md`;
        const file = path.join(root, '.changeset', name);
        mkdirSync(path.dirname(file), { recursive: true });
        const releases = Object.fromEntries(packages.map((p) => [p, report.bump]));
        writeFileSync(file, renderChangeset(releases, renderSummary(report, base.label)));
        // Every spec-*.md is computed against the same last release, so the newest one replaces the others.
        const removed = removeGeneratedChangesets(root, name);
        result.changeset = path.join('.changeset', name);
        if (!values.json) {
          console.log(
            `spec-diff: wrote ${result.changeset} (${report.bump}: ${packages.join(', ')})${removed.length ? `; removed ${removed.join(', ')}` : ''}`,
          );
        }
      }
    }

    if (mode === 'check') {
      const planned = plannedBumps(readPendingChangesets(root), readChangesetConfig(root), packages);
      for (const [pkg, bump] of base.versioned ?? []) planned.set(pkg, maxBump(planned.get(pkg) ?? 'none', bump));
      const short = packages.filter((p) => !bumpAtLeast(planned.get(p) ?? 'none', report.bump));
      result.ok = short.length === 0;
      if (!values.json) {
        if (result.ok) {
          console.log(
            `spec-diff: ok — the spec needs ${report.bump === 'none' ? 'no bump' : `a ${report.bump} bump`} since ${base.label} and the pending changesets cover it`,
          );
        } else {
          const have = short.map((p) => `${p} ${planned.get(p) ?? 'none'}`).join(', ');
          console.error(
            `spec-diff: the spec changed since ${base.label} and needs a ${report.bump} bump, but the pending changesets give ${have}`,
          );
          console.error(renderSummary(report, base.label));
          console.error(`fix: ${FIX_COMMAND}`);
        }
      }
    }

    if (values.json) console.log(JSON.stringify(result));
    return result.ok ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError || e instanceof OasdiffError) fail(e.message);
    fail(`unexpected error: ${e instanceof Error ? e.message : String(e)}`);
  },
);
