// Runs the spec package's own redocly CLI and returns its JSON lint report.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const specDir = path.resolve(import.meta.dirname, '..');
const redocly = path.join(specDir, 'node_modules', '.bin', 'redocly');

export interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: { source: { ref: string }; pointer?: string; start?: { line: number; col: number } }[];
}

export interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: LintProblem[];
}

export interface LintRun {
  status: number | null;
  report: LintReport;
  stderr: string;
}

/** Lints `files` (relative to spec/) with spec/redocly.yaml; no files means the configured `apis`. */
export function lint(files: string[] = []): LintRun {
  const result = spawnSync(redocly, ['lint', ...files, '--config', 'redocly.yaml', '--format', 'json'], {
    cwd: specDir,
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
  });
  const start = result.stdout.indexOf('{');
  if (start === -1) {
    throw new Error(`redocly printed no JSON report (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return { status: result.status, report: JSON.parse(result.stdout.slice(start)) as LintReport, stderr: result.stderr };
}
