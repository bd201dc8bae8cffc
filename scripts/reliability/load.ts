// Load and soak: many concurrent generate calls and streams, then a long run of sequential calls, against a loopback
// server in its own process. The client runs in a second child (with --expose-gc) so its memory is measured alone.
//
//   tsx scripts/reliability/load.ts            full scale: 1,000 concurrent, 200 streams, 20,000 sequential
//   tsx scripts/reliability/load.ts --scale ci  CI scale:   200 concurrent, 50 streams, 2,000 sequential
import { type ChildProcess, fork } from 'node:child_process';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface LoadScale {
  concurrent: number;
  streams: number;
  sequential: number;
}

export const SCALES: Record<'ci' | 'full', LoadScale> = {
  ci: { concurrent: 200, streams: 50, sequential: 2_000 },
  full: { concurrent: 1_000, streams: 200, sequential: 20_000 },
};

/**
 * Bound on RSS growth across the sequential run, measured after GC, beyond what raw `fetch` grows over the same
 * soak in the same runtime (a baseline process): Node 24's fetch alone grows RSS by about 100 MB over 19,000 calls
 * while its heap stays flat, which is the runtime's, not the client's. A leak of ~1.5 KB per call would show.
 */
export const SOAK_RSS_BOUND_MB = 30;
/** Bound on JS heap growth across the sequential run, after GC: the client's own objects (~0.5 KB per call would show). */
export const SOAK_HEAP_BOUND_MB = 10;

export interface LoadRow {
  phase: string;
  calls: number;
  ok: number;
  failed: number;
  ms: number;
  /** Peak RSS of the client process during the phase. */
  peakRssMb: number;
  /** Sequential phase only: RSS and heap growth between the warmed-up start and the end, both after GC. */
  rssGrowthMb?: number;
  heapGrowthMb?: number;
  /** Sequential phase only: the RSS growth of raw `fetch` over the same soak, in a process of its own. */
  baselineRssGrowthMb?: number;
  firstError?: string;
  passed: boolean;
}

export interface LoadResult {
  rows: LoadRow[];
  ok: boolean;
  /** Everything the child processes wrote to stdout/stderr (the secret scan reads it). */
  output: string;
  ms: number;
}

const MB = 2 ** 20;
const here = fileURLToPath(import.meta.url);
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Fork this file in a role; resolves with the child once it sent its first message. */
function start(role: string, args: string[], env: NodeJS.ProcessEnv, sink: (text: string) => void, gc: boolean): ChildProcess {
  const child = fork(here, args, {
    execArgv: [...(gc ? ['--expose-gc'] : []), '--import', tsxLoader],
    env: { ...env, RELIABILITY_LOAD_ROLE: role },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.on('data', (d: Buffer) => sink(d.toString()));
  child.stderr?.on('data', (d: Buffer) => sink(d.toString()));
  return child;
}

function nextMessage<T>(child: ChildProcess, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (m: unknown) => {
      cleanup();
      resolve(m as T);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`${what}: child exited with ${code} before answering`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/**
 * Run the load phases with the client in one child process and the server in another. Every wait is bounded
 * (`timeoutMs` for the whole run); children are killed on the way out.
 */
export async function runLoad(
  scale: LoadScale,
  { apiKey = 'sk-reliability-load', timeoutMs = 600_000, leakBytes = 0 } = {},
): Promise<LoadResult> {
  const started = Date.now();
  let output = '';
  const sink = (text: string) => {
    output += text;
  };
  const { RELIABILITY_LOAD_ROLE: _, ...rest } = process.env;
  const env = { ...rest, RELIABILITY_API_KEY: apiKey, RELIABILITY_LOAD_LEAK_BYTES: String(leakBytes) };
  const server = start('server', [], env, sink, false);
  let client: ChildProcess | undefined;
  let baseline: ChildProcess | undefined;
  try {
    const { port } = await nextMessage<{ port: number }>(server, 30_000, 'load server');
    client = start('client', [String(port), JSON.stringify(scale)], env, sink, true);
    const { rows } = await nextMessage<{ rows: LoadRow[] }>(client, timeoutMs, 'load client');
    baseline = start('baseline', [String(port), JSON.stringify(scale)], env, sink, true);
    const raw = await nextMessage<{ rssGrowthMb: number; failed: number; firstError?: string }>(
      baseline,
      timeoutMs,
      'load baseline (raw fetch)',
    );
    const soak = rows.at(-1) as LoadRow;
    soak.baselineRssGrowthMb = raw.rssGrowthMb;
    if (raw.failed) soak.firstError ??= `raw fetch baseline: ${raw.failed} failed (${raw.firstError})`;
    soak.passed =
      soak.failed === 0 &&
      raw.failed === 0 &&
      (soak.rssGrowthMb ?? Infinity) < SOAK_RSS_BOUND_MB + Math.max(0, raw.rssGrowthMb) &&
      (soak.heapGrowthMb ?? Infinity) < SOAK_HEAP_BOUND_MB;
    return { rows, ok: rows.every((r) => r.passed), output, ms: Date.now() - started };
  } finally {
    await Promise.all([stop(server), client && stop(client), baseline && stop(baseline)]);
  }
}

// ---- child roles ------------------------------------------------------------------------------------------------

const RESPONSE = JSON.stringify({
  created: 1_700_000_000,
  data: [{ b64_json: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==' }],
});
const EVENT = (type: string, extra: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, b64_json: 'iVBORw0KGgo=', created_at: 1, size: '1024x1024', quality: 'low', background: 'opaque', output_format: 'png', ...extra })}\n\n`;

async function serverRole(): Promise<void> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('error', () => {});
    res.on('error', () => {});
    req.on('end', () => {
      if (req.headers.authorization !== `Bearer ${process.env.RELIABILITY_API_KEY}`) {
        res.writeHead(401, { 'content-type': 'application/json' });
        return res.end('{"error":{"message":"bad key","type":"invalid_request_error","param":null,"code":null}}');
      }
      if (req.headers.accept !== 'text/event-stream') {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(RESPONSE),
          'x-request-id': 'req_load',
        });
        return res.end(RESPONSE);
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const frames = [
        EVENT('image_generation.partial_image', { partial_image_index: 0 }),
        EVENT('image_generation.partial_image', { partial_image_index: 1 }),
        EVENT('image_generation.completed', { usage: { total_tokens: 1, input_tokens: 1, output_tokens: 0 } }),
      ];
      let i = 0;
      const timer = setInterval(() => {
        const frame = frames[i++];
        if (frame) res.write(frame);
        else {
          clearInterval(timer);
          res.end();
        }
      }, 5);
      res.on('close', () => clearInterval(timer));
    });
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  process.send?.({ port: (server.address() as AddressInfo).port });
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0));
}

/** The generation request of every load call, the client's and the raw fetch baseline's. */
const BODY = { prompt: 'a lighthouse at dawn', model: 'gpt-image-1' } as const;

const gc = (globalThis as { gc?: () => void }).gc;
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The soak: warm-up calls (pools, JIT, caches), GC, then the rest of `total`, GC again; RSS and heap growth between
 * the two GCs. `call` counts its own failures.
 */
async function soak(call: () => Promise<unknown>, total: number): Promise<{ rssGrowthMb: number; heapGrowthMb: number }> {
  const warm = Math.min(1000, Math.floor(total / 4));
  for (let i = 0; i < warm; i++) await call();
  await collect();
  const rss0 = process.memoryUsage.rss();
  const heap0 = process.memoryUsage().heapUsed;
  for (let i = warm; i < total; i++) await call();
  await collect();
  const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10;
  return { rssGrowthMb: mb(process.memoryUsage.rss() - rss0), heapGrowthMb: mb(process.memoryUsage().heapUsed - heap0) };
}

/** The soak's baseline: the same request with raw `fetch` (what the client sends, without the client). */
async function baselineRole(port: number, scale: LoadScale): Promise<void> {
  let failed = 0;
  let firstError: string | undefined;
  const request = {
    method: 'POST',
    headers: { Authorization: `Bearer ${process.env.RELIABILITY_API_KEY}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(BODY),
  };
  const call = () =>
    fetch(`http://127.0.0.1:${port}/v1/images/generations`, request)
      .then((res) => (res.ok ? res.json() : Promise.reject(new Error(`HTTP ${res.status}`))))
      .catch((error: unknown) => {
        failed++;
        firstError ??= String(error);
      });
  await collect();
  const { rssGrowthMb } = await soak(call, scale.sequential);
  process.send?.({ rssGrowthMb, failed, ...(firstError !== undefined && { firstError }) });
  process.exit(0);
}

async function clientRole(port: number, scale: LoadScale): Promise<void> {
  const { createImagesClient } = await import('./client.js');
  const client = createImagesClient({
    apiKey: process.env.RELIABILITY_API_KEY ?? 'sk-reliability-load',
    baseURL: `http://127.0.0.1:${port}/v1`,
    maxRetries: 2,
    timeout: 60_000,
    streamIdleTimeout: 30_000,
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
            if (n !== 3) throw new Error(`stream ended after ${n} of 3 events`);
          }),
        ),
      ),
    ),
  );

  // Soak: warm up (pools, JIT, caches), measure after GC, run the rest, measure after GC again.
  // RELIABILITY_LOAD_LEAK_BYTES (the harness's own test): keep that much per call, as a leaking client would.
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
  if (!gc) row.firstError = 'no global.gc: growth measured without GC';
  // Judged by runLoad, against the raw fetch baseline.
  row.passed = row.failed === 0;
  rows.push(row);
  process.send?.({ rows });
  process.exit(0);
}

/** The load rows as an aligned text table. */
export function formatLoadTable(result: LoadResult): string {
  const header = ['phase', 'ok', 'failed', 'time', 'peak RSS', 'growth after GC', 'result'];
  const lines = result.rows.map((r) => [
    r.phase,
    String(r.ok),
    String(r.failed),
    `${r.ms} ms`,
    `${r.peakRssMb} MB`,
    r.rssGrowthMb === undefined
      ? ''
      : `RSS ${r.rssGrowthMb} MB (raw fetch ${r.baselineRssGrowthMb ?? '?'} MB; bound +${SOAK_RSS_BOUND_MB}), heap ${r.heapGrowthMb} MB (bound ${SOAK_HEAP_BOUND_MB})`,
    r.passed ? 'pass' : `FAIL${r.firstError ? `: ${r.firstError}` : ''}`,
  ]);
  return table(header, lines);
}

/** Left-aligned columns separated by two spaces, with a rule under the header. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const role = process.env.RELIABILITY_LOAD_ROLE;
if (role === 'server') await serverRole();
else if (role === 'baseline') await baselineRole(Number(process.argv[2]), JSON.parse(process.argv[3] ?? '{}') as LoadScale);
else if (role === 'client') await clientRole(Number(process.argv[2]), JSON.parse(process.argv[3] ?? '{}') as LoadScale);
else if (process.argv[1] === here) {
  const { values } = parseArgs({ options: { scale: { type: 'string', default: 'full' } } });
  const scale = SCALES[values.scale as 'ci' | 'full'];
  if (!scale) {
    console.error(`load: --scale must be ci or full, got ${values.scale}`);
    process.exit(2);
  }
  const result = await runLoad(scale);
  console.log(formatLoadTable(result));
  console.log(`load: ${result.ok ? 'pass' : 'FAIL'} in ${(result.ms / 1000).toFixed(1)} s`);
  if (result.output.trim()) console.log(`child output:\n${result.output}`);
  process.exitCode = result.ok ? 0 : 1;
}
