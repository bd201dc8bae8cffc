// A throwaway copy of this monorepo for tests that build, version or publish: the current tree (tracked and
// untracked files, ignored ones left out, so uncommitted work is included), installed offline from pnpm's
// store, then made a git repo with one commit so `git status` shows exactly what a test changed.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');

export type RunResult = { code: number | null; stdout: string; stderr: string; output: string; ms: number };
export type RunOptions = { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number; input?: string };

const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'imagegen test',
  GIT_AUTHOR_EMAIL: 'test@imagegen.invalid',
  GIT_COMMITTER_NAME: 'imagegen test',
  GIT_COMMITTER_EMAIL: 'test@imagegen.invalid',
};

/**
 * The environment for child tools: the parent's, minus what a surrounding `pnpm run` / `turbo run` / vitest
 * injected (npm_config_*, TURBO_*, …), which would otherwise leak into the nested pnpm, turbo and npm runs.
 */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|turbo_|vitest|pnpm_|init_cwd$|node_options$|tsx_)/i.test(k)) continue;
    env[k] = v;
  }
  Object.assign(env, { TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', NO_COLOR: '1', FORCE_COLOR: '0', ...GIT_IDENTITY });
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Run a command with a hard time limit (the whole process group is killed when it passes). */
export function run(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: childEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c;
      output += c;
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c;
      output += c;
    });
    // A command that exits without reading its input closes the pipe first: that EPIPE is not a test failure.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    const timeoutMs = options.timeoutMs ?? 300_000;
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      reject(new Error(`timed out after ${timeoutMs} ms: ${command} ${args.join(' ')}\n${output.slice(-4000)}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, output, ms: Date.now() - started });
    });
  });
}

/** Like `run`, but throws (with the command's output) unless it exits 0. */
export async function ok(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  const r = await run(command, args, options);
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${command} ${args.join(' ')} (in ${options.cwd})\n${r.output.slice(-6000)}`);
  return r;
}

export type WorkspaceCopy = {
  dir: string;
  /** Milliseconds spent copying + installing + committing. */
  setupMs: number;
  bin: (name: string) => string;
  run: (command: string, args: string[], options?: Partial<RunOptions>) => Promise<RunResult>;
  ok: (command: string, args: string[], options?: Partial<RunOptions>) => Promise<RunResult>;
  git: (...args: string[]) => string;
  /** `git status --porcelain` paths (changed, deleted and untracked, ignored files excluded). */
  changedFiles: () => string[];
  remove: () => void;
};

// Files git would put in a commit of the current tree: tracked ones that still exist, plus untracked ones that
// are not ignored. Node_modules, dist, generated code, caches and reports are ignored, so they are not copied.
function filesToCopy(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  // Generated code is never committed (DESIGN.md), whatever .gitignore happens to say.
  return [...new Set(out.split('\0').filter(Boolean))].filter((f) => !f.includes('/src/generated/') && existsSync(path.join(repoRoot, f)));
}

/**
 * Copy the repo into a new temp folder, `pnpm install --offline --frozen-lockfile` there, and commit everything
 * as the initial commit. `keepPendingChangesets: false` (default) drops `.changeset/*.md` so a test starts from
 * "nothing pending".
 */
export async function copyWorkspace(label: string, options: { keepPendingChangesets?: boolean } = {}): Promise<WorkspaceCopy> {
  const started = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), `imagegen-${label}-`));
  for (const file of filesToCopy()) {
    const target = path.join(dir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    cpSync(path.join(repoRoot, file), target);
  }
  if (!options.keepPendingChangesets) {
    const changesetDir = path.join(dir, '.changeset');
    for (const name of existsSync(changesetDir) ? readdirSync(changesetDir) : []) {
      if (name.endsWith('.md') && name.toLowerCase() !== 'readme.md') unlinkSync(path.join(changesetDir, name));
    }
  }
  const base = { cwd: dir, timeoutMs: 300_000 };
  const install = await run('pnpm', ['install', '--offline', '--frozen-lockfile', '--reporter', 'append-only'], base);
  if (install.code !== 0) {
    // The lockfile can lag behind a package.json that someone is editing right now; the copy still needs to work.
    console.warn(`pnpm install --frozen-lockfile failed in the copy; retrying without it:\n${install.output.slice(-1500)}`);
    await ok('pnpm', ['install', '--offline', '--no-frozen-lockfile', '--reporter', 'append-only'], base);
  }
  gitIn(dir, 'init', '--quiet', '--initial-branch=main');
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '--quiet', '--no-verify', '-m', 'initial');
  return handle(dir, Date.now() - started);
}

/** A fresh `git clone` of a copy (its committed state only: no build outputs, no .turbo), installed offline. */
export async function cloneWorkspace(from: WorkspaceCopy, label: string): Promise<WorkspaceCopy> {
  const started = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), `imagegen-${label}-`));
  await ok('git', ['clone', '--quiet', from.dir, dir], { cwd: tmpdir() });
  await ok('pnpm', ['install', '--offline', '--frozen-lockfile', '--reporter', 'append-only'], { cwd: dir, timeoutMs: 300_000 });
  return handle(dir, Date.now() - started);
}

const gitIn = (dir: string, ...args: string[]) =>
  execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });

function handle(dir: string, setupMs: number): WorkspaceCopy {
  const git = (...args: string[]) => gitIn(dir, ...args);
  return {
    dir,
    setupMs,
    bin: (name) => path.join(dir, 'node_modules', '.bin', name),
    run: (command, args, o = {}) => run(command, args, { cwd: dir, ...o }),
    ok: (command, args, o = {}) => ok(command, args, { cwd: dir, ...o }),
    git,
    changedFiles: () =>
      git('status', '--porcelain', '--untracked-files=all')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.slice(3)),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Environment that lets `turbo run` in a copy replay what this checkout already built, from this checkout's local
 * cache, read-only (nothing the copy builds is written back). A copy has the same files, so the same task hashes:
 * its first build is then a replay instead of a full build. Git worktrees share their main worktree's cache.
 * Empty when there is no cache yet.
 */
export function replayFromRepoCache(): Record<string, string> {
  const common = execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], {
    cwd: repoRoot,
    encoding: 'utf8',
  }).trim();
  const cacheDir = path.join(path.dirname(common), '.turbo', 'cache');
  return existsSync(cacheDir) ? { TURBO_CACHE_DIR: cacheDir, TURBO_CACHE: 'local:r' } : {};
}

/** Parse the newest `turbo run --summarize` JSON in `<dir>/.turbo/runs/`. */
export function latestRunSummary(dir: string): TurboSummary {
  const runs = path.join(dir, '.turbo', 'runs');
  const files = readdirSync(runs)
    .filter((f) => f.endsWith('.json'))
    .map((f) => path.join(runs, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!files[0]) throw new Error(`no run summary in ${runs}`);
  return JSON.parse(readFileSync(files[0], 'utf8')) as TurboSummary;
}

export type TurboTask = {
  taskId: string;
  cache: { status: 'HIT' | 'MISS'; source?: 'LOCAL' | 'REMOTE'; local?: boolean; remote?: boolean };
  execution?: { exitCode?: number };
};
export type TurboSummary = { tasks: TurboTask[]; execution: { success: number; failed: number; cached: number; attempted: number } };
