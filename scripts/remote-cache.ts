// A self-hosted turbo remote cache (ducktors/turborepo-remote-cache) on 127.0.0.1 with local-disk storage.
//
//   tsx scripts/remote-cache.ts [--port 3000] [--storage <dir>] [--token <token>]
//
// prints the TURBO_API / TURBO_TOKEN / TURBO_TEAM to export; every `turbo run` with them reads and writes the cache.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ChildServer, freePort, startChildServer } from '@imagegen/contract';
import { parseCli, portOption, stopOnSignal } from './cli-args.js';

export type RemoteCache = ChildServer & {
  storagePath: string;
  token: string;
  team: string;
  /** What turbo needs to use this cache. */
  env: { TURBO_API: string; TURBO_TOKEN: string; TURBO_TEAM: string };
};

/** Start the cache server; artifacts go to `storagePath/<team>/` (a new temp folder by default). */
export async function startRemoteCache(
  options: { port?: number; storagePath?: string; token?: string; team?: string } = {},
): Promise<RemoteCache> {
  const port = options.port ?? (await freePort());
  const storagePath = options.storagePath ?? mkdtempSync(path.join(tmpdir(), 'imagegen-turbo-cache-'));
  mkdirSync(storagePath, { recursive: true });
  const token = options.token ?? randomBytes(16).toString('hex');
  const team = options.team ?? 'team_imagegen';
  const require = createRequire(import.meta.url);
  const cli = path.join(path.dirname(require.resolve('turborepo-remote-cache/package.json')), 'dist', 'cli.js');

  const server = await startChildServer({
    name: 'turborepo-remote-cache',
    command: process.execPath,
    args: [cli],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      TURBO_TOKEN: token,
      STORAGE_PROVIDER: 'local',
      STORAGE_PATH: storagePath,
      // STORAGE_PATH is used as given instead of as a folder name under the OS temp dir.
      STORAGE_PATH_USE_TMP_FOLDER: 'false',
      LOG_LEVEL: 'warn',
    },
    url: `http://127.0.0.1:${port}`,
    ready: { path: '/v8/artifacts/status', headers: { authorization: `Bearer ${token}` } },
    quoteOutput: true,
  });
  return { ...server, storagePath, token, team, env: { TURBO_API: server.url, TURBO_TOKEN: token, TURBO_TEAM: team } };
}

if (import.meta.filename === path.resolve(process.argv[1] ?? '')) {
  const name = 'pnpm remote-cache';
  const { values } = parseCli({
    name,
    usage: `
Usage: ${name} [--port <n>] [--storage <dir>] [--token <token>] [--team <team>]

Starts a turbo remote cache (turborepo-remote-cache) on 127.0.0.1 with local-disk storage and prints the TURBO_API,
TURBO_TOKEN and TURBO_TEAM to export. Ctrl-C stops it.

  --port <n>         port to listen on (default: a free one)
  --storage <dir>    where artifacts are kept (default: a new temp folder)
  --token <token>    the bearer token clients must send (default: a random one)
  --team <team>      the team name (default: team_imagegen)
  -h, --help         this text`,
    options: { port: { type: 'string' }, storage: { type: 'string' }, token: { type: 'string' }, team: { type: 'string' } },
  });
  const cache = await startRemoteCache({
    ...(values.port !== undefined ? { port: portOption(name, 'port', values.port) } : {}),
    ...(values.storage ? { storagePath: path.resolve(values.storage) } : {}),
    ...(values.token ? { token: values.token } : {}),
    ...(values.team ? { team: values.team } : {}),
  });
  stopOnSignal(cache);
  console.log(`turbo remote cache listening on ${cache.url} (artifacts in ${cache.storagePath}); Ctrl-C stops it. Use it with:`);
  for (const [k, v] of Object.entries(cache.env)) console.log(`  export ${k}=${v}`);
}
