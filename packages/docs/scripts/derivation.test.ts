import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDerivation, guideOperations } from './derivation.js';
import { loadSpec, operations } from './spec.js';

const doc = loadSpec();
const [op] = operations(doc);
const id = op?.operationId ?? '';
const dir = mkdtempSync(path.join(tmpdir(), 'imagegen-derivation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sample(name: string, header: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${header}\nconsole.log('hi');\n`);
  return file;
}

describe('samples and guides derive from the spec', () => {
  it('accepts samples and guides about operations the spec has', () => {
    const samples = checkDerivation(doc, [sample('ok.ts', `// operation: ${id}`)], [{ file: 'g.md', markdown: `<!-- route: ${id} -->` }]);
    expect(samples[0]?.operationId).toBe(id);
  });

  it('names a sample without an operation line', () => {
    const file = sample('plain.ts', '// just a comment');
    expect(() => checkDerivation(doc, [file], [])).toThrow(`${file}:1: a sample's first line must be "// operation: <operationId>"`);
  });

  it('names a sample of a removed operation', () => {
    const file = sample('gone.ts', `// operation: ${id}Gone`);
    expect(() => checkDerivation(doc, [file], [])).toThrow(`${file}:1: shows operation ${id}Gone, which the spec no longer has`);
  });

  it('names a guide about a removed operation, by front matter or by directive', () => {
    const front = `---\ntitle: T\norder: 1\noperations: [${id}, ${id}Gone]\n---\n# T\n`;
    expect(guideOperations(front)).toEqual([id, `${id}Gone`]);
    expect(() => checkDerivation(doc, [], [{ file: 'site/guides/t.md', markdown: front }])).toThrow(
      `site/guides/t.md: is about operation ${id}Gone, which the spec no longer has`,
    );
    expect(() => checkDerivation(doc, [], [{ file: 'g.md', markdown: `see <!-- ref: ${id}Gone -->` }])).toThrow('g.md: is about operation');
  });

  it('names every stale file at once, one line each', () => {
    const files = [sample('a.ts', `// operation: ${id}Gone`), sample('b.ts', `// operation: ${id}`)];
    const guides = [{ file: 'g.md', markdown: `<!-- route: ${id}Gone -->` }];
    expect(() => checkDerivation(doc, files, guides)).toThrow(
      `${files[0]}:1: shows operation ${id}Gone, which the spec no longer has — delete the sample\ng.md: is about operation ${id}Gone`,
    );
  });
});
