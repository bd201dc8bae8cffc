#!/usr/bin/env node
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ContractSetupError, oneLine } from './errors.js';
import { killAllPrism } from './prism.js';
import { Redactor } from './redact.js';
import { formatSummary } from './report.js';
import { type ContractOptions, runContractSuite } from './suite.js';

const LIVE_URL = 'https://api.openai.com/v1';
const LIVE_KEY_ENV = 'OPENAI_API_KEY';

const HELP = `Usage: imagegen-contract [--live | --target <url>] [options]

Runs the imagegen contract suite. Default: against a Prism mock of the merged spec (offline, no key).

Targets:
  (default)              Prism mock + a loopback SSE server built from the spec's examples
  --live                 ${LIVE_URL} through a Prism validating proxy; needs ${LIVE_KEY_ENV}
  --target <url>         any OpenAI-compatible server (base URL with its /v1) through the same proxy

Options:
  --key-env <name>       environment variable holding the key (default with --live: ${LIVE_KEY_ENV};
                         with --target: none, so no key is sent unless you name one)
  --spec <file>          merged OpenAPI JSON (default: @imagegen/spec/openapi.json)
  --report-dir <dir>     where report.json and junit.xml go (default: contract-report)
  --port <n>             port for Prism on 127.0.0.1 (default: a free port)
  --timeout <s>          per-request timeout in seconds (default: 120)
  --startup-timeout <s>  how long to wait for Prism to listen (default: 30)
  -h, --help             show this help

Exit codes: 0 all checks passed, 1 a check failed, 2 usage or setup error, 130 interrupted.`;

interface CliPlan {
  help: boolean;
  options: ContractOptions;
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
  if (values.help) return { help: true, options: {} };
  if (values.live && values.target !== undefined) throw new ContractSetupError('use either --live or --target, not both');

  const options: ContractOptions = { reportDir: values['report-dir'] ?? 'contract-report' };
  if (values.spec !== undefined) options.specFile = values.spec;
  if (values.port !== undefined) options.prismPort = integer('--port', values.port, 1, 65535);
  if (values.timeout !== undefined) options.requestTimeoutMs = integer('--timeout', values.timeout, 1, 3600) * 1000;
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
  return { help: false, options };
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
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      killAllPrism();
      process.stderr.write(`\nimagegen-contract: interrupted (${signal}); Prism stopped\n`);
      process.exit(code);
    });
  }
  try {
    const plan = planFromArgs(process.argv.slice(2), process.env);
    if (plan.help) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    const { options } = plan;
    redactor = new Redactor([options.apiKey]);
    const run = await runContractSuite({
      ...options,
      onReady: (info) => {
        const where = info.target ? `${info.target} through Prism proxy ${info.prismVersion}` : `Prism mock ${info.prismVersion} (offline)`;
        const spec = path.relative(process.cwd(), info.spec) || info.spec;
        process.stdout.write(
          redactor.redact(
            `imagegen-contract · ${where} at ${info.prismUrl} · spec ${spec} · key ${options.apiKey ? 'set (masked)' : 'none'}\n`,
          ),
        );
      },
      onProgress: (line) => process.stdout.write(`${line}\n`),
    });
    const files = run.reportFiles.map((f) => path.relative(process.cwd(), f) || f);
    process.stdout.write(`${redactor.redact(formatSummary(run, files))}\n`);
    return run.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof ContractSetupError) return fail(error.message);
    return fail(`internal error: ${oneLine(error)}`);
  } finally {
    killAllPrism();
  }
}

process.exitCode = await main();
