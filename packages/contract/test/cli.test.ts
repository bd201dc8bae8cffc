import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'contract-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Exit code 2, nothing on stdout, exactly one line on stderr (returned). */
function oneLineFailure(result: { code: number | null; stdout: string; stderr: string }): string {
  expect(result.code).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^imagegen-contract: /);
  return lines[0] ?? '';
}

describe('bad input gives one clear line and a non-zero exit', () => {
  it('--live without OPENAI_API_KEY refuses to start', async () => {
    const result = await runCli(['--live']);
    expect(oneLineFailure(result)).toContain('OPENAI_API_KEY');
    expect(result.stdout).toBe('');
  });

  it('--target with an invalid URL', async () => {
    expect(oneLineFailure(await runCli(['--target', 'not a url']))).toContain('invalid target URL "not a url"');
    expect(oneLineFailure(await runCli(['--target', 'ftp://127.0.0.1/v1']))).toContain('only http and https');
  });

  it('--target that nothing answers at', async () => {
    const port = await closedPort();
    const result = await runCli(['--target', `http://127.0.0.1:${port}/v1`]);
    const line = oneLineFailure(result);
    expect(line).toContain(`cannot reach target http://127.0.0.1:${port}/v1`);
    expect(line).toContain('ECONNREFUSED');
  });

  it('an unknown flag, a stray argument, a bad number', async () => {
    expect(oneLineFailure(await runCli(['--bogus']))).toBe('imagegen-contract: unknown option --bogus (see --help)');
    expect(oneLineFailure(await runCli(['mock']))).toBe('imagegen-contract: unexpected argument mock (see --help)');
    expect(oneLineFailure(await runCli(['--port', 'x']))).toContain('--port must be a whole number');
    expect(oneLineFailure(await runCli(['--budget', 'x']))).toContain('--budget must be a whole number');
    expect(oneLineFailure(await runCli(['--yes']))).toBe('imagegen-contract: --yes goes with --live (only --live spends money)');
    expect(oneLineFailure(await runCli(['--direct']))).toBe('imagegen-contract: --direct goes with --target');
  });

  it('--key-env naming an empty variable', async () => {
    expect(oneLineFailure(await runCli(['--target', 'http://127.0.0.1:9/v1', '--key-env', 'NOPE_NOT_SET']))).toContain('NOPE_NOT_SET');
  });

  it('a spec that is missing, not JSON, not OpenAPI or has a $ref to nothing', async () => {
    expect(oneLineFailure(await runCli(['--spec', path.join(tmp, 'missing.json')]))).toMatch(/missing\.json: cannot read it \(ENOENT\)$/);
    writeFileSync(path.join(tmp, 'yaml.json'), 'openapi: 3.1.0\n');
    expect(oneLineFailure(await runCli(['--spec', path.join(tmp, 'yaml.json')]))).toContain('not JSON');
    writeFileSync(path.join(tmp, 'empty.json'), '{}');
    expect(oneLineFailure(await runCli(['--spec', path.join(tmp, 'empty.json')]))).toContain('not an OpenAPI 3.x document');
    const broken = path.join(tmp, 'broken-ref.json');
    const op = { operationId: 'anOperation', responses: { '200': { $ref: '#/components/responses/Nope' } } };
    writeFileSync(broken, JSON.stringify({ openapi: '3.1.0', info: { title: 't', version: '1' }, paths: { '/things': { post: op } } }));
    expect(oneLineFailure(await runCli(['--spec', broken]))).toMatch(
      /broken-ref\.json: \$ref #\/components\/responses\/Nope at .* points nowhere$/,
    );
  });

  it('a spec the mock cannot serve: its own error is quoted', async () => {
    const file = path.join(tmp, 'no-events.json');
    const stream = { content: { 'text/event-stream': { schema: { type: 'object' } } } };
    const op = { operationId: 'anOperation', responses: { '200': stream } };
    writeFileSync(file, JSON.stringify({ openapi: '3.1.0', info: { title: 't', version: '1' }, paths: { '/things': { post: op } } }));
    const line = oneLineFailure(await runCli(['--spec', file]));
    expect(line).toMatch(/^imagegen-contract: @imagegen\/mock cannot serve the spec: .*no discriminator mapping/);
  });

  describe('with the Prism port already taken', () => {
    let blocker: Server;
    let port: number;
    beforeAll(async () => {
      blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      port = (blocker.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

    it("says so, quoting Prism's EADDRINUSE", async () => {
      const line = oneLineFailure(await runCli(['--port', String(port)]));
      expect(line).toContain(`before listening on 127.0.0.1:${port}`);
      expect(line).toContain('EADDRINUSE');
    });
  });

  it('--live without --yes prints the planned requests and their estimated cost, and sends nothing', async () => {
    const received: string[] = [];
    const recorder = createHttpServer((req, res) => {
      received.push(`${req.method} ${req.url}`);
      res.end();
    });
    await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
    try {
      const live = `http://127.0.0.1:${(recorder.address() as { port: number }).port}/v1`;
      const result = await runCli(['--live', '--budget', '10'], {
        OPENAI_API_KEY: 'sk-live-plan-SECRET-1234',
        IMAGEGEN_CONTRACT_LIVE_URL: live,
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const lines = result.stdout.trimEnd().split('\n');
      const planned = Number(/would send (\d+) requests/.exec(lines[0] ?? '')?.[1]);
      expect(planned).toBeGreaterThan(10);
      expect(lines.filter((l) => /^ +US\$\d+\.\d+ {2}\S+ › /.test(l))).toHaveLength(planned);
      expect(lines.filter((l) => / › generated #\d+ /.test(l))).toHaveLength(10);
      expect(result.stdout).toMatch(/^estimated cost: about US\$\d+\.\d+ /m);
      expect(lines.at(-1)).toBe('Nothing was sent. Add --yes to send these requests.');
      expect(result.stdout).not.toContain('SECRET');
      expect(received).toEqual([]);
    } finally {
      recorder.close();
    }
  });

  it('--help prints usage and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: imagegen-contract');
  });

  it('the README documents the same options as --help', async () => {
    const help = (await runCli(['--help'])).stdout;
    const readme = readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');
    for (const flag of help.match(/--[a-z-]+/g) ?? []) expect(readme).toContain(flag);
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
