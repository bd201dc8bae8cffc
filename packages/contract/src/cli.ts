#!/usr/bin/env node
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatUsd } from './cost.js';
import { ContractSetupError, oneLine } from './errors.js';
import { DEFAULT_BUDGET, DEFAULT_SEED, MAX_SHRINK_STEPS, plannedCosts, planRequests } from './plan.js';
import { killAllPrism, stopAllPrism } from './prism.js';
import { Redactor } from './redact.js';
import { type CheckResult, formatSummary, writeReports } from './report.js';
import { loadSpec } from './spec.js';
import { buildReport, type ContractOptions, MALFORMED_AUTHORIZATION, MOCK_PROVES, runContractSuite } from './suite.js';

// IMAGEGEN_CONTRACT_LIVE_URL points --live elsewhere (a recording proxy; the suite's own tests).
const LIVE_URL = process.env.IMAGEGEN_CONTRACT_LIVE_URL || 'https://api.openai.com/v1';
const LIVE_KEY_ENV = 'OPENAI_API_KEY';
const LIVE_STREAM_IDLE_S = 45;

const HELP = `Usage: imagegen-contract [--live | --target <url>] [options]

Runs the imagegen contract suite. Default: against a Prism mock of the merged spec (offline, no key).

Targets:
  (default)              @imagegen/mock (offline, no key) through a Prism validating proxy
  --live                 ${LIVE_URL} through a Prism validating proxy; needs ${LIVE_KEY_ENV}
  --target <url>         any OpenAI-compatible server (base URL with its /v1) through the same proxy

Options:
  --key-env <name>       environment variable holding the key (default with --live: ${LIVE_KEY_ENV};
                         with --target: none, so no key is sent unless you name one)
  --yes                  with --live: spend the estimated cost (without it, --live prints the planned
                         requests and their estimated cost and sends nothing)
  --budget <n>           generated (property-based) valid requests in all (default: ${DEFAULT_BUDGET})
  --seed <n>             seed of the generated requests, to repeat a run (default: ${DEFAULT_SEED})
  --include-deprecated   with --live: also send requests to operations the spec deprecates
  --direct               with --target: talk to the target directly, without Prism's validating proxy
  --spec <file>          merged OpenAPI JSON (default: @imagegen/spec/openapi.json)
  --report-dir <dir>     where report.json and junit.xml go (default: contract-report)
  --port <n>             port for Prism on 127.0.0.1 (default: a free port)
  --timeout <s>          per-request timeout in seconds (default: 60)
  --stream-idle-timeout <s>  a stream silent this long fails as stalled (default: 10; with --live: ${LIVE_STREAM_IDLE_S},
                         as a real model can think that long before its first partial image)
  --max-response-time <s>    a response slower than this to its headers is a violation (default: none)
  --startup-timeout <s>  how long to wait for Prism to listen (default: 60)
  -h, --help             show this help

Exit codes: 0 all checks passed, 1 a check failed, 2 usage or setup error, 130 interrupted.`;

interface CliPlan {
  help: boolean;
  options: ContractOptions;
  /** --live: print the plan and its cost first. */
  live: boolean;
  /** --live without --yes: print the plan and its cost, send nothing. */
  dryRun: boolean;
}

/** Turns argv + environment into suite options; throws a one-line ContractSetupError on bad input. */
function planFromArgs(argv: string[], env: NodeJS.ProcessEnv): CliPlan {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(args).values;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const option = /option '([^']+)'/i.exec(message)?.[1] ?? /argument '([^']+)'/i.exec(message)?.[1];
    const code = (error as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new ContractSetupError(`unknown option ${option ?? ''} (see --help)`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new ContractSetupError(`unexpected argument ${option ?? ''} (see --help)`);
    throw new ContractSetupError(`${message.split('\n')[0]} (see --help)`);
  }
  if (values.help) return { help: true, options: {}, live: false, dryRun: false };
  if (values.live && values.target !== undefined) throw new ContractSetupError('use either --live or --target, not both');
  if (values.yes && !values.live) throw new ContractSetupError('--yes goes with --live (only --live spends money)');
  if (values['include-deprecated'] && !values.live)
    throw new ContractSetupError('--include-deprecated goes with --live (other modes send every operation)');
  if (values.direct && values.target === undefined) throw new ContractSetupError('--direct goes with --target');

  const options: ContractOptions = { reportDir: values['report-dir'] ?? 'contract-report' };
  if (values.spec !== undefined) options.specFile = values.spec;
  if (values.port !== undefined) options.prismPort = integer('--port', values.port, 1, 65535);
  if (values.timeout !== undefined) options.requestTimeoutMs = integer('--timeout', values.timeout, 1, 3600) * 1000;
  if (values['stream-idle-timeout'] !== undefined)
    options.streamIdleTimeoutMs = integer('--stream-idle-timeout', values['stream-idle-timeout'], 1, 3600) * 1000;
  else if (values.live) options.streamIdleTimeoutMs = LIVE_STREAM_IDLE_S * 1000;
  if (values['max-response-time'] !== undefined)
    options.maxResponseTimeMs = integer('--max-response-time', values['max-response-time'], 1, 3600) * 1000;
  if (values.budget !== undefined) options.budget = integer('--budget', values.budget, 0, 1000);
  if (values.seed !== undefined) options.seed = integer('--seed', values.seed, 0, 2 ** 31 - 1);
  if (values.live && !values['include-deprecated']) options.skipDeprecated = true;
  if (values.direct) options.direct = true;
  if (values['startup-timeout'] !== undefined)
    options.startupTimeoutMs = integer('--startup-timeout', values['startup-timeout'], 1, 600) * 1000;

  const keyEnv = values['key-env'] ?? (values.live ? LIVE_KEY_ENV : undefined);
  const key = keyEnv ? env[keyEnv]?.trim() : undefined;
  if (values.live) {
    if (!key) throw new ContractSetupError(`--live needs an API key: set ${keyEnv} (it is empty or unset)`);
    options.target = LIVE_URL;
  } else if (values.target !== undefined) {
    options.target = values.target;
    if (keyEnv && !key) throw new ContractSetupError(`--key-env ${keyEnv}: that environment variable is empty or unset`);
  } else if (values['key-env'] !== undefined) {
    throw new ContractSetupError('--key-env needs --live or --target (mock mode uses no key)');
  }
  if (key && options.target) options.apiKey = key;
  return { help: false, options, live: Boolean(values.live), dryRun: Boolean(values.live && !values.yes) };
}

function parse(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      live: { type: 'boolean' },
      target: { type: 'string' },
      'key-env': { type: 'string' },
      spec: { type: 'string' },
      'report-dir': { type: 'string' },
      port: { type: 'string' },
      timeout: { type: 'string' },
      'startup-timeout': { type: 'string' },
      'stream-idle-timeout': { type: 'string' },
      'max-response-time': { type: 'string' },
      budget: { type: 'string' },
      seed: { type: 'string' },
      yes: { type: 'boolean' },
      'include-deprecated': { type: 'boolean' },
      direct: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function integer(flag: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ContractSetupError(`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return value;
}

/** Before `--live` spends money: every planned request with its estimated cost (without `--yes`, nothing is sent). */
function printLivePlan(options: ContractOptions, sending: boolean): void {
  const spec = loadSpec(options.specFile);
  const plans = planRequests(spec, {
    budget: options.budget ?? DEFAULT_BUDGET,
    seed: options.seed ?? DEFAULT_SEED,
    skipDeprecated: options.skipDeprecated ?? true,
    malformedAuthorization: MALFORMED_AUTHORIZATION,
  });
  const costs = plannedCosts(spec, plans);
  const lines = [`imagegen-contract --live ${sending ? 'sends' : 'would send'} ${costs.length} requests to ${LIVE_URL}:`];
  for (const plan of plans) if (plan.skip) lines.push(`  - ${plan.op.operationId}: ${plan.skip}`);
  for (const c of costs) lines.push(`  ${formatUsd(c.usd).padStart(9)}  ${c.operationId} › ${c.label}`);
  const total = costs.reduce((sum, c) => sum + c.usd, 0);
  const generated = plans.reduce((n, p) => n + p.generated.length, 0);
  lines.push(
    `estimated cost: about ${formatUsd(total)} (a rough, high-side estimate; invalid requests are rejected and free; shrinking a failing generated request sends up to ${MAX_SHRINK_STEPS} more each, ${generated} generated)`,
    sending ? 'Sending them (--yes).' : 'Nothing was sent. Add --yes to send these requests.',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<number> {
  let redactor = new Redactor([]);
  const fail = (message: string) => {
    process.stderr.write(`imagegen-contract: ${redactor.redact(message)}\n`);
    return 2;
  };
  // `imagegen-contract | head` closes stdout early: stop quietly (the exit hook stops Prism).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 1);
    throw error;
  });
  const controller = new AbortController();
  const results: CheckResult[] = [];
  let header: Parameters<NonNullable<ContractOptions['onReady']>>[0] | undefined;
  let reportDir: string | undefined;
  const started = Date.now();
  let interrupted = false;
  const interrupt = (signal: 'SIGINT' | 'SIGTERM', code: number) => {
    if (interrupted) return;
    interrupted = true;
    controller.abort();
    const stopped = stopAllPrism();
    process.stderr.write(`\nimagegen-contract: interrupted (${signal}); Prism stopped\n`);
    if (header && reportDir) {
      const report = buildReport({
        mode: header.mode,
        target: header.target,
        spec: header.spec,
        prism: { version: header.prismVersion, url: header.prismUrl },
        started,
        results: [...results],
        interrupted: true,
        proves: header.proves,
      });
      const files = writeReports(JSON.parse(redactor.redact(JSON.stringify(report))), reportDir, redactor);
      process.stderr.write(`imagegen-contract: report of the ${results.length} checks finished so far: ${files.join(', ')}\n`);
    }
    // Exit once Prism has: no Prism process is left when the caller sees this process end.
    void stopped.then(() => process.exit(code));
  };
  process.once('SIGINT', () => interrupt('SIGINT', 130));
  process.once('SIGTERM', () => interrupt('SIGTERM', 143));
  // Started by a parent that dies without passing the signal on (`pnpm contract` on SIGTERM): stop as if signalled.
  const parent = process.ppid;
  const orphanWatch = setInterval(() => {
    if (process.ppid !== parent) interrupt('SIGTERM', 143);
  }, 250);
  orphanWatch.unref();
  try {
    const plan = planFromArgs(process.argv.slice(2), process.env);
    if (plan.help) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    const { options } = plan;
    redactor = new Redactor([options.apiKey]);
    if (plan.live) printLivePlan(options, !plan.dryRun);
    if (plan.dryRun) return 0;
    reportDir = options.reportDir;
    const run = await runContractSuite({
      ...options,
      signal: controller.signal,
      onReady: (info) => {
        header = info;
        const through = info.prismVersion.startsWith('none') ? 'directly' : `through Prism proxy ${info.prismVersion}`;
        const where = info.target ? `${info.target} ${through}` : `@imagegen/mock (offline) ${through}`;
        const spec = path.relative(process.cwd(), info.spec) || info.spec;
        const lines = [`imagegen-contract · ${where} at ${info.prismUrl} · spec ${spec} · key ${options.apiKey ? 'set (masked)' : 'none'}`];
        if (info.mode === 'mock') lines.push(`  ${MOCK_PROVES}`);
        process.stdout.write(redactor.redact(`${lines.join('\n')}\n`));
      },
      onProgress: (line) => process.stdout.write(`${line}\n`),
      onResult: (result) => results.push(result),
    });
    const files = run.reportFiles.map((f) => path.relative(process.cwd(), f) || f);
    process.stdout.write(`${redactor.redact(formatSummary(run, files))}\n`);
    return run.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof ContractSetupError) return fail(error.message);
    return fail(`internal error: ${oneLine(error)}`);
  } finally {
    clearInterval(orphanWatch);
    killAllPrism();
  }
}

process.exitCode = await main();
