import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { CLI, PACKAGE_DIR } from './run-cli.js';

// CLI tests spawn dist/cli.js. Turbo builds before testing; when run directly, rebuild a missing
// or stale dist so that the tests never exercise old code.
export default function setup(): void {
  const src = path.join(PACKAGE_DIR, 'src');
  const newest = Math.max(...readdirSync(src).map((f) => statSync(path.join(src, f)).mtimeMs));
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= newest) return;
  execFileSync(path.join(PACKAGE_DIR, 'node_modules', '.bin', 'tsdown'), [], { cwd: PACKAGE_DIR, stdio: 'inherit' });
}
