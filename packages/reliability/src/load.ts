// Load and soak: many concurrent generate calls and streams, then a long run of sequential calls, against a loopback
// server in its own process (load-server.ts). The client runs in a second child (load-client.ts, with --expose-gc)
// so its memory is measured alone, and raw fetch in a third (load-baseline.ts) gives the runtime's own RSS growth.
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

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

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Fork one role's file (`load-<role>.ts`) with its output going to `sink`. */
function start(
  role: 'server' | 'client' | 'baseline',
  args: string[],
  env: NodeJS.ProcessEnv,
  sink: (text: string) => void,
  gc: boolean,
): ChildProcess {
  const child = fork(fileURLToPath(new URL(`./load-${role}.ts`, import.meta.url)), args, {
    execArgv: [...(gc ? ['--expose-gc'] : []), '--import', tsxLoader],
    env,
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
  const env = { ...process.env, RELIABILITY_API_KEY: apiKey, RELIABILITY_LOAD_LEAK_BYTES: String(leakBytes) };
  const server = start('server', [], env, sink, false);
  let client: ChildProcess | undefined;
  let baseline: ChildProcess | undefined;
  try {
    const { port } = await nextMessage<{ port: number }>(server, 120_000, 'load server');
    client = start('client', [String(port), JSON.stringify(scale)], env, sink, true);
    const { rows } = await nextMessage<{ rows: LoadRow[] }>(client, timeoutMs, 'load client');
    server.send('path');
    const { path } = await nextMessage<{ path: string }>(server, 120_000, 'load server (path of the JSON calls)');
    baseline = start('baseline', [`http://127.0.0.1:${port}${path}`, String(scale.sequential)], env, sink, true);
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
