// The load test's client role (a child process forked by load.ts, run with --expose-gc so its memory is measured
// alone): concurrent generate calls, concurrent streams, then the sequential soak. Arguments: the server's port and
// the scale as JSON; it sends `{ rows }` to its parent.
// RELIABILITY_LOAD_LEAK_BYTES (the harness's own test) keeps that much per call, as a leaking client would.
import { createImagesClient } from '@imagegen/client';
import type { LoadRow, LoadScale } from './load.js';
import { BODY, canCollect, collect, soak } from './soak.js';

const MB = 2 ** 20;
const port = Number(process.argv[2]);
const scale = JSON.parse(process.argv[3] ?? '{}') as LoadScale;

const client = createImagesClient({
  apiKey: process.env.RELIABILITY_API_KEY ?? 'sk-reliability-load',
  baseURL: `http://127.0.0.1:${port}/v1`,
  maxRetries: 2,
  // Generous: the phases measure completions and memory, not latency, and a loaded machine is slow.
  timeout: 300_000,
  streamIdleTimeout: 120_000,
  logLevel: 'warn',
});

// Counts failures without keeping results, so the soak's own bookkeeping does not grow.
let failed = 0;
let firstError: string | undefined;
const attempt = (call: () => Promise<unknown>) =>
  call().catch((error: unknown) => {
    failed++;
    firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  });

async function phase(name: string, calls: number, work: () => Promise<unknown>): Promise<LoadRow> {
  failed = 0;
  firstError = undefined;
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  const t0 = performance.now();
  await work();
  const ms = Math.round(performance.now() - t0);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  // Read through a cast: TypeScript narrows these to their reset values, not seeing the callbacks' writes.
  const failures = failed as number;
  const first = firstError as string | undefined;
  return {
    phase: name,
    calls,
    ok: calls - failures,
    failed: failures,
    ms,
    peakRssMb: Math.round(peak / MB),
    ...(first !== undefined && { firstError: first }),
    passed: failures === 0,
  };
}

const rows: LoadRow[] = [];
await collect();
rows.push(
  await phase(`${scale.concurrent} concurrent generate`, scale.concurrent, () =>
    Promise.all(Array.from({ length: scale.concurrent }, () => attempt(() => client.images.generate(BODY)))),
  ),
);
rows.push(
  await phase(`${scale.streams} concurrent streams`, scale.streams, () =>
    Promise.all(
      Array.from({ length: scale.streams }, () =>
        attempt(async () => {
          let n = 0;
          for await (const _event of await client.images.generate({ ...BODY, stream: true, partial_images: 2 })) n++;
          if (n === 0) throw new Error('stream ended without an event');
        }),
      ),
    ),
  ),
);

const leakBytes = Number(process.env.RELIABILITY_LOAD_LEAK_BYTES ?? 0);
const kept: unknown[] = [];
let growth = { rssGrowthMb: 0, heapGrowthMb: 0 };
const row = await phase(`${scale.sequential} sequential generate`, scale.sequential, async () => {
  growth = await soak(() => {
    if (leakBytes) kept.push(new Array(leakBytes / 8).fill(kept.length));
    return attempt(() => client.images.generate(BODY));
  }, scale.sequential);
});
row.rssGrowthMb = growth.rssGrowthMb;
row.heapGrowthMb = growth.heapGrowthMb;
if (!canCollect) row.firstError = 'no global.gc: growth measured without GC';
// Judged by runLoad, against the raw fetch baseline.
row.passed = row.failed === 0;
rows.push(row);
process.send?.({ rows });
process.exit(0);
