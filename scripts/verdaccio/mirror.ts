// Copy the third-party runtime dependencies of workspace packages from the installed node_modules into a local
// registry. The registry has no uplinks, so without this `npm install @imagegen/client` could not resolve
// openapi-fetch. Each package is republished from a scrubbed copy: no lifecycle scripts, no publishConfig.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

type Manifest = { name: string; version: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };

const readManifest = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;

// Node's lookup: <dir>/node_modules/<name>, then each parent's. With pnpm, a package's own dependencies sit next
// to it in .pnpm/<name>@<version>/node_modules.
function findInstalled(fromDir: string, name: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return realpathSync(candidate);
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The installed directories of every package in the production dependency closure of `packageDirs`, skipping
 * `workspace:` dependencies (those are published by the release itself).
 */
export function thirdPartyClosure(packageDirs: string[]): string[] {
  const found = new Map<string, string>();
  const queue = packageDirs.map((d) => realpathSync(d));
  const roots = new Set(queue);
  while (queue.length > 0) {
    const dir = queue.shift() as string;
    const manifest = readManifest(dir);
    const deps = { ...manifest.dependencies, ...manifest.optionalDependencies };
    for (const [name, range] of Object.entries(deps)) {
      if (range.startsWith('workspace:')) continue;
      const installed = findInstalled(dir, name);
      if (!installed) {
        if (manifest.optionalDependencies?.[name]) continue;
        throw new Error(`${manifest.name} depends on ${name}, which is not installed (run pnpm install)`);
      }
      const m = readManifest(installed);
      const key = `${m.name}@${m.version}`;
      if (found.has(key) || roots.has(installed)) continue;
      found.set(key, installed);
      queue.push(installed);
    }
  }
  return [...found.values()];
}

/** Publish each installed package directory to `registry` with npm. Returns `name@version` for each. */
export function mirrorToRegistry(dirs: string[], env: NodeJS.ProcessEnv): string[] {
  const published: string[] = [];
  for (const dir of dirs) {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown> & Manifest;
    const work = mkdtempSync(path.join(tmpdir(), 'imagegen-mirror-'));
    try {
      const copy = path.join(work, 'package');
      cpSync(dir, copy, {
        recursive: true,
        dereference: true,
        filter: (src) => !src.slice(dir.length).includes(`${path.sep}node_modules`),
      });
      const { scripts: _scripts, publishConfig: _publishConfig, devDependencies: _dev, ...clean } = manifest;
      writeFileSync(path.join(copy, 'package.json'), `${JSON.stringify(clean, null, 2)}\n`);
      // A prerelease version would otherwise need --tag; these are all plain releases of what is installed.
      execFileSync('npm', ['publish', '--ignore-scripts', '--access', 'public', '--tag', 'latest'], {
        cwd: copy,
        env,
        stdio: 'pipe',
        timeout: 120_000,
      });
      published.push(`${manifest.name}@${manifest.version}`);
    } catch (e) {
      const stderr = String((e as { stderr?: Buffer }).stderr ?? '');
      throw new Error(`could not mirror ${manifest.name}@${manifest.version}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return published;
}
