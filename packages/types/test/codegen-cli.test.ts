// The codegen CLI: --help, and one line with exit 2 for an unknown option.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = path.resolve(import.meta.dirname, '..', 'scripts', 'codegen.ts');
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8' });

describe('codegen CLI', { timeout: 60_000 }, () => {
  it('answers --help with its usage, exit 0', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: /);
  });
  it('refuses an unknown option with one line, exit 2', () => {
    const r = run('--nope');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^codegen: Unknown option '--nope' \(usage: /)]);
  });
});
