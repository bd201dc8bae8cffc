// Sums every package's Vitest JSON report (test-results/vitest.json) into one closing line: `N passed, N failed`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCli } from './cli-args.js';

parseCli({
  name: 'pnpm test:summary',
  usage: `
Usage: pnpm test:summary

After \`pnpm test\`: sums every package's test-results/vitest.json into one closing line, \`N passed, N failed\` (a
package whose test task left no report counts as one failure). Exits 1 when anything failed.

  -h, --help   this text`,
  options: {},
});

const root = path.resolve(import.meta.dirname, '..');
const packageDirs = ['spec', 'scripts', ...readdirSync(path.join(root, 'packages')).map((d) => path.join('packages', d))];

type VitestJson = { numPassedTests?: number; numFailedTests?: number; numPendingTests?: number; numTodoTests?: number; success?: boolean };

let passed = 0;
let failed = 0;
let skipped = 0;
const missing: string[] = [];
for (const dir of packageDirs) {
  const pkgJson = path.join(root, dir, 'package.json');
  if (!existsSync(pkgJson)) continue;
  const hasTest = Boolean((JSON.parse(readFileSync(pkgJson, 'utf8')) as { scripts?: Record<string, string> }).scripts?.test);
  const report = path.join(root, dir, 'test-results', 'vitest.json');
  if (!existsSync(report)) {
    if (hasTest) missing.push(dir);
    continue;
  }
  const r = JSON.parse(readFileSync(report, 'utf8')) as VitestJson;
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A suite that crashed before running (import error) reports success: false with no failed test.
  if (r.success === false && (r.numFailedTests ?? 0) === 0) {
    console.error(`${dir}: vitest reported a failed run (a suite could not load)`);
    failed += 1;
  }
}
for (const dir of missing) {
  console.error(`${dir}: no test-results/vitest.json (its test task did not run or crashed)`);
  failed += 1;
}
if (skipped) console.log(`${skipped} skipped or todo (not counted)`);
// The closing line, exactly this shape.
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
