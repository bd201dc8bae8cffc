// Runs fault scenarios against the client, one at a time, and measures what a user would notice: the outcome (value
// or error class), the time it took, unhandled rejections, and sockets/timers/file handles left open afterwards.
import { createHook } from 'node:async_hooks';
import { mkdtempSync, openAsBlob, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { type ClientOptions, createImagesClient, getResponseMeta, type ImagesClient, type Logger } from '@imagegen/client';
import { type FaultSpec, type MockRequest, type MockServer, startMock } from '@imagegen/mock';

type ErrorClass = abstract new (...args: never[]) => Error;

export interface ScenarioEnv {
  /** Pass it as the request's `signal`: the runner aborts it when a call overruns its hard limit. */
  signal: AbortSignal;
  server: MockServer;
  /** Events read from a stream by {@link drain}, in order (also when the stream then fails). */
  events: unknown[];
  files: SuiteFiles;
}

export interface ScenarioRun {
  value: unknown;
  error: unknown;
  ms: number;
  requests: MockRequest[];
  events: unknown[];
  peakRssDeltaMb: number;
  files: SuiteFiles;
  apiKey: string;
  /** Log lines the client wrote during this scenario. */
  logLines: string[];
}

export interface Scenario {
  name: string;
  /**
   * The mock's faults (`x-imagegen-mock-fault` syntax or a plan): a list is one per request, then normal answers; a
   * single fault answers every request. Default: none (the mock answers as the API would).
   */
  faults?: FaultSpec[] | FaultSpec;
  /**
   * A server of the scenario's own instead of the mock, for a deviation the mock deliberately does not offer
   * (closed after the call).
   */
  target?: () => Promise<{ url: string; close(): Promise<void> }>;
  /** Client options over the suite's defaults (`maxRetries: 2`, `timeout: 30_000`, `streamIdleTimeout: 30_000`). */
  client?: Partial<ClientOptions>;
  call(client: ImagesClient, env: ScenarioEnv): Promise<unknown>;
  /** `'success'` or the exact error class the call must throw (a subclass also counts with `subclassOk`). */
  expect: 'success' | ErrorClass;
  subclassOk?: boolean;
  /** Extra checks; each returned string is a problem. */
  check?(run: ScenarioRun): string[];
}

export interface ScenarioResult {
  name: string;
  expected: string;
  outcome: string;
  /** How long the call took: reported, never judged (only a hang fails). */
  ms: number;
  requests: number;
  /** Resources (sockets, timers, file handles) still open after the call, beyond what was open before. */
  leaks: string[];
  unhandled: string[];
  problems: string[];
  peakRssDeltaMb: number;
  ok: boolean;
  /** The thrown error, kept for the secret scan (not printed). */
  error: unknown;
  logLines: string[];
}

export interface CapturingLogger extends Logger {
  lines: string[];
}

/** A logger that keeps every line, details rendered in full, as a user's log sink would receive them. */
export function capturingLogger(): CapturingLogger {
  const lines: string[] = [];
  const record =
    (level: string) =>
    (message: string, ...details: unknown[]) => {
      lines.push([level, message, ...details.map((d) => inspect(d, { depth: Number.POSITIVE_INFINITY }))].join(' '));
    };
  return { lines, error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug') };
}

export interface SuiteFiles {
  dir: string;
  /** A PNG-signature file of 256 KiB on disk (for `fromPath`). */
  png: string;
  pngBytes: Buffer;
  /** A text file that is not an image. */
  textFile: string;
  /** A directory (not readable as a file). */
  directory: string;
  missing: string;
}

export function createSuiteFiles(): SuiteFiles {
  const dir = mkdtempSync(path.join(tmpdir(), 'imagegen-reliability-'));
  const pngBytes = Buffer.alloc(256 << 10);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(pngBytes);
  // Deterministic filler, including bytes that look like CRLF and dashes (multipart delimiters).
  for (let i = 8, x = 7; i < pngBytes.length; i++) pngBytes[i] = x = (x * 1103515245 + 12345) & 0xff;
  const png = path.join(dir, 'input.png');
  writeFileSync(png, pngBytes);
  const textFile = path.join(dir, 'notes.txt');
  writeFileSync(textFile, 'these are notes, not an image\n');
  return { dir, png, pngBytes, textFile, directory: dir, missing: path.join(dir, 'missing.png') };
}

export function removeSuiteFiles(files: SuiteFiles): void {
  rmSync(files.dir, { recursive: true, force: true });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Handles that keep the process alive, by type, plus the open file descriptors (`fds`: sockets, including
 * unref'd pooled ones, and files). Node lists one `FileHandleReadWrap` per process once any file-backed Blob was
 * read; the suite reads one at start so it is part of every baseline.
 */
function resourceCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of process.getActiveResourcesInfo()) counts.set(name, (counts.get(name) ?? 0) + 1);
  const fds = openFds();
  if (fds !== undefined) counts.set('fds', fds);
  return counts;
}

function openFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined; // not Linux: the handle counts still apply
  }
}

function resourceDiff(before: Map<string, number>, after: Map<string, number>): string[] {
  const out: string[] = [];
  for (const [name, n] of after) {
    const extra = n - (before.get(name) ?? 0);
    if (extra > 0) out.push(`${name} +${extra}`);
  }
  return out;
}

/**
 * The ways a value (an error, usually) can be turned into text by a user: `JSON.stringify`, `String`, `util.inspect`
 * (default and full depth), and its response meta. Returns the ones whose text contains `secret`.
 */
export function secretLeaks(value: unknown, secret: string): string[] {
  const renderings: Record<string, () => string> = {
    'JSON.stringify': () => JSON.stringify(value) ?? '',
    String: () => String(value),
    'util.inspect': () => inspect(value),
    'util.inspect(depth ∞)': () => inspect(value, { depth: Number.POSITIVE_INFINITY }),
    stack: () => String((value as Error | undefined)?.stack),
    'getResponseMeta().headers': () => {
      const meta = value && typeof value === 'object' ? getResponseMeta(value) : undefined;
      return meta ? JSON.stringify(Object.fromEntries(meta.headers)) : '';
    },
  };
  return Object.entries(renderings)
    .filter(([, render]) => {
      try {
        return render().includes(secret);
      } catch {
        return false;
      }
    })
    .map(([name]) => name);
}

// Not FILEHANDLE: Node reports a blob reader's file handle destroyed only at GC, long after it is closed. Open
// files are counted through the process's file descriptors instead.
const TRACKED: Record<string, string> = { Timeout: 'Timeout', TCPWRAP: 'TCPSocketWrap', PIPEWRAP: 'PipeWrap' };

/**
 * The resources created while it is enabled and still open: a leak that a net count by type can miss when
 * something unrelated (the test runner's own timer) closes meanwhile.
 */
function trackResources() {
  const live = new Map<number, { type: string; resource: unknown }>();
  const hook = createHook({
    init(id, type, _trigger, resource) {
      if (type in TRACKED) live.set(id, { type, resource });
    },
    destroy(id) {
      live.delete(id);
    },
  }).enable();
  return {
    open(): Map<string, number> {
      const counts = new Map<string, number>();
      for (const { type, resource } of live.values()) {
        const timer = resource as { _destroyed?: boolean; hasRef?: () => boolean };
        if (type === 'Timeout' && (timer._destroyed || !timer.hasRef?.())) continue;
        const name = TRACKED[type] as string;
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
      return counts;
    },
    stop: () => hook.disable(),
  };
}

/** Read a stream to its end, keeping its events in `env.events`; returns the number of events. */
export async function drain(stream: AsyncIterable<unknown>, env: ScenarioEnv): Promise<number> {
  for await (const event of stream) env.events.push(event);
  return env.events.length;
}

function describeOutcome(error: unknown): string {
  if (error === undefined) return 'success';
  const e = error as { constructor?: { name?: string }; message?: unknown };
  return `${e?.constructor?.name ?? typeof error}: ${String(e?.message ?? error).slice(0, 90)}`;
}

export interface SuiteContext {
  server: MockServer;
  apiKey: string;
  logger: CapturingLogger;
  files: SuiteFiles;
}

export async function createSuiteContext(apiKey: string): Promise<SuiteContext> {
  const files = createSuiteFiles();
  await (await openAsBlob(files.png)).slice(0, 8).arrayBuffer();
  return { server: await startMock({ key: apiKey, seed: 'reliability' }), apiKey, logger: capturingLogger(), files };
}

export async function closeSuiteContext(ctx: SuiteContext): Promise<void> {
  await ctx.server.close();
  removeSuiteFiles(ctx.files);
}

/** A call that has not settled after this long hangs: it is aborted and the scenario fails. */
export const HANG_MS = 120_000;
/** How long resources may take to close after the call before they count as leaked. */
export const SETTLE_MS = 10_000;

export interface RunOptions {
  /** Default {@link HANG_MS}. */
  hangMs?: number;
  /** Default {@link SETTLE_MS}. */
  settleMs?: number;
}

/**
 * Run one scenario: script the server, call the client (aborted and failed as a hang after `hangMs`), then close
 * idle keep-alive connections and wait (at most `settleMs`) for the process to be back to the resources it had
 * before the call. The time the call took is reported, never judged: on a busy machine it says nothing.
 */
export async function runScenario(
  scenario: Scenario,
  ctx: SuiteContext,
  { hangMs = HANG_MS, settleMs = SETTLE_MS }: RunOptions = {},
): Promise<ScenarioResult> {
  const { server } = ctx;
  server.setFaults(scenario.faults === undefined ? {} : { '*': scenario.faults });
  server.requests.length = 0;
  const target = await scenario.target?.();
  const client = createImagesClient({
    apiKey: ctx.apiKey,
    baseURL: target?.url ?? server.url,
    logger: ctx.logger,
    logLevel: 'debug',
    maxRetries: 2,
    // Generous, so that only the scenarios about timeouts (which set their own) meet one on a loaded machine.
    timeout: 30_000,
    streamIdleTimeout: 30_000,
    ...scenario.client,
  });
  const unhandled: string[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(describeOutcome(reason));
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);

  const firstLogLine = ctx.logger.lines.length;
  const hard = new AbortController();
  const env: ScenarioEnv = { signal: hard.signal, server, events: [], files: ctx.files };
  const before = resourceCounts();
  const tracker = trackResources();
  const rss0 = process.memoryUsage.rss();
  let peak = rss0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  const started = performance.now();
  let value: unknown;
  let error: unknown;
  let settled = false;
  const problems: string[] = [];
  const call = scenario.call(client, env).then(
    (v) => {
      settled = true;
      value = v;
    },
    (e: unknown) => {
      settled = true;
      error = e;
    },
  );
  const hardLimit = hangMs;
  let limit: NodeJS.Timeout | undefined;
  const overrun = new Promise((resolve) => {
    limit = setTimeout(resolve, hardLimit);
  });
  await Promise.race([call, overrun]);
  clearTimeout(limit);
  if (!settled) {
    problems.push(`did not settle within ${hardLimit} ms (hang); aborted`);
    hard.abort(new Error('reliability: hard limit'));
    await Promise.race([call, sleep(2000)]);
  }
  const ms = Math.round(performance.now() - started);
  clearInterval(sampler);
  await target?.close();
  peak = Math.max(peak, process.memoryUsage.rss());

  // Late failures (a rejection nobody awaited) surface after a few turns of the event loop.
  await sleep(20);
  let leaks: string[] = [];
  let inFlight = 0;
  for (const deadline = Date.now() + settleMs; ; ) {
    server.closeIdle();
    await sleep(20); // lets the client see the closes
    const after = resourceCounts();
    leaks = resourceDiff(before, after);
    for (const [name, n] of tracker.open()) {
      if (!leaks.some((l) => l.startsWith(`${name} `))) leaks.push(`${name} +${n}`);
    }
    inFlight = server.inFlight();
    if ((!leaks.length && !inFlight && !server.connections()) || Date.now() > deadline) break;
  }
  tracker.stop();
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
  if (inFlight) leaks.push(`server: ${inFlight} response(s) still open`);

  const expected = scenario.expect === 'success' ? 'success' : `${scenario.expect.name}${scenario.subclassOk ? ' (or subclass)' : ''}`;
  if (settled) {
    if (scenario.expect === 'success') {
      if (error !== undefined) problems.push(`expected success, got ${describeOutcome(error)}`);
    } else if (error === undefined) {
      problems.push(`expected ${expected}, but the call succeeded`);
    } else if (scenario.subclassOk ? !(error instanceof scenario.expect) : (error as object).constructor !== scenario.expect) {
      problems.push(`expected ${expected}, got ${describeOutcome(error)}`);
    }
  }
  const run: ScenarioRun = {
    value,
    error,
    ms,
    requests: [...server.requests],
    events: env.events,
    peakRssDeltaMb: (peak - rss0) / 2 ** 20,
    files: ctx.files,
    apiKey: ctx.apiKey,
    logLines: ctx.logger.lines.slice(firstLogLine),
  };
  if (settled) problems.push(...(scenario.check?.(run) ?? []));
  if (unhandled.length) problems.push(`unhandled: ${unhandled.join('; ')}`);
  if (leaks.length) problems.push(`leaked: ${leaks.join(', ')}`);
  return {
    name: scenario.name,
    expected,
    outcome: settled ? describeOutcome(error) : 'hang',
    ms,
    requests: run.requests.length,
    leaks,
    unhandled,
    problems,
    peakRssDeltaMb: Math.round(run.peakRssDeltaMb),
    ok: problems.length === 0,
    error,
    logLines: run.logLines,
  };
}
