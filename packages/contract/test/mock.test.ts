import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContractReport, exampleCases, loadSpec } from '../src/index.js';
import { DEFAULT_BUDGET } from '../src/plan.js';
import { type CliResult, runCli } from './run-cli.js';

describe('imagegen-contract (default: @imagegen/mock through Prism)', () => {
  let run: CliResult;
  let reportDir: string;
  let report: ContractReport;
  const spec = loadSpec();

  beforeAll(async () => {
    reportDir = mkdtempSync(path.join(tmpdir(), 'contract-mock-'));
    run = await runCli(['--report-dir', reportDir]);
    report = JSON.parse(readFileSync(path.join(reportDir, 'report.json'), 'utf8')) as ContractReport;
  });
  afterAll(() => rmSync(reportDir, { recursive: true, force: true }));

  it('passes end to end and exits 0', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^PASS {2}\d+ checks: \d+ passed, 0 failed/m);
    expect(report.ok).toBe(true);
    expect(report.mode).toBe('mock');
  });

  it('says what a mock run proves, in the header and the report', () => {
    expect(run.stdout.split('\n')[1]).toMatch(/mock mode proves the spec is self-consistent .* says nothing about a real server/);
    expect(report.proves).toMatch(/says nothing about a real server/);
  });

  it('sends every request example of every operation and media type, each its own row naming what it checked', () => {
    for (const op of spec.operations.values()) {
      for (const request of exampleCases(spec, op)) {
        const row = report.results.find((r) => r.operationId === op.operationId && r.check === request.label);
        expect(row?.status, `${op.operationId} › ${request.label}`).toBe('pass');
        expect(row?.checked).toEqual(expect.arrayContaining(['status', 'content type', 'body schema', 'headers']));
        expect(row?.checked.some((c) => /^image count = \d+$|^completed events = \d+$/.test(c))).toBe(true);
      }
    }
    expect(run.stdout).toMatch(/checked: status, content type, body schema, headers, /);
  });

  it('runs generated, negative, error, retry and x-request-id checks for every operation', () => {
    expect(report.results.filter((r) => r.check.startsWith('generated #'))).toHaveLength(DEFAULT_BUDGET);
    for (const op of spec.operations.keys()) {
      const rows = report.results.filter((r) => r.operationId === op);
      expect(rows.filter((r) => r.check.startsWith('rejects ')).length).toBeGreaterThan(2);
      for (const check of ['error responses', 'retry on 429 (client)', 'x-request-id'])
        expect(rows.find((r) => r.check === check)?.status).toBe('pass');
    }
    const retry = report.results.find((r) => r.check === 'retry on 429 (client)');
    expect(retry?.notes[0]).toMatch(/saw 3 attempts/);
  });

  it('writes a JUnit report with one testcase per check', () => {
    const xml = readFileSync(path.join(reportDir, 'junit.xml'), 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0"/);
    expect(xml.match(/<testcase /g)).toHaveLength(report.results.length);
    expect(xml).not.toContain('<failure');
  });
});
