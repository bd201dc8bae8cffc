// Argument parsing for the repo's command-line tools: node:util parseArgs plus `--help` (usage, exit 0) and one-line
// usage errors (exit 2) instead of an ERR_PARSE_ARGS_* stack trace.
import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface CliSpec<O extends Options> {
  /** The command as a user types it, e.g. `pnpm remote-cache`: it starts every message. */
  name: string;
  /** The text `--help` prints: a synopsis line, then the options. */
  usage: string;
  options: O;
  allowPositionals?: boolean;
  /** Default: `process.argv.slice(2)`. */
  args?: string[];
}

const HELP = { help: { type: 'boolean', short: 'h' } } as const;
type Config<O extends Options> = { args: string[]; options: O & typeof HELP; allowPositionals: boolean; strict: true };

/** Prints `<name>: <message> (see <name> --help)` to stderr and exits 2. */
export function usageError(name: string, message: string): never {
  console.error(`${name}: ${message} (see ${name} --help)`);
  process.exit(2);
}

/** Parse the command line strictly; `--help`/`-h` prints the usage and exits 0, a bad option exits 2 with one line. */
export function parseCli<const O extends Options>(spec: CliSpec<O>): ReturnType<typeof parseArgs<Config<O>>> {
  const config: Config<O> = {
    args: spec.args ?? process.argv.slice(2),
    options: { ...spec.options, ...HELP },
    allowPositionals: spec.allowPositionals ?? false,
    strict: true,
  };
  let parsed: ReturnType<typeof parseArgs<Config<O>>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) throw error;
    // Node appends advice about `--` to an unknown option; the first sentence names the problem.
    const message =
      String((error as Error).message)
        .split(/\.\s/)[0]
        ?.replace(/\.$/, '') ?? '';
    return usageError(spec.name, message);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(spec.usage.trim());
    process.exit(0);
  }
  return parsed;
}

/** The value of a `--port`-like option as a TCP port (1–65535), or a usage error naming the option and the value. */
export function portOption(name: string, option: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65_535)
    usageError(name, `--${option} must be a port number (1-65535), got ${JSON.stringify(value)}`);
  return port;
}

/** Stop a server on Ctrl-C / SIGTERM, then exit 0: for the entry points that keep one running until interrupted. */
export function stopOnSignal(server: { stop: () => Promise<void> }): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void server.stop().then(() => process.exit(0));
    });
  }
}
