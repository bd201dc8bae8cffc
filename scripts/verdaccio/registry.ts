// A throwaway npm registry (verdaccio) on 127.0.0.1 for release tests and release dry runs: storage in a temp
// folder, no uplinks (nothing is fetched from or sent to the internet), anyone may read, anonymous publish.
//
//   tsx scripts/verdaccio/registry.ts [--port 4873] [--dir <dir>] [--mirror packages/client]
//
// starts it and prints the environment that points npm, pnpm and changesets at it. `--mirror <package dir>` (any
// number of times) also publishes that workspace package's third-party runtime dependencies from node_modules,
// so that the package can be installed from this registry once it is published there.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ChildServer, freePort, startChildServer } from '@imagegen/contract';
import { parseCli, portOption, stopOnSignal } from '../cli-args.js';
import { mirrorToRegistry, thirdPartyClosure } from './mirror.js';

export type Registry = ChildServer & {
  /** The registry URL with a trailing slash, as npm writes it. */
  registry: string;
  /** A user .npmrc with a dummy token for this registry (verdaccio accepts anonymous publishes). */
  npmrc: string;
  /** Environment for npm, pnpm and changesets to read from and publish to this registry only. */
  env: Record<string, string>;
  dir: string;
};

function config(dir: string): string {
  const storage = path.join(dir, 'storage');
  return [
    `storage: ${JSON.stringify(storage)}`,
    'auth:',
    '  htpasswd:',
    `    file: ${JSON.stringify(path.join(dir, 'htpasswd'))}`,
    '    max_users: -1',
    'uplinks: {}',
    'packages:',
    "  '**':",
    '    access: $all',
    '    publish: $anonymous',
    '    unpublish: $anonymous',
    'web:',
    '  enable: false',
    'middlewares:',
    '  audit:',
    '    enabled: false',
    'log: { type: stdout, format: pretty, level: warn }',
    '',
  ].join('\n');
}

/** Start verdaccio with its config, storage and .npmrc in `dir` (a new temp folder by default). */
export async function startRegistry(options: { dir?: string; port?: number } = {}): Promise<Registry> {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'imagegen-registry-'));
  mkdirSync(dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const configFile = path.join(dir, 'config.yaml');
  writeFileSync(configFile, config(dir));

  const require = createRequire(import.meta.url);
  const pkgDir = path.dirname(require.resolve('verdaccio/package.json'));
  const bin = path.join(pkgDir, 'bin', 'verdaccio');
  if (!existsSync(bin)) throw new Error(`verdaccio binary not found at ${bin}`);

  const server = await startChildServer({
    name: 'verdaccio',
    command: process.execPath,
    args: [bin, '--config', configFile, '--listen', `127.0.0.1:${port}`],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
    url: `http://127.0.0.1:${port}`,
    ready: { path: '/-/ping' },
    quoteOutput: true,
  });

  const registry = `${server.url}/`;
  const npmrc = path.join(dir, '.npmrc');
  writeFileSync(npmrc, `registry=${registry}\n//127.0.0.1:${port}/:_authToken=local-registry-dummy-token\n`);
  return {
    ...server,
    registry,
    npmrc,
    dir,
    env: {
      npm_config_registry: registry,
      npm_config_userconfig: npmrc,
      npm_config_update_notifier: 'false',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    },
  };
}

if (import.meta.filename === path.resolve(process.argv[1] ?? '')) {
  const name = 'pnpm registry';
  const { values } = parseCli({
    name,
    usage: `
Usage: ${name} [--port <n>] [--dir <dir>] [--mirror <package dir>]...

Starts a throwaway npm registry (verdaccio) on 127.0.0.1 and prints the environment that points npm, pnpm and
changesets at it. Ctrl-C stops it.

  --port <n>              port to listen on (default: a free one)
  --dir <dir>             config and storage folder (default: a new temp folder)
  --mirror <package dir>  also publish that workspace package's third-party runtime dependencies (repeatable)
  -h, --help              this text`,
    options: { port: { type: 'string' }, dir: { type: 'string' }, mirror: { type: 'string', multiple: true } },
  });
  const registry = await startRegistry({
    ...(values.port !== undefined ? { port: portOption(name, 'port', values.port) } : {}),
    ...(values.dir ? { dir: path.resolve(values.dir) } : {}),
  });
  stopOnSignal(registry);
  console.log(`verdaccio listening on ${registry.registry} (storage in ${registry.dir}); Ctrl-C stops it. To publish there:`);
  for (const [k, v] of Object.entries(registry.env)) console.log(`  export ${k}=${v}`);
  if (values.mirror?.length) {
    const published = mirrorToRegistry(thirdPartyClosure(values.mirror.map((d) => path.resolve(d))), { ...process.env, ...registry.env });
    console.log(`mirrored ${published.length} dependencies: ${published.join(', ')}`);
  }
}
