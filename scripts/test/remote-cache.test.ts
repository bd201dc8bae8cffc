// A build in one checkout fills the self-hosted remote cache; a second, clean checkout (no local cache, no dist/,
// no generated code) then gets every task from that cache instead of running it.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RemoteCache, startRemoteCache } from '../remote-cache.js';
import { cloneWorkspace, copyWorkspace, latestRunSummary, type WorkspaceCopy } from './workspace-copy.js';

// The client and everything it is built from: spec#build → types#build → client#build.
const FILTER = '@imagegen/client...';
const OUTPUTS = [
  'spec/dist/openapi.yaml',
  'packages/types/src/generated/openapi.gen.ts',
  'packages/types/dist/index.d.ts',
  'packages/client/dist/index.js',
];

describe('turbo remote cache (turborepo-remote-cache on 127.0.0.1)', () => {
  let cache: RemoteCache;
  let first: WorkspaceCopy;
  let second: WorkspaceCopy | undefined;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    cache = await startRemoteCache();
    first = await copyWorkspace('remote-cache-a');
    timings.setup = first.setupMs;
  });

  afterAll(async () => {
    await cache?.stop();
    if (cache) rmSync(cache.storagePath, { recursive: true, force: true });
    first?.remove();
    second?.remove();
    console.log(`remote cache timings (ms): ${JSON.stringify(timings)}`);
  });

  it('is up, and serves artifacts only to holders of the token', async () => {
    const auth = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    const status = await fetch(`${cache.url}/v8/artifacts/status`, auth(cache.token));
    expect(await status.json()).toMatchObject({ status: 'enabled' });
    const artifact = `${cache.url}/v8/artifacts/0123456789abcdef?slug=${cache.team}`;
    expect((await fetch(artifact, auth(cache.token))).status).toBe(404);
    expect((await fetch(artifact, auth('not-the-token'))).status).toBe(401);
  });

  it('a second clean checkout replays every task from the remote cache', async () => {
    const build = ['run', 'build', '--filter', FILTER, '--summarize', '--output-logs', 'full'];

    const run1 = await first.ok(first.bin('turbo'), build, { env: cache.env, timeoutMs: 600_000 });
    timings.firstBuild = run1.ms;
    const summary1 = latestRunSummary(first.dir);
    expect(run1.output).toContain('Remote caching enabled');
    expect(summary1.tasks.length).toBeGreaterThanOrEqual(3);
    expect(summary1.tasks.every((t) => t.cache.status === 'MISS')).toBe(true);
    // Uploads land under <storage>/<team>/.
    const artifacts = readdirSync(path.join(cache.storagePath, cache.team));
    expect(artifacts.length).toBeGreaterThanOrEqual(summary1.tasks.length);

    // Same commit, fresh folder: nothing built, no .turbo, only node_modules from the offline install.
    second = await cloneWorkspace(first, 'remote-cache-b');
    timings.secondSetup = second.setupMs;
    const dir = second.dir;
    for (const f of [...OUTPUTS, '.turbo']) expect(existsSync(path.join(dir, f)), f).toBe(false);

    const run2 = await second.ok(second.bin('turbo'), build, { env: cache.env, timeoutMs: 600_000 });
    timings.secondBuild = run2.ms;
    const summary2 = latestRunSummary(dir);
    expect(summary2.tasks.map((t) => t.taskId).sort()).toEqual(summary1.tasks.map((t) => t.taskId).sort());
    for (const task of summary2.tasks) {
      expect(task.cache, task.taskId).toMatchObject({ status: 'HIT', source: 'REMOTE' });
    }
    const n = summary2.tasks.length;
    expect(run2.output).toMatch(new RegExp(`Cached:\\s+${n} cached, ${n} total`));
    expect(run2.output).toContain('FULL TURBO');
    expect(run2.output).toContain('cache hit, replaying logs');
    for (const f of OUTPUTS) expect(existsSync(path.join(dir, f)), `${f} restored from the remote cache`).toBe(true);
    console.log(`remote cache: ${n} tasks, first build ${run1.ms} ms, second (all remote hits) ${run2.ms} ms`);
  });
});
