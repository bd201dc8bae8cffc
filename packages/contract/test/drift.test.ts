import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContractReport, runContractSuite } from '../src/index.js';
import { type CliResult, runCli } from './run-cli.js';
import { DRIFT, startUpstream, type Upstream } from './upstream.js';

const KEY = 'sk-contract-test-SECRET-0123456789abcdef';

describe('drift detection through the Prism proxy (--target)', () => {
  let upstream: Upstream;
  let run: CliResult;
  let report: ContractReport;
  let reportDir: string;

  beforeAll(async () => {
    upstream = await startUpstream({ mode: 'drift', apiKey: KEY });
    reportDir = mkdtempSync(path.join(tmpdir(), 'contract-drift-'));
    run = await runCli(['--target', upstream.url, '--key-env', 'CONTRACT_TEST_KEY', '--report-dir', reportDir], { CONTRACT_TEST_KEY: KEY });
    report = JSON.parse(readFileSync(path.join(reportDir, 'report.json'), 'utf8')) as ContractReport;
  });
  afterAll(() => upstream.close());

  it('fails with exit code 1', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.mode).toBe('proxy');
  });

  it.each(Object.entries(DRIFT))('reports the %s with its JSON path', (_name, expected) => {
    const result = report.results.find((r) => r.operationId === expected.operationId && r.check === expected.check);
    expect(result?.status).toBe('fail');
    const found = result?.violations.find(
      (v) => v.where === expected.where && v.path === expected.path && v.message.includes(expected.message),
    );
    expect(found, JSON.stringify(result?.violations, null, 1)).toBeDefined();
    const shown = expected.path ? `${expected.where} ${expected.path}: ` : `${expected.where}: `;
    expect(run.stdout).toContain(shown);
  });

  it("reports body deviations from Prism's sl-violations header as well as from its own Ajv check", () => {
    const success = report.results.find((r) => r.operationId === 'createImage' && r.check === 'success (json)');
    expect(success?.violations.find((v) => v.path === '/created')?.sources).toEqual(expect.arrayContaining(['prism', 'ajv']));
    const variation = report.results.find((r) => r.operationId === 'createImageVariation' && r.check === 'multipart: one image');
    expect(
      variation?.violations.some((v) => v.sources.includes('prism') && /Unable to match the returned status code/.test(v.message)),
    ).toBe(true);
  });

  it('reports nothing else: checks the upstream does not break still pass', () => {
    const failing = report.results.filter((r) => r.status === 'fail').map((r) => `${r.operationId} › ${r.check}`);
    const expected = new Set(Object.values(DRIFT).map((d) => `${d.operationId} › ${d.check}`));
    // The drifted edit body is sent to every edit request that answers JSON.
    for (const check of ['multipart: image[] ×2 + mask', 'json: images by data URL']) expected.add(`createImageEdit › ${check}`);
    expect(new Set(failing)).toEqual(expected);
  });

  it('forwards repeated image[] parts intact even though Prism cannot parse them', () => {
    expect(upstream.requests.some((r) => r.path === '/images/edits' && r.imageParts === 2)).toBe(true);
  });

  it('never shows the API key: not in the terminal output nor in the reports', () => {
    const reportFiles = ['report.json', 'junit.xml'].map((f) => readFileSync(path.join(reportDir, f), 'utf8'));
    for (const text of [run.stdout, run.stderr, ...reportFiles]) expect(text).not.toContain(KEY);
    // The upstream echoed the Authorization header in its 418 body; the suite shows it masked.
    expect(run.stdout).toContain('teapot; you sent Bearer ***');
    expect(reportFiles[0]).toContain('teapot; you sent Bearer ***');
  });
});

describe('an upstream that matches the spec', () => {
  it('passes clean through the same proxy path (no violations at all), waiting out a rate limit', async () => {
    const upstream = await startUpstream({ mode: 'clean', apiKey: KEY, rateLimitFirst: true });
    try {
      const run = await runContractSuite({ target: upstream.url, apiKey: KEY });
      const violations = run.results.flatMap((r) =>
        r.violations.map((v) => `${r.operationId} › ${r.check}: ${v.where} ${v.path} ${v.message}`),
      );
      expect(violations).toEqual([]);
      expect(run.ok).toBe(true);
      expect(run.totals.failed).toBe(0);
      expect(run.results[0]?.notes).toContain('rate limited (429): waited 0.1 s and sent again');
      expect(run.results.filter((r) => r.status === 'skip').map((r) => r.check)).toEqual([
        'retry on 429 (client)',
        'retry on 429 (client)',
        'retry on 429 (client)',
      ]);
    } finally {
      await upstream.close();
    }
  });
});
