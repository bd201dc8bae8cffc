import { parseArgs } from 'node:util';
import { FAULT_HEADER, FAULT_NAMES, FaultSyntaxError } from './faults.js';
import { type MockOptions, type MockServer, startMock } from './server.js';
import { SpecError } from './spec.js';

const HELP = `imagegen-mock: a faithful offline OpenAI Images API, driven by the merged imagegen spec

Usage: imagegen-mock [--port N] [--host 127.0.0.1] [--spec file] [--key K] [--seed S] [--pacing-ms N]

  --port N        port to listen on (default 0: any free port)
  --host H        address to bind (default 127.0.0.1)
  --spec FILE     merged OpenAPI document (default: @imagegen/spec's openapi.json)
  --key K         accept only this API key (default: any "Authorization: Bearer …")
  --seed S        seed for request ids, image colours and random faults
  --pacing-ms N   delay between stream events (default 0)
  -h, --help      this text

Prints "imagegen-mock listening on http://HOST:PORT/v1" first, then serves until SIGINT or SIGTERM.
Ask for a fault per request with the header ${FAULT_HEADER}, e.g. "429;retry-after-ms=200", "503", "reset",
"stall-after-events=1", "delay-ms=500". Faults: ${FAULT_NAMES.join(', ')}.
`;

export class UsageError extends Error {}

function integer(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${value}'`);
  return n;
}

/** Options from argv, or `'help'`. Throws `UsageError` with one line naming the bad option. */
export function parseCli(argv: string[]): MockOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        spec: { type: 'string' },
        key: { type: 'string' },
        seed: { type: 'string' },
        'pacing-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  if (values.help) return 'help';
  const options: MockOptions = {};
  const port = integer('port', values.port as string | undefined, 0, 65535);
  const pacingMs = integer('pacing-ms', values['pacing-ms'] as string | undefined, 0, 3_600_000);
  if (port !== undefined) options.port = port;
  if (pacingMs !== undefined) options.pacingMs = pacingMs;
  if (typeof values.host === 'string') options.host = values.host;
  if (typeof values.spec === 'string') options.spec = values.spec;
  if (typeof values.key === 'string') options.key = values.key;
  if (typeof values.seed === 'string') options.seed = values.seed;
  return options;
}

/** Runs the CLI; resolves with the exit code once the mock has stopped (or failed to start). */
export async function main(argv: string[]): Promise<number> {
  let options: MockOptions | 'help';
  try {
    options = parseCli(argv);
  } catch (error) {
    process.stderr.write(`imagegen-mock: ${(error as Error).message} (see --help)\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  let mock: MockServer;
  try {
    mock = await startMock(options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      error instanceof SpecError || error instanceof FaultSyntaxError
        ? error.message
        : code === 'EADDRINUSE'
          ? `port ${options.port} on ${options.host ?? '127.0.0.1'} is already in use (pick another with --port)`
          : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND'
            ? `cannot listen on --host ${options.host}: ${code}`
            : code === 'EACCES'
              ? `not allowed to listen on port ${options.port} (EACCES)`
              : (error as Error).message;
    process.stderr.write(`imagegen-mock: ${message}\n`);
    return 2;
  }
  process.stdout.write(`imagegen-mock listening on ${mock.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await mock.close();
  return 0;
}
