// Every ```ts block of the package README type-checks against the built package, imported by its published
// name (`@imagegen/client` resolves through the package's own `exports`, as in a consumer). A block that does not
// compile fails this test with README.md:line:column.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { operationTable } from '@imagegen/types';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const readme = path.join(packageDir, 'README.md');

interface Block {
  /** 1-based line of the block's first code line in README.md. */
  line: number;
  code: string;
}

/** The README's ```ts blocks, with the line each starts on. */
export function tsBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== '```ts') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]?.trim() !== '```') end++;
    blocks.push({ line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return blocks;
}

/** Type-check the blocks as ES modules inside the package; problems as `README.md:line:col - message`. */
function typecheck(blocks: Block[]): string[] {
  const dir = path.join(packageDir, 'test-results', 'readme-blocks');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = blocks.map((block) => {
    const file = path.join(dir, `readme-${block.line}.mts`);
    writeFileSync(file, block.code);
    return { file, block };
  });
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(packageDir, 'tsconfig.json'),
    { noEmit: true },
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error('cannot read tsconfig.json');
  const program = ts.createProgram(
    files.map((f) => f.file),
    config.options,
  );
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n  ');
    const origin = files.find((f) => f.file === d.file?.fileName);
    if (!d.file || d.start === undefined || !origin) return `TS${d.code}: ${message}`;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `README.md:${origin.block.line + line}:${character + 1} - TS${d.code}: ${message}`;
  });
}

describe('README examples', () => {
  const blocks = tsBlocks(readFileSync(readme, 'utf8'));

  it('has a TypeScript example for each method, streaming, uploads and rawClient', () => {
    const all = blocks.map((b) => b.code).join('\n');
    // Every method the spec does not deprecate (a deprecated, retired operation gets no example).
    const methods = Object.values(operationTable)
      .filter((op) => !op.deprecated)
      .map((op) => `images.${op.method}(`);
    for (const call of [...methods, 'stream: true', 'fromPath(', 'rawClient(']) expect(all, call).toContain(call);
    // "a ≤15-line example for each method": the method examples stay short.
    for (const b of blocks) expect(b.code.split('\n').length, `README.md:${b.line}`).toBeLessThanOrEqual(15);
  });

  it('every ```ts block type-checks against the built package', () => {
    expect(typecheck(blocks)).toEqual([]);
  }, 60_000);

  it('reports a block that does not compile with its README line', () => {
    const problems = typecheck([
      { line: 40, code: "import { createImagesClient } from '@imagegen/client';\ncreateImagesClient().images.generate({ promt: 'x' });" },
    ]);
    expect(problems.join('\n')).toMatch(/^README\.md:41:\d+ - TS\d+: No overload matches this call/);
  }, 60_000);
});
