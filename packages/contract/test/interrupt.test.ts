import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runContractSuite } from '../src/index.js';
import { CLI, PACKAGE_DIR } from './run-cli.js';

// An upstream that answers the reachability probe but never answers an API call.
let hanging: Server;
let url: string;

beforeAll(async () => {
  hanging = createServer((req, res) => {
    if (req.method === 'GET') res.end('ok');
  });
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(hanging.address() as { port: number }).port}/v1`;
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      hanging.closeAllConnections();
      hanging.close(() => resolve());
    }),
);

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('nothing hangs', () => {
  it('a server that never answers fails each request at --timeout, and Prism is stopped afterwards', async () => {
    let prismPort = 0;
    const run = await runContractSuite({
      target: url,
      requestTimeoutMs: 300,
      onReady: (info) => {
        prismPort = Number(new URL(info.prismUrl).port);
      },
    });
    expect(run.ok).toBe(false);
    const success = run.results.find((r) => r.check === 'success (json)');
    expect(success?.violations[0]?.message).toMatch(/failed: no answer before the timeout/);
    expect(await portOpen(prismPort)).toBe(false);
  });

  it('SIGINT stops the CLI with exit code 130 and kills its Prism child', async () => {
    const child = spawn(process.execPath, [CLI, '--target', url, '--timeout', '60'], {
      cwd: PACKAGE_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const prismUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no header line: ${stdout}${stderr}`)), 30_000);
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        const match = / at (http:\/\/127\.0\.0\.1:\d+) /.exec(stdout);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    const port = Number(new URL(prismUrl).port);
    expect(await portOpen(port)).toBe(true);
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('interrupted (SIGINT)');
    // Give the OS a moment to release the port of the killed child.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await portOpen(port)).toBe(false);
  });
});
