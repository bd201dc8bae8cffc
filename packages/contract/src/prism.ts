import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ChildServerError, killAllChildServers, startChildServer, stopAllChildServers } from './child-server.js';
import { ContractSetupError } from './errors.js';
import { freePort } from './net.js';

export interface PrismOptions {
  /** `mock` serves the spec's examples; `proxy` forwards to `upstream` and validates what comes back. */
  mode: 'mock' | 'proxy';
  specFile: string;
  /** Upstream base URL including its base path (e.g. `https://api.openai.com/v1`); proxy mode only. */
  upstream?: string;
  /** Port on 127.0.0.1; default: a free port picked just before start. */
  port?: number;
  /** Bounded wait for "Prism is listening"; default 60 s (a loaded 2-core CI machine has taken over 30). */
  startupTimeoutMs?: number;
  /** Environment for the child; default: this process's environment without `OPENAI_API_KEY`. */
  env?: NodeJS.ProcessEnv;
  /** Applied to every line Prism prints before it is kept (e.g. to mask an API key it may log). */
  redact?: (line: string) => string;
}

export interface PrismServer {
  /** Base URL Prism listens on, e.g. `http://127.0.0.1:41234` (paths are served without the spec's `/v1`). */
  readonly url: string;
  readonly version: string;
  /** The last lines Prism printed (for diagnostics). */
  logTail(): string[];
  /** Stops the child (SIGTERM, then SIGKILL after 2 s). Safe to call twice. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

function prismCli(): { bin: string; version: string } {
  const require = createRequire(import.meta.url);
  const pkgFile = require.resolve('@stoplight/prism-cli/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { version?: string; bin?: { prism?: string } };
  return { bin: path.join(path.dirname(pkgFile), pkg.bin?.prism ?? 'dist/index.js'), version: pkg.version ?? 'unknown' };
}

/** Kills every Prism child this process started; used by the CLI's signal handlers (exit is covered already). */
export const killAllPrism = killAllChildServers;
export const stopAllPrism = stopAllChildServers;

/**
 * Starts `prism mock|proxy` as a child process on 127.0.0.1 and resolves once it prints
 * "Prism is listening". Rejects with a one-line {@link ContractSetupError} that quotes Prism's own
 * last error lines when it exits early (port taken, spec fails to load) or does not come up in time.
 * An automatically chosen port that turns out to be taken is retried once.
 */
export async function startPrism(options: PrismOptions): Promise<PrismServer> {
  try {
    return await startOnce(options, options.port ?? (await freePort()));
  } catch (error) {
    if (options.port === undefined && error instanceof PortTakenError) return startOnce(options, await freePort());
    throw error;
  }
}

class PortTakenError extends ContractSetupError {}

async function startOnce(options: PrismOptions, port: number): Promise<PrismServer> {
  const { bin, version } = prismCli();
  const args = [bin, options.mode, options.specFile];
  if (options.mode === 'proxy') {
    if (!options.upstream) throw new ContractSetupError('prism proxy needs an upstream URL');
    args.push(options.upstream);
  }
  args.push('-h', HOST, '-p', String(port));
  const env = { ...(options.env ?? withoutKey(process.env)), NO_COLOR: '1', FORCE_COLOR: '0' };
  const timeoutMs = options.startupTimeoutMs ?? 60_000;
  try {
    const server = await startChildServer({
      name: `prism ${options.mode}`,
      command: process.execPath,
      args,
      env,
      ready: { line: /Prism is listening on (http:\/\/\S+)/ },
      timeoutMs,
      killAfterMs: 2000,
      ...(options.redact && { redact: options.redact }),
    });
    return { url: server.url, version, logTail: server.logTail, stop: server.stop };
  } catch (error) {
    if (!(error instanceof ChildServerError)) throw error;
    if (error.reason !== 'exited') throw new ContractSetupError(`${error.message}${lastErrors(error.lines, error.reason === 'timeout')}`);
    const detail = lastErrors(error.lines, false);
    const message = `${error.message.replace(/ before it was ready$/, '')} before listening on ${HOST}:${port}${detail}`;
    throw /EADDRINUSE/.test(detail) ? new PortTakenError(message) : new ContractSetupError(message);
  }
}

function withoutKey(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy.OPENAI_API_KEY;
  return copy;
}

/** Prism's own error lines (fatal messages, EADDRINUSE, …) without yargs help text or stack frames. */
function lastErrors(lines: string[], anyIfNone: boolean): string {
  const interesting = lines
    .map((l) =>
      l
        .trim()
        .replace(/^\[[^\]]*\]\s*›\s*(\[[^\]]*\]\s*)?[^\w\s]*\s*(fatal|error)(\s+|$)/i, '')
        .replace(/^message:\s*/, '')
        // util.inspect's string continuation: `'text\n' +`
        .replace(/\s*(\\n)?['"]\s*\+?,?$/, '')
        .replace(/^['"]/, '')
        .trim(),
    )
    .filter((l) => l && !/^(stack:|code:|source:|path:|name:|toJSON|toString|ioErrorCode|[{}'-])/.test(l))
    .filter((l) => !/^at .*:\d+:\d+\)?$/.test(l))
    .filter((l) => !/\[(boolean|string|number|required)\]|^Positionals|^Options:/.test(l))
    .filter((l) => /fatal|error|EADDRINUSE|EACCES|ENOENT|does not exist|unsupported|invalid|cannot|unable/i.test(l));
  const distinct = [...new Set(interesting)];
  const unique = distinct.filter((l) => !distinct.some((other) => other !== l && other.includes(l))).slice(-3);
  if (unique.length === 0 && anyIfNone) {
    const tail = lines.filter((l) => l.trim()).slice(-2);
    return tail.length ? `; prism said: ${tail.join(' | ')}` : '; prism printed nothing';
  }
  return unique.length ? `; prism said: ${unique.join(' | ')}` : '';
}
