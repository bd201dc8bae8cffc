// types#build, step 1: the merged spec (@imagegen/spec/openapi.json) → src/generated/*.gen.ts.
//   tsx scripts/codegen.ts [--help]
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { jsonPath, readSpec, SpecError } from '@imagegen/spec/internal/load';
import { CodegenError, generate } from './generate.js';

const USAGE = 'usage: tsx scripts/codegen.ts  (writes src/generated/*.gen.ts from @imagegen/spec/openapi.json; run by `pnpm build`)';
const outDir = path.resolve(import.meta.dirname, '..', 'src', 'generated');

async function main(argv: string[]): Promise<number> {
  let help: boolean | undefined;
  try {
    ({ help } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } } }).values);
  } catch (error) {
    console.error(`codegen: ${(error as Error).message.split('\n')[0]} (${USAGE})`);
    return 2;
  }
  if (help) {
    console.log(USAGE);
    return 0;
  }
  let doc: object;
  try {
    doc = readSpec();
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    console.error(`codegen: ${error.message}`);
    return 1;
  }
  const where = path.relative(process.cwd(), jsonPath);
  let files: Record<string, string>;
  try {
    files = await generate(doc);
  } catch (error) {
    if (!(error instanceof CodegenError)) throw error;
    // The spec build lints with file:line; this names the JSON pointer in the merged file.
    console.error(`codegen: ${where} ${error.message} (the spec build reports file:line: pnpm --filter @imagegen/spec build)`);
    return 1;
  }
  mkdirSync(outDir, { recursive: true });
  for (const name of readdirSync(outDir)) if (name.endsWith('.gen.ts') && !(name in files)) rmSync(path.join(outDir, name));
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(outDir, name);
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
  }
  console.log(`codegen: wrote ${Object.keys(files).join(', ')} in ${path.relative(process.cwd(), outDir)} from ${where}`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
