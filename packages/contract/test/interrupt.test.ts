import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContractReport, runContractSuite } from '../src/index.js';
import { CLI, PACKAGE_DIR, reportDirForTest, runCli } from './run-cli.js';
import { startUpstream, type Upstream } from './upstream.js';

const REPO = path.resolve(PACKAGE_DIR, '..', '..');
const KEY = 'sk-contract-interrupt-SECRET-42424242';

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

/** Resolves with the Prism port once the CLI has printed its header line. */
function prismPortOf(child: ChildProcess, output: { stdout: string; stderr: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no header line: ${output.stdout}${output.stderr}`)), 60_000);
    child.stderr?.on('data', (c: Buffer) => {
      output.stderr += c.toString();
    });
    child.stdout?.on('data', (c: Buffer) => {
      output.stdout += c.toString();
      const match = / at http:\/\/127\.0\.0\.1:(\d+) /.exec(output.stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
}

/** True while any process of the group `pgid` is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('nothing hangs', () => {
  it('a server that never answers fails at --timeout; after two such requests the rest are not sent; Prism is stopped', async () => {
    let prismPort = 0;
    const run = await runContractSuite({
      target: url,
      requestTimeoutMs: 300,
      onReady: (info) => {
        prismPort = Number(new URL(info.prismUrl).port);
      },
    });
    expect(run.ok).toBe(false);
    const [first] = run.results;
    expect(first?.violations[0]?.message).toMatch(/failed: no answer before the timeout/);
    expect(
      run.results.filter((r) => r.status === 'skip' && /^not sent: the target did not answer 2 requests in a row/.test(r.notes[0] ?? ''))
        .length,
    ).toBeGreaterThan(5);
    expect(await portOpen(prismPort)).toBe(false);
  });

  it('a target slower to answer its reachability probe than the request timeout is still reached, and then checked', async () => {
    // The probe is a setup check ("is anything there?"), not a request under test: it is not bound by --timeout.
    const slow = createServer((req, res) => {
      if (req.method === 'GET') setTimeout(() => res.end('ok'), 600);
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const run = await runContractSuite({
        target: `http://127.0.0.1:${(slow.address() as { port: number }).port}/v1`,
        requestTimeoutMs: 300,
      });
      expect(run.ok).toBe(false);
      expect(run.results[0]?.violations[0]?.message).toMatch(/failed: no answer before the timeout/);
    } finally {
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });

  it('a stream that stalls is reported as stalled at the default idle timeout, and later streams are not waited for', async () => {
    const staller: Upstream = await startUpstream({ apiKey: KEY, deviation: 'stall' });
    const reportDir = reportDirForTest('contract-stall-');
    try {
      const run = await runCli(['--target', staller.url, '--key-env', 'STALL_KEY', '--report-dir', reportDir], { STALL_KEY: KEY }, 120_000);
      expect(run.code).toBe(1);
      const report = JSON.parse(readFileSync(path.join(reportDir, 'report.json'), 'utf8')) as ContractReport;
      const stalled = report.results.filter((r) =>
        r.violations.some((v) => v.where === 'stream' && /^stalled after 1 events: no data for 10 s$/.test(v.message)),
      );
      expect(stalled).toHaveLength(1);
      const skipped = report.results.filter(
        (r) => r.status === 'skip' && /^not waited for: a stream stalled earlier/.test(r.notes[0] ?? ''),
      );
      expect(skipped.length).toBeGreaterThan(0);
      expect(run.stdout).toContain('stream: stalled after 1 events: no data for 10 s');
    } finally {
      await staller.close();
    }
  });

  it('SIGINT stops the CLI with exit code 130, kills its Prism child and writes the report so far, marked interrupted', async () => {
    const reportDir = reportDirForTest('contract-sigint-');
    const child = spawn(process.execPath, [CLI, '--target', url, '--timeout', '60', '--report-dir', reportDir], {
      cwd: PACKAGE_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { stdout: '', stderr: '' };
    const port = await prismPortOf(child, output);
    expect(await portOpen(port)).toBe(true);
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(output.stderr).toContain('interrupted (SIGINT)');
    // The CLI exits once its Prism child has. The kernel may still hold a dead process's listening socket for a moment
    // (a loaded machine: seconds), so the port is polled; 30 s is a hang guard, not a bound under test.
    await expect.poll(() => portOpen(port), { timeout: 30_000, interval: 50 }).toBe(false);
    const report = JSON.parse(readFileSync(path.join(reportDir, 'report.json'), 'utf8')) as ContractReport;
    expect(report.interrupted).toBe(true);
    expect(report.ok).toBe(false);
    expect(readFileSync(path.join(reportDir, 'junit.xml'), 'utf8')).toContain('interrupted');
  });

  it('SIGTERM to `pnpm contract` leaves no process behind and writes a report marked interrupted', async () => {
    const reportDir = reportDirForTest('contract-sigterm-');
    const child = spawn('pnpm', ['contract', '--target', url, '--timeout', '60', '--report-dir', reportDir], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const output = { stdout: '', stderr: '' };
    const port = await prismPortOf(child, output);
    const pgid = child.pid ?? 0;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    process.kill(pgid, 'SIGTERM');
    await exited;
    // Every process of the group (pnpm, the CLI, Prism) goes, and Prism's port with it (polled: 30 s is a hang guard).
    await expect.poll(() => groupAlive(pgid), { timeout: 30_000, interval: 50 }).toBe(false);
    await expect.poll(() => portOpen(port), { timeout: 30_000, interval: 50 }).toBe(false);
    expect(existsSync(path.join(reportDir, 'report.json'))).toBe(true);
    const report = JSON.parse(readFileSync(path.join(reportDir, 'report.json'), 'utf8')) as ContractReport;
    expect(report.interrupted).toBe(true);
  });
});
