// spec#build: lint the split source, then bundle it into one merged YAML and one merged JSON file.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { rootProblem } from './spec-root.js';

const specDir = path.resolve(import.meta.dirname, '..', 'spec');
const distDir = path.join(specDir, 'dist');
const redocly = path.join(specDir, 'node_modules', '.bin', 'redocly');

function run(args: string[]): void {
  try {
    execFileSync(redocly, args, {
      cwd: specDir,
      stdio: 'inherit',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
  } catch {
    console.error(`spec build failed at: redocly ${args.join(' ')} (see the messages above for file:line)`);
    process.exit(1);
  }
}

// Redocly reports a root file without `openapi: 3.x` as "Unsupported specification" with no line: say where.
const problem = rootProblem(readFileSync(path.join(specDir, 'src', 'openapi.yaml'), 'utf8'), 'spec/src/openapi.yaml');
if (problem) {
  console.error(problem);
  process.exit(1);
}

mkdirSync(distDir, { recursive: true });
run(['lint', '--config', 'redocly.yaml', '--format', 'stylish']);
const yamlOut = path.join(distDir, 'openapi.yaml');
run(['bundle', 'src/openapi.yaml', '--config', 'redocly.yaml', '-o', yamlOut]);
if (!existsSync(yamlOut)) {
  console.error(`spec build failed: redocly did not write ${yamlOut}`);
  process.exit(1);
}
const merged: unknown = parse(readFileSync(yamlOut, 'utf8'));
const jsonOut = path.join(distDir, 'openapi.json');
writeFileSync(jsonOut, `${JSON.stringify(merged, null, 2)}\n`);
console.log(`merged spec: ${path.relative(process.cwd(), yamlOut)} and ${path.relative(process.cwd(), jsonOut)}`);
console.log(`merged spec (absolute): ${yamlOut}`);
