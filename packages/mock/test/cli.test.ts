// The CLI as a user runs it: a child process, its first stdout line, curl against it, signals, bad input.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { generateOp } from './spec-facts.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const run = promisify(execFile);
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function start(args: string[] = []): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (line) => resolve({ child, line }));
    child.once('exit', (code) => reject(new Error(`exited ${code} before printing`)));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  );

async function fails(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [CLI, ...args]);
    return { code: 0, stderr: '' };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('imagegen-mock CLI', () => {
  it('prints exactly the listening line first; curl without a key gets the 401 error body; SIGTERM stops it', async () => {
    const { child, line } = await start(['--port', '0', '--seed', '1']);
    const match = /^imagegen-mock listening on (http:\/\/127\.0\.0\.1:(\d+)\/v1)$/.exec(line);
    expect(match, line).not.toBeNull();
    const url = match?.[1] as string;
    const { stdout } = await run('curl', [
      '-s',
      '-X',
      generateOp.httpMethod,
      '-H',
      'content-type: application/json',
      '-d',
      '{}',
      `${url}${generateOp.path}`,
    ]);
    const body = JSON.parse(stdout) as { error: { type: string; message: string; param: unknown; code: unknown } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/API key/);
    expect(body.error).toHaveProperty('param', null);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });

  it('SIGINT stops it cleanly, even with a stream stalled open', async () => {
    const { child, line } = await start();
    const url = line.split(' ').at(-1) as string;
    const stalled = fetch(`${url}${generateOp.path}`, {
      method: generateOp.httpMethod,
      headers: { authorization: 'Bearer sk-x', 'content-type': 'application/json', 'x-imagegen-mock-fault': 'stall-after-events=0' },
      body: JSON.stringify({ prompt: 'x', stream: true }),
    });
    const res = await stalled;
    expect(res.status).toBe(200);
    child.kill('SIGINT');
    expect(await exited(child)).toBe(0);
  });

  it('--help exits 0', async () => {
    const { stdout } = await run(process.execPath, [CLI, '--help']);
    expect(stdout).toMatch(/^imagegen-mock: /);
    expect(stdout).toContain('--spec FILE');
  });

  it('a bad option, a bad spec and a taken port: one line, exit 2', async () => {
    const option = await fails(['--port', 'abc']);
    expect(option.code).toBe(2);
    expect(option.stderr.trim().split('\n')).toEqual([expect.stringContaining('--port')]);

    const file = path.join(tmpdir(), `imagegen-mock-bad-${process.pid}.json`);
    writeFileSync(file, '{"openapi": "3.1.0",');
    const spec = await fails(['--spec', file]);
    expect(spec.code).toBe(2);
    expect(spec.stderr.trim().split('\n')).toEqual([expect.stringContaining(file)]);

    const missing = await fails(['--spec', `${file}.missing`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ENOENT');

    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const taken = await fails(['--port', String(port)]);
      expect(taken.code).toBe(2);
      expect(taken.stderr.trim().split('\n')).toEqual([expect.stringContaining(`port ${port}`)]);
    } finally {
      blocker.close();
    }
  });
});
