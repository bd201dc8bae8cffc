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

/** Bound on RSS growth across the sequential run, measured after GC (a leak of ~1 KB per call would show). */
export const SOAK_RSS_BOUND_MB = 30;

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
export async function runLoad(scale: LoadScale, { apiKey = 'sk-reliability-load', timeoutMs = 600_000 } = {}): Promise<LoadResult> {
  const started = Date.now();
  let output = '';
  const sink = (text: string) => {
    output += text;
  };
  const { RELIABILITY_LOAD_ROLE: _, ...rest } = process.env;
  const env = { ...rest, RELIABILITY_API_KEY: apiKey };
  const server = start('server', [], env, sink, false);
  let client: ChildProcess | undefined;
  try {
    const { port } = await nextMessage<{ port: number }>(server, 30_000, 'load server');
    client = start('client', [String(port), JSON.stringify(scale)], env, sink, true);
    const { rows } = await nextMessage<{ rows: LoadRow[] }>(client, timeoutMs, 'load client');
    return { rows, ok: rows.every((r) => r.passed), output, ms: Date.now() - started };
  } finally {
    await Promise.all([stop(server), client && stop(client)]);
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

async function clientRole(port: number, scale: LoadScale): Promise<void> {
  const { createImagesClient } = await import('./client.js');
  const gc = (globalThis as { gc?: () => void }).gc;
  const collect = async () => {
    for (let i = 0; i < 3; i++) {
      gc?.();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const client = createImagesClient({
    apiKey: process.env.RELIABILITY_API_KEY ?? 'sk-reliability-load',
    baseURL: `http://127.0.0.1:${port}/v1`,
    maxRetries: 2,
    timeout: 60_000,
    streamIdleTimeout: 30_000,
    logLevel: 'warn',
  });
  const body = { prompt: 'a lighthouse at dawn', model: 'gpt-image-1' } as const;

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
      Promise.all(Array.from({ length: scale.concurrent }, () => attempt(() => client.images.generate(body)))),
    ),
  );
  rows.push(
    await phase(`${scale.streams} concurrent streams`, scale.streams, () =>
      Promise.all(
        Array.from({ length: scale.streams }, () =>
          attempt(async () => {
            let n = 0;
            for await (const _event of await client.images.generate({ ...body, stream: true, partial_images: 2 })) n++;
            if (n !== 3) throw new Error(`stream ended after ${n} of 3 events`);
          }),
        ),
      ),
    ),
  );

  // Soak: warm up (pools, JIT, caches), measure after GC, run the rest, measure after GC again.
  const warm = Math.min(1000, Math.floor(scale.sequential / 4));
  const sequential = async (n: number) => {
    for (let i = 0; i < n; i++) await attempt(() => client.images.generate(body));
  };
  await sequential(warm);
  const warmFailures = failed;
  await collect();
  const rss0 = process.memoryUsage.rss();
  const heap0 = process.memoryUsage().heapUsed;
  const row = await phase(`${scale.sequential} sequential generate`, scale.sequential - warm, () => sequential(scale.sequential - warm));
  await collect();
  row.calls = scale.sequential;
  row.ok += warm - warmFailures;
  row.failed += warmFailures;
  row.rssGrowthMb = Math.round(((process.memoryUsage.rss() - rss0) / MB) * 10) / 10;
  row.heapGrowthMb = Math.round(((process.memoryUsage().heapUsed - heap0) / MB) * 10) / 10;
  if (!gc) row.firstError = 'no global.gc: growth measured without GC';
  row.passed = row.failed === 0 && row.rssGrowthMb < SOAK_RSS_BOUND_MB;
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
    r.rssGrowthMb === undefined ? '' : `RSS ${r.rssGrowthMb} MB, heap ${r.heapGrowthMb} MB (bound ${SOAK_RSS_BOUND_MB} MB)`,
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
