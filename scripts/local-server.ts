// Start a server as a child process on 127.0.0.1, wait (bounded) until it answers, stop it. Used by the local npm
// registry (verdaccio) and the turbo remote cache.
import { type ChildProcess, spawn } from 'node:child_process';

export type LocalServer = { url: string; port: number; child: ChildProcess; log: () => string; stop: () => Promise<void> };

export type StartOptions = {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  /** Path (and optional headers) answering 2xx once the server is ready. */
  readyPath: string;
  readyHeaders?: Record<string, string>;
  timeoutMs?: number;
};

/**
 * Spawn the server and poll `readyPath` until it answers 2xx. Rejects (after killing the child) when the child
 * exits first or `timeoutMs` (default 2 min: a hang guard, generous for a loaded machine) passes; the message carries the end of the server's output.
 */
export async function startLocalServer(options: StartOptions): Promise<LocalServer> {
  const child = spawn(options.command, options.args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let running = true;
  // If this process goes away without stopping the server (a crashed test run), take the server with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => {
    running = false;
    process.off('exit', killOnExit);
  });

  const url = `http://127.0.0.1:${options.port}`;
  const stop = async () => {
    if (!running) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    if (!running) throw new Error(`${options.name} exited before it was ready:\n${output.trim()}`);
    try {
      const res = await fetch(url + options.readyPath, { headers: options.readyHeaders ?? {}, signal: AbortSignal.timeout(2_000) });
      if (res.ok) return { url, port: options.port, child, log: () => output, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`${options.name} did not answer ${url}${options.readyPath} within ${options.timeoutMs ?? 120_000} ms:\n${output.trim()}`);
}

/** Stop the server on Ctrl-C / SIGTERM, for the command-line entry points. */
export function stopOnSignal(server: LocalServer): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void server.stop().then(() => process.exit(0));
    });
  }
}
