// The reliability suite as one report: fault scenarios and bad requests (outcome × time × leaks), then the load and
// soak table, and the wall time. Exits 1 if anything failed. Times are reported, not judged: only a hang fails.
import { parseCli, usageError } from '@imagegen/scripts/cli-args';
import { badRequests, checkBadRequest } from './bad-requests.js';
import { closeSuiteContext, createSuiteContext, runScenario } from './fault-suite.js';
import { formatLoadTable, runLoad, SCALES, table } from './load.js';
import { scenarios } from './scenarios.js';

const PARTS = ['faults', 'requests', 'load'] as const;
const name = 'pnpm reliability';
const { values } = parseCli({
  name,
  usage: `
Usage: ${name} [--full] [--only <parts>] [--exclude <name part>]... [--print-logs]

Runs the reliability suite against @imagegen/client on 127.0.0.1 and prints one report: each fault scenario and bad
request (expected and actual outcome, time, peak RSS, requests, leaked handles), then the load and soak table.
Exits 1 if anything failed, 2 on a usage error. The key used is RELIABILITY_API_KEY (default: a fake one); it is
masked in the report.

  --full                  load at full scale (1,000 concurrent, 200 streams, 20,000 sequential; default 200/50/2,000)
  --only <parts>          comma-separated, of ${PARTS.join(', ')} (default: all)
  --exclude <name part>   skip the fault scenarios whose name contains it (repeatable)
  --print-logs            print every client log line (debug level) after the report
  -h, --help              this text`,
  options: {
    full: { type: 'boolean', default: false },
    only: { type: 'string', default: PARTS.join(',') },
    exclude: { type: 'string', multiple: true, default: [] },
    'print-logs': { type: 'boolean', default: false },
  },
});
const parts = new Set(values.only.split(',').map((s) => s.trim()));
for (const part of parts) {
  if (!(PARTS as readonly string[]).includes(part)) usageError(name, `--only takes ${PARTS.join(', ')}; got ${JSON.stringify(part)}`);
}
const full = values.full;
const apiKey = process.env.RELIABILITY_API_KEY || 'sk-reliability-run-0000';
const started = Date.now();

// Whatever happens below, the run ends: the parts have their own hang bounds, this is the last resort.
const watchdogMs = full ? 60 * 60_000 : 20 * 60_000;
setTimeout(() => {
  console.error(`reliability: the run exceeded ${watchdogMs / 60_000} min and was stopped`);
  process.exit(1);
}, watchdogMs).unref();

let failed = 0;
const rows: string[][] = [];
let logs: string[] = [];

if (parts.has('faults') || parts.has('requests')) {
  const ctx = await createSuiteContext(apiKey);
  try {
    if (parts.has('faults')) {
      for (const scenario of scenarios) {
        if (values.exclude.some((x) => scenario.name.includes(x))) continue;
        const r = await runScenario(scenario, ctx);
        if (!r.ok) failed++;
        rows.push([
          r.name,
          r.expected,
          r.outcome,
          `${r.ms} ms`,
          `${r.peakRssDeltaMb} MB`,
          String(r.requests),
          r.leaks.length ? r.leaks.join(', ') : 'none',
          r.ok ? 'pass' : `FAIL: ${r.problems.join('; ')}`,
        ]);
      }
    }
    if (parts.has('requests')) {
      for (const bad of badRequests) {
        const r = await checkBadRequest(bad, ctx.server, ctx.files);
        if (r.problems.length) failed++;
        rows.push([
          `bad request: ${r.name}`,
          bad.expect.name,
          r.outcome,
          `${r.ms} ms`,
          '-',
          String(r.requests),
          '-',
          r.problems.length ? `FAIL: ${r.problems.join('; ')}` : 'pass',
        ]);
      }
    }
  } finally {
    logs = ctx.logger.lines;
    await closeSuiteContext(ctx);
  }
  // An error that leaks the key is already a failed row (its scenario checks that); the table never prints the key.
  const cell = (c: string) => {
    const masked = c.replaceAll(apiKey, '‹API key›');
    return masked.length > 90 ? `${masked.slice(0, 89)}…` : masked;
  };
  console.log(
    table(
      ['scenario', 'expected', 'outcome', 'time', 'peak RSS Δ', 'requests', 'leaks', 'result'],
      rows.map((r) => r.map(cell)),
    ),
  );
  console.log('');
}

if (parts.has('load')) {
  const scale = full ? SCALES.full : SCALES.ci;
  try {
    const load = await runLoad(scale, { apiKey, timeoutMs: full ? 30 * 60_000 : 10 * 60_000 });
    if (!load.ok) failed++;
    console.log(`load and soak (${full ? 'full' : 'CI'} scale, server and client in separate processes)`);
    console.log(formatLoadTable(load));
    if (load.output.trim()) console.log(`child output:\n${load.output.trim()}`);
  } catch (error) {
    failed++;
    console.log(`load: FAIL: ${(error as Error).message}`);
  }
  console.log('');
}

if (values['print-logs']) {
  console.log(`client log lines (${logs.length}, level debug):`);
  for (const line of logs) console.log(line);
  console.log('');
}

const wall = ((Date.now() - started) / 1000).toFixed(1);
console.log(`reliability: ${failed ? `${failed} failure(s)` : 'all passed'}; wall time ${wall} s`);
process.exitCode = failed ? 1 : 0;
