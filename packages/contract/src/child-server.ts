import { type ChildProcess, spawn } from 'node:child_process';

export interface ChildServerOptions {
  /** Names the server in error messages. */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /**
   * When the server is ready: a line it prints (the URL is the line's first capture group, or `url`), or a path
   * under `url` that answers 2xx (polled).
   */
  ready: { line: RegExp } | { path: string; headers?: Record<string, string> };
  /** Base URL; required with a `path` readiness check. */
  url?: string;
  /** Hang guard for the start; default 2 min. */
  timeoutMs?: number;
  /** Applied to every output line before it is kept (e.g. to mask an API key the server may log). */
  redact?: (line: string) => string;
  /** Grace between SIGTERM and SIGKILL on stop; default 5 s. */
  killAfterMs?: number;
  /** Append the server's last output lines to a start failure's message (for tools that print it as is). */
  quoteOutput?: boolean;
}

export interface ChildServer {
  readonly url: string;
  readonly child: ChildProcess;
  /** The last output lines, ANSI colours stripped. */
  logTail(): string[];
  /** SIGTERM, then SIGKILL after the grace. Safe to call twice. */
  stop(): Promise<void>;
}

/** Why a child server did not come up, with its last output lines. */
export class ChildServerError extends Error {
  constructor(
    message: string,
    readonly lines: string[],
    /** `exited` when the child ended first, `timeout` when the hang guard fired, `spawn` when it could not start. */
    readonly reason: 'exited' | 'timeout' | 'spawn',
  ) {
    super(message);
    this.name = 'ChildServerError';
  }
}

const LOG_LINES = 200;
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** SIGKILLs every child server this process started (on exit, and from signal handlers). */
export function killAllChildServers(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/**
 * SIGKILLs every child server this process started and resolves once each has exited (a loaded machine can take
 * seconds to tear a killed Prism down), or after `waitMs` at the most. The kernel may close a dead child's listening
 * socket a moment later still.
 */
export function stopAllChildServers(waitMs = 5_000): Promise<void> {
  const children = [...running];
  killAllChildServers();
  const exited = children.map((child) =>
    child.exitCode !== null || child.signalCode !== null ? undefined : new Promise<void>((resolve) => child.once('exit', () => resolve())),
  );
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, waitMs);
  });
  return Promise.race([Promise.all(exited), bound]).then(() => clearTimeout(timer));
}

/**
 * Spawns a server as a child process and resolves once it is ready (a line it prints, or a path that answers 2xx).
 * Rejects with a {@link ChildServerError} (after killing the child) when it exits first or the hang guard passes.
 * A child still running when this process exits is killed.
 */
export function startChildServer(options: ChildServerOptions): Promise<ChildServer> {
  if (!('line' in options.ready) && !options.url) throw new TypeError(`${options.name}: a ready path needs a url`);
  const child = spawn(options.command, options.args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  running.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', killAllChildServers);
  }

  const lines: string[] = [];
  const onData = (buffered: { rest: string }) => (chunk: Buffer) => {
    const parts = (buffered.rest + chunk.toString('utf8')).split(/\r?\n/);
    buffered.rest = parts.pop() ?? '';
    for (const raw of parts) {
      lines.push(options.redact ? options.redact(stripAnsi(raw)) : stripAnsi(raw));
      if (lines.length > LOG_LINES) lines.shift();
    }
  };
  child.stdout?.on('data', onData({ rest: '' }));
  child.stderr?.on('data', onData({ rest: '' }));

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 5_000);
    await exited;
    clearTimeout(timer);
  };

  const timeoutMs = options.timeoutMs ?? 120_000;
  const { ready } = options;
  return new Promise<ChildServer>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poll);
      fn();
    };
    const fail = (message: string, reason: ChildServerError['reason']) =>
      finish(() => {
        void stop();
        const quoted = options.quoteOutput && lines.length ? `:\n${lines.slice(-20).join('\n')}` : '';
        reject(new ChildServerError(message + quoted, [...lines], reason));
      });
    const up = (url: string) => finish(() => resolve({ url: url.replace(/\/$/, ''), child, logTail: () => [...lines], stop }));

    const timer = setTimeout(() => fail(`${options.name} did not start within ${timeoutMs / 1000} s`, 'timeout'), timeoutMs);
    let probing = false;
    const poll = setInterval(
      () => {
        if ('line' in ready) {
          const match = lines.map((l) => ready.line.exec(l)).find((m) => m !== null);
          const url = match?.[1] ?? options.url;
          if (match && url) up(url);
          return;
        }
        if (probing || !options.url) return;
        probing = true;
        const base = options.url;
        fetch(base + ready.path, { headers: ready.headers ?? {}, signal: AbortSignal.timeout(2_000) })
          .then(async (res) => {
            await res.body?.cancel();
            if (res.ok) up(base);
          })
          .catch(() => {
            // not listening yet
          })
          .finally(() => {
            probing = false;
          });
      },
      'line' in ready ? 50 : 200,
    );
    child.once('error', (error) => fail(`cannot start ${options.name}: ${error.message}`, 'spawn'));
    void exited.then(() => {
      // Let the last output arrive before quoting it.
      setTimeout(() => fail(`${options.name} exited (code ${child.exitCode ?? child.signalCode}) before it was ready`, 'exited'), 100);
    });
  });
}

function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}
