// Every root script that runs a repo CLI (a `tsx <file>` or `node <file>` in package.json) answers `--help` with its
// usage and exit 0, and an unknown option with one line and exit 2, not a stack trace. Run as a user would:
// `pnpm <script> …`.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const clis = Object.entries(scripts)
  .filter(([, command]) => /(?:^|&&\s*)(?:tsx|node)\s+\S+\.(?:ts|js)\b/.test(command))
  .map(([name]) => name);

function pnpm(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('pnpm', ['--silent', 'run', ...args], { cwd: root, timeout: 240_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('root CLIs', () => {
  it('are found in package.json', () => {
    expect(clis).toEqual(expect.arrayContaining(['registry', 'remote-cache', 'reliability', 'test:summary']));
  });

  for (const name of clis) {
    it(`pnpm ${name} --help: usage, exit 0`, async () => {
      const r = await pnpm([name, '--help']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/usage/i);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }, 300_000);

    it(`pnpm ${name} --no-such-option: one line naming it, exit 2`, async () => {
      const r = await pnpm([name, '--no-such-option']);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      const lines = r.stderr.split('\n').filter((l) => l.trim());
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/--no-such-option/);
    }, 300_000);
  }
});
