import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContractReport, loadSpec, runContractSuite } from '../src/index.js';
import { type CliResult, runCli } from './run-cli.js';
import { startUpstream, type Upstream } from './upstream.js';

const KEY = 'sk-contract-test-SECRET-0123456789abcdef';

describe('schema drift through the Prism proxy (--target)', () => {
  let upstream: Upstream;
  let run: CliResult;
  let report: ContractReport;
  let reportDir: string;
  const [first, second, third] = [...loadSpec().operations.values()];

  beforeAll(async () => {
    upstream = await startUpstream({ apiKey: KEY, deviation: 'schema-drift' });
    reportDir = mkdtempSync(path.join(tmpdir(), 'contract-drift-'));
    run = await runCli(['--target', upstream.url, '--key-env', 'CONTRACT_TEST_KEY', '--report-dir', reportDir], { CONTRACT_TEST_KEY: KEY });
    report = JSON.parse(readFileSync(path.join(reportDir, 'report.json'), 'utf8')) as ContractReport;
  });
  afterAll(async () => {
    rmSync(reportDir, { recursive: true, force: true });
    await upstream.close();
  });

  const violationsOf = (operationId: string | undefined) =>
    report.results.filter((r) => r.operationId === operationId).flatMap((r) => r.violations);

  it('fails with exit code 1 in proxy mode', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.mode).toBe('proxy');
  });

  it('names a renamed required field and an undeclared enum value by their JSON paths, found by Ajv and Prism', () => {
    const violations = violationsOf(first?.operationId);
    const missing = violations.find((v) => v.where === 'body' && v.message === 'required property is missing');
    expect(missing?.sources).toEqual(expect.arrayContaining(['prism', 'ajv']));
    expect(
      violations.some((v) => v.where === 'body' && v.path.length > 1 && /must be equal to one of the allowed values/.test(v.message)),
    ).toBe(true);
    expect(run.stdout).toContain(`body ${missing?.path}: required property is missing`);
  });

  it('names a wrong type, a malformed stream event, and an undeclared status with a missing x-request-id', () => {
    expect(violationsOf(second?.operationId).some((v) => v.where === 'body' && /must be (integer|number)/.test(v.message))).toBe(true);
    expect(violationsOf(first?.operationId).some((v) => /^event\[\d+\]$/.test(v.where) && /^data is not valid JSON/.test(v.message))).toBe(
      true,
    );
    const third_ = violationsOf(third?.operationId);
    expect(third_.some((v) => v.where === 'status' && /not declared/.test(v.message))).toBe(true);
    expect(third_.some((v) => v.where === 'header x-request-id' && /missing/.test(v.message))).toBe(true);
  });

  it('sends repeated multipart file parts (an image array) as repeated parts, straight to the target', () => {
    expect(upstream.requests.some((r) => r.imageParts > 1)).toBe(true);
  });

  it('never shows the API key: not in the terminal output nor in the reports', () => {
    const reportFiles = ['report.json', 'junit.xml'].map((f) => readFileSync(path.join(reportDir, f), 'utf8'));
    for (const text of [run.stdout, run.stderr, ...reportFiles]) expect(text).not.toContain(KEY);
    // The upstream echoed the Authorization header in its 418 body; the suite shows it masked.
    expect(run.stdout).toContain('teapot; you sent Bearer ***');
    expect(reportFiles[0]).toContain('teapot; you sent Bearer ***');
  });
});

describe('an upstream that matches the spec, through the proxy', () => {
  it('passes clean (no error at all), waiting out a rate limit and validating the 429 it met', async () => {
    const upstream = await startUpstream({ apiKey: KEY, rateLimitFirst: true });
    try {
      const run = await runContractSuite({ target: upstream.url, apiKey: KEY });
      const violations = run.results.flatMap((r) =>
        r.violations.filter((v) => v.severity === 'error').map((v) => `${r.operationId} › ${r.check}: ${v.where} ${v.path} ${v.message}`),
      );
      expect(violations).toEqual([]);
      expect(run.ok).toBe(true);
      expect(run.results[0]?.notes).toContain('rate limited (429): waited 0.1 s and sent again');
      expect(run.results.filter((r) => r.status === 'skip').map((r) => r.check)).toEqual(
        [...loadSpec().operations.keys()].map(() => 'retry on 429 (client)'),
      );
    } finally {
      await upstream.close();
    }
  });
});
