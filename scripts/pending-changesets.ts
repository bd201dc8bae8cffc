// The release plan as the pending `.changeset/*.md` files declare it, and the workspace packages it applies to.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { type Bump, maxBump } from './spec-changes.js';

export type WorkspacePackage = {
  name: string;
  dir: string;
  version: string;
  private: boolean;
  /** Every workspace dependency, whatever its kind (a devDependency on the spec still derives from it). */
  workspaceDeps: string[];
};

type PackageJson = {
  name?: string;
  version?: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};

/** The packages matched by pnpm-workspace.yaml (`dir` and `dir/*` patterns). */
export function workspacePackages(root: string): WorkspacePackage[] {
  const manifest = parse(readFileSync(path.join(root, 'pnpm-workspace.yaml'), 'utf8')) as { packages?: string[] };
  const dirs: string[] = [];
  for (const pattern of manifest.packages ?? []) {
    if (pattern.endsWith('/*')) {
      const parent = path.join(root, pattern.slice(0, -2));
      if (!existsSync(parent)) continue;
      for (const d of readdirSync(parent, { withFileTypes: true })) if (d.isDirectory()) dirs.push(path.join(parent, d.name));
    } else {
      dirs.push(path.join(root, pattern));
    }
  }
  const packages: WorkspacePackage[] = [];
  for (const dir of dirs) {
    const file = path.join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
    if (!pkg.name) continue;
    const deps = { ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies };
    packages.push({
      name: pkg.name,
      dir,
      version: pkg.version ?? '0.0.0',
      private: pkg.private === true,
      workspaceDeps: Object.entries(deps)
        .filter(([, range]) => range.startsWith('workspace:'))
        .map(([name]) => name),
    });
  }
  return packages;
}

/**
 * The published packages whose content follows from the spec: the spec package itself and every public package
 * that depends on it, directly or through another workspace package. With today's workspace that is
 * spec, types, client and contract (docs is private).
 */
export function specDerivedPackages(packages: WorkspacePackage[], specName: string): string[] {
  const derived = new Set([specName]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of packages) {
      if (!derived.has(p.name) && p.workspaceDeps.some((d) => derived.has(d))) {
        derived.add(p.name);
        grew = true;
      }
    }
  }
  const publicNames = new Set(packages.filter((p) => !p.private).map((p) => p.name));
  return packages.map((p) => p.name).filter((n) => derived.has(n) && publicNames.has(n));
}

export type ChangesetConfig = { fixed?: string[][]; linked?: string[][]; ignore?: string[]; access?: string };

export function readChangesetConfig(root: string): ChangesetConfig {
  return JSON.parse(readFileSync(path.join(root, '.changeset', 'config.json'), 'utf8')) as ChangesetConfig;
}

export type PendingChangeset = { file: string; releases: Record<string, Bump> };

const FRONTMATTER = /^---\r?\n([\s\S]*?)\r?\n?---/;

/** Every pending changeset (`.changeset/*.md` except README.md) with the bump it gives each package. */
export function readPendingChangesets(root: string): PendingChangeset[] {
  const dir = path.join(root, '.changeset');
  if (!existsSync(dir)) return [];
  const out: PendingChangeset[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.md') || name.toLowerCase() === 'readme.md') continue;
    const text = readFileSync(path.join(dir, name), 'utf8');
    const match = FRONTMATTER.exec(text.trimStart());
    const data: unknown = match?.[1]?.trim() ? parse(match[1]) : {};
    const releases: Record<string, Bump> = {};
    for (const [pkg, bump] of Object.entries(typeof data === 'object' && data !== null ? data : {})) {
      if (bump === 'major' || bump === 'minor' || bump === 'patch' || bump === 'none') releases[pkg] = bump;
    }
    out.push({ file: path.join('.changeset', name), releases });
  }
  return out;
}

/**
 * The bump each package gets from the pending changesets, taking `fixed` groups into account (a group is
 * released at the highest bump of any member). Packages no changeset names get `none`.
 */
export function plannedBumps(changesets: PendingChangeset[], config: ChangesetConfig, packages: string[]): Map<string, Bump> {
  const bumps = new Map<string, Bump>(packages.map((p) => [p, 'none']));
  for (const c of changesets) {
    for (const [pkg, bump] of Object.entries(c.releases)) bumps.set(pkg, maxBump(bumps.get(pkg) ?? 'none', bump));
  }
  for (const group of config.fixed ?? []) {
    const top = maxBump(...group.map((p) => bumps.get(p) ?? 'none'));
    for (const p of group) if (bumps.has(p)) bumps.set(p, top);
  }
  return bumps;
}

/** The bump that takes `from` to `to` (`1.2.3` → `1.3.0` is minor); `none` when `to` is not higher. */
export function versionBump(from: string, to: string): Bump {
  const parse = (v: string) => {
    const [core = '', pre = ''] = v.split('-', 2);
    const [major = 0, minor = 0, patch = 0] = core.split('.').map(Number);
    return { major, minor, patch, pre };
  };
  const a = parse(from);
  const b = parse(to);
  if (b.major !== a.major) return b.major > a.major ? 'major' : 'none';
  if (b.minor !== a.minor) return b.minor > a.minor ? 'minor' : 'none';
  if (b.patch !== a.patch) return b.patch > a.patch ? 'patch' : 'none';
  return b.pre !== a.pre ? 'patch' : 'none';
}

/** A changeset file's text: frontmatter naming each package with its bump, then the summary. */
export function renderChangeset(releases: Record<string, Bump>, summary: string): string {
  const head = Object.entries(releases).map(([pkg, bump]) => `"${pkg}": ${bump}`);
  return `---\n${head.join('\n')}\n---\n\n${summary.trimEnd()}\n`;
}
