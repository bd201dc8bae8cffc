// The reliability suite as one report: fault scenarios and bad requests (scenario × outcome × time × leaks), then the
// load/soak table, and the wall time (spec mutations are codegen's tests: packages/types/test/spec-mutation.test.ts). Exits 1 if anything failed; every wait is bounded.
//
//   tsx scripts/reliability/run.ts            CI scale: load 200/50/2,000
//   tsx scripts/reliability/run.ts --full     full scale: load 1,000/200/20,000
//
// Options: --only faults,requests,load  --exclude <scenario name part>  --print-logs (client debug lines)
// The key used is RELIABILITY_API_KEY (default: a fake one); it must appear nowhere in the output.
import { parseArgs } from 'node:util';
import { badRequests, checkBadRequest } from './bad-requests.js';
import { closeSuiteContext, createSuiteContext, runScenario } from './fault-suite.js';
import { formatLoadTable, type LoadResult, runLoad, SCALES, table } from './load.js';
import { scenarios } from './scenarios.js';

const { values } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    only: { type: 'string', default: 'faults,requests,load' },
    exclude: { type: 'string', multiple: true, default: [] },
    'print-logs': { type: 'boolean', default: false },
  },
});
const parts = new Set(values.only.split(',').map((s) => s.trim()));
const full = values.full;
const apiKey = process.env.RELIABILITY_API_KEY || 'sk-reliability-run-0000';
const started = Date.now();

// Whatever happens below, the run ends: the parts have their own bounds, this is the last resort.
const watchdogMs = full ? 30 * 60_000 : 8 * 60_000;
setTimeout(() => {
  console.error(`reliability: the run exceeded ${watchdogMs / 60_000} min and was stopped`);
  process.exit(2);
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
          `${r.boundMs} ms`,
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
          '1000 ms',
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
      ['scenario', 'expected', 'outcome', 'time', 'bound', 'peak RSS Δ', 'requests', 'leaks', 'result'],
      rows.map((r) => r.map(cell)),
    ),
  );
  console.log('');
}

let load: LoadResult | undefined;
if (parts.has('load')) {
  const scale = full ? SCALES.full : SCALES.ci;
  try {
    load = await runLoad(scale, { apiKey, timeoutMs: full ? 600_000 : 180_000 });
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
