// Type-check generated files plus a probe file in a temp folder, with the repo's strict options.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';

const options: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
  types: [],
  skipLibCheck: true,
};
const libs = new Map<string, ts.SourceFile>();
let previous: ts.Program | undefined;

/** Diagnostics (`file:line message`) of the generated files and `probe.ts` (which imports them as `./generated/….js`). */
export function compile(files: Record<string, string>, probe = ''): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'imagegen-codegen-'));
  try {
    mkdirSync(path.join(dir, 'generated'));
    writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, 'generated', name), text);
    writeFileSync(path.join(dir, 'probe.ts'), `${probe}\nexport {};\n`);
    const host = ts.createCompilerHost(options);
    const read = host.getSourceFile.bind(host);
    // The lib files are the same for every run: parse them once.
    host.getSourceFile = (file, language) => {
      if (!file.includes('/typescript/lib/')) return read(file, language);
      let source = libs.get(file);
      if (!source) {
        source = read(file, language);
        if (source) libs.set(file, source);
      }
      return source;
    };
    const rootNames = [path.join(dir, 'probe.ts'), ...Object.keys(files).map((n) => path.join(dir, 'generated', n))];
    const program = ts.createProgram({ rootNames, options, host, ...(previous && { oldProgram: previous }) });
    previous = program;
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${path.relative(dir, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`.trim();
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
