import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ContractReport } from '../src/index.js';
import { type CliResult, runCli } from './run-cli.js';

describe('imagegen-contract (default: Prism mock)', () => {
  let run: CliResult;
  let reportDir: string;

  beforeAll(async () => {
    reportDir = mkdtempSync(path.join(tmpdir(), 'contract-mock-'));
    run = await runCli(['--report-dir', reportDir]);
  });

  it('passes end to end against the mock of the merged spec and exits 0', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^PASS {2}\d+ checks: \d+ passed, 0 failed/m);
  });

  it('prints a progress line per check and a summary table', () => {
    expect(run.stdout).toContain('✓ createImage › success (json)');
    expect(run.stdout).toMatch(/^operation\s+check\s+result$/m);
    expect(run.stdout).toMatch(/^createImageEdit\s+multipart: image\[\] ×2 \+ mask\s+PASS$/m);
  });

  it('writes a JSON report covering every operation × check, all passed', () => {
    const report = JSON.parse(readFileSync(path.join(reportDir, 'report.json'), 'utf8')) as ContractReport;
    expect(report.ok).toBe(true);
    expect(report.mode).toBe('mock');
    const rows = report.results.map((r) => `${r.operationId} › ${r.check}: ${r.status}`);
    for (const op of ['createImage', 'createImageEdit', 'createImageVariation']) {
      for (const check of ['error responses', 'retry on 429 (client)', 'x-request-id']) expect(rows).toContain(`${op} › ${check}: pass`);
    }
    expect(rows).toContain('createImage › stream (SSE events): pass');
    expect(rows).toContain('createImageEdit › stream (SSE events): pass');
    expect(rows).toContain('createImageEdit › multipart: one image: pass');
    const retry = report.results.find((r) => r.operationId === 'createImage' && r.check === 'retry on 429 (client)');
    expect(retry?.notes[0]).toMatch(/saw 3 attempts/);
    const stream = report.results.find((r) => r.operationId === 'createImage' && r.check === 'stream (SSE events)');
    expect(stream?.notes[0]).toMatch(/partial_image ×2, .*completed$/);
  });

  it('writes a JUnit report with one testcase per check', () => {
    const xml = readFileSync(path.join(reportDir, 'junit.xml'), 'utf8');
    const report = JSON.parse(readFileSync(path.join(reportDir, 'report.json'), 'utf8')) as ContractReport;
    expect(xml).toMatch(/^<\?xml version="1.0"/);
    expect(xml.match(/<testcase /g)).toHaveLength(report.results.length);
    expect(xml).not.toContain('<failure');
  });
});
