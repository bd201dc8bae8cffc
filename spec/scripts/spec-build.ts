// spec#build as a function: lint the split source, then bundle it into one merged YAML and one merged JSON file.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { rootProblem } from './spec-root.js';

/** A build that stopped: `message` is one line (Redocly's own file:line messages went to stderr before it). */
export class SpecBuildError extends Error {}

export interface SpecBuildResult {
  yaml: string;
  json: string;
}

export interface SpecBuildOptions {
  /** The spec package folder (holds `src/openapi.yaml` and `redocly.yaml`). */
  specDir: string;
  /** Where Redocly's lint report goes; `inherit` (default) prints it, `pipe` keeps it out of the output. */
  stdio?: 'inherit' | 'pipe';
}

/** Lints `src/` with redocly.yaml, then writes `dist/openapi.yaml` and `dist/openapi.json`. Throws SpecBuildError. */
export function buildSpec({ specDir, stdio = 'inherit' }: SpecBuildOptions): SpecBuildResult {
  const distDir = path.join(specDir, 'dist');
  const redocly = path.join(specDir, 'node_modules', '.bin', 'redocly');
  const run = (args: string[]) => {
    try {
      execFileSync(redocly, args, {
        cwd: specDir,
        stdio,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      });
    } catch {
      throw new SpecBuildError(`spec build failed at: redocly ${args.join(' ')} (see the messages above for file:line)`);
    }
  };

  // Redocly reports a root file without `openapi: 3.x` as "Unsupported specification" with no line: say where.
  const problem = rootProblem(readFileSync(path.join(specDir, 'src', 'openapi.yaml'), 'utf8'), 'spec/src/openapi.yaml');
  if (problem) throw new SpecBuildError(problem);

  mkdirSync(distDir, { recursive: true });
  run(['lint', '--config', 'redocly.yaml', '--format', 'stylish']);
  const yaml = path.join(distDir, 'openapi.yaml');
  run(['bundle', 'src/openapi.yaml', '--config', 'redocly.yaml', '-o', yaml]);
  if (!existsSync(yaml)) throw new SpecBuildError(`spec build failed: redocly did not write ${yaml}`);
  const json = path.join(distDir, 'openapi.json');
  writeFileSync(json, `${JSON.stringify(parse(readFileSync(yaml, 'utf8')), null, 2)}\n`);
  return { yaml, json };
}
