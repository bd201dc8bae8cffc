import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redactor } from './redact.js';
import type { Repro } from './repro.js';
import { formatViolation, type Violation } from './violations.js';

export type CheckStatus = 'pass' | 'fail' | 'skip';

/** One row of the report: an operation × a check. */
export interface CheckResult {
  operationId: string;
  check: string;
  status: CheckStatus;
  durationMs: number;
  violations: Violation[];
  /** Context: attempts counted, event types seen, why a check was skipped, what an error response said. */
  notes: string[];
  /** What the check compared: status, content type, body schema, headers, and each semantic comparison. */
  checked: string[];
  /** On a failure: the last requests of the check as curl commands (key masked) with the start of each answer. */
  repro?: Repro[];
}

export interface ContractReport {
  /** `mock`: Prism validating proxy in front of `@imagegen/mock`; `proxy`: the same in front of `target`. */
  mode: 'mock' | 'proxy';
  /** Upstream base URL in proxy mode. */
  target: string | null;
  spec: string;
  prism: { version: string; url: string };
  /** What a run in this mode proves (and what it does not). */
  proves: string;
  startedAt: string;
  /** The run was stopped by a signal: the results are the checks finished until then. */
  interrupted: boolean;
  durationMs: number;
  results: CheckResult[];
  totals: { checks: number; passed: number; failed: number; skipped: number; violations: number };
  /** True when no check failed. */
  ok: boolean;
}

const MARK: Record<CheckStatus, string> = { pass: '✓', fail: '✗', skip: '-' };

/** The line printed as a check finishes, followed by its violations. */
export function formatProgress(result: CheckResult): string {
  const head = `  ${MARK[result.status]} ${result.operationId} › ${result.check} (${result.durationMs} ms)`;
  const notes = result.status === 'skip' ? [`skipped: ${result.notes[0] ?? ''}`, ...result.notes.slice(1)] : result.notes;
  const checked = result.checked.length > 0 ? [`      checked: ${result.checked.join(', ')}`] : [];
  const repro = result.status === 'fail' ? (result.repro ?? []).slice(-1).flatMap((r) => indent(`repro: ${r.curl}\n${r.response}`, 6)) : [];
  return [
    head,
    ...result.violations.map((v) => `      ${formatViolation(v)}`),
    ...checked,
    ...notes.map((n) => `      · ${n}`),
    ...repro,
  ].join('\n');
}

function indent(text: string, by: number): string[] {
  return text.split('\n').map((line) => `${' '.repeat(by)}${line}`);
}

/** The terminal summary: a table of operation × check with results and the violation paths. */
export function formatSummary(report: ContractReport, files: string[] = []): string {
  const rows = report.results.map((r) => ({
    op: r.operationId,
    check: r.check,
    result:
      r.status === 'fail'
        ? `FAIL (${r.violations.length})`
        : r.violations.length > 0
          ? `${r.status.toUpperCase()} (${r.violations.length} warning${r.violations.length > 1 ? 's' : ''})`
          : r.status.toUpperCase(),
  }));
  const w1 = Math.max(9, ...rows.map((r) => r.op.length));
  const w2 = Math.max(5, ...rows.map((r) => r.check.length));
  const lines = [
    '',
    `${'operation'.padEnd(w1)}  ${'check'.padEnd(w2)}  result`,
    `${'-'.repeat(w1)}  ${'-'.repeat(w2)}  ------`,
    ...rows.map((r) => `${r.op.padEnd(w1)}  ${r.check.padEnd(w2)}  ${r.result}`),
  ];
  const failed = report.results.filter((r) => r.status === 'fail');
  if (failed.length > 0) {
    lines.push('', 'Violations:');
    for (const r of failed) {
      lines.push(`  ${r.operationId} › ${r.check}`);
      for (const v of r.violations) lines.push(`    ${formatViolation(v)}`);
      const last = r.repro?.at(-1);
      if (last) lines.push(...indent(`repro: ${last.curl}\n${last.response}`, 4));
    }
  }
  const t = report.totals;
  const target = `${report.mode === 'mock' ? '@imagegen/mock' : report.target} via Prism proxy ${report.prism.version}`;
  if (report.interrupted) lines.push('', 'INTERRUPTED: the run was stopped; these are the checks finished until then.');
  lines.push(
    '',
    `${report.ok ? 'PASS' : 'FAIL'}  ${t.checks} checks: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped · ${target} · ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  if (files.length > 0) lines.push(`reports: ${files.join(', ')}`);
  return lines.join('\n');
}

/** Writes `report.json` and `junit.xml` into `dir` (created if needed), redacted; returns their paths. */
export function writeReports(report: ContractReport, dir: string, redactor: Redactor): string[] {
  mkdirSync(dir, { recursive: true });
  const json = path.join(dir, 'report.json');
  const xml = path.join(dir, 'junit.xml');
  writeFileSync(json, `${redactor.redact(JSON.stringify(report, null, 2))}\n`);
  writeFileSync(xml, redactor.redact(toJUnit(report)));
  return [json, xml];
}

/** JUnit XML: one testsuite per operation, one testcase per check. */
export function toJUnit(report: ContractReport): string {
  const byOp = new Map<string, CheckResult[]>();
  for (const r of report.results) byOp.set(r.operationId, [...(byOp.get(r.operationId) ?? []), r]);
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const t = report.totals;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="imagegen-contract (${report.mode}${report.interrupted ? ', interrupted' : ''})" tests="${t.checks}" failures="${t.failed}" skipped="${t.skipped}" time="${seconds(report.durationMs)}">`,
  ];
  for (const [op, results] of byOp) {
    const failures = results.filter((r) => r.status === 'fail').length;
    const skipped = results.filter((r) => r.status === 'skip').length;
    const time = results.reduce((sum, r) => sum + r.durationMs, 0);
    out.push(
      `  <testsuite name="${xml(op)}" tests="${results.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(time)}" timestamp="${xml(report.startedAt)}">`,
    );
    for (const r of results) {
      out.push(`    <testcase classname="${xml(op)}" name="${xml(r.check)}" time="${seconds(r.durationMs)}">`);
      if (r.status === 'fail') {
        const first = r.violations[0];
        const message = first ? formatViolation(first) : 'failed';
        const repro = (r.repro ?? []).map((x) => `\n\nrepro:\n${x.curl}\n\nresponse:\n${x.response}`).join('');
        out.push(
          `      <failure message="${xml(message)}" type="ContractViolation">${xml(r.violations.map(formatViolation).join('\n') + repro)}</failure>`,
        );
      } else if (r.status === 'skip') {
        out.push(`      <skipped message="${xml(r.notes[0] ?? 'skipped')}"/>`);
      }
      const said = [...(r.checked.length > 0 ? [`checked: ${r.checked.join(', ')}`] : []), ...r.notes];
      if (said.length > 0) out.push(`      <system-out>${xml(said.join('\n'))}</system-out>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

function xml(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: characters XML 1.0 cannot carry
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
  );
}
