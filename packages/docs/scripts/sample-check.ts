// Type-checks the code samples with the TypeScript compiler API, against the built @imagegen/client and @imagegen/types.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** The sample files of a directory (`*.ts`, not `.d.ts`), sorted by name. */
export function sampleFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .sort()
    .map((name) => path.join(dir, name));
}

/**
 * Type-check `files` with the compiler options of `tsconfigFile`. Returns one entry per problem,
 * `file:line:col - error TS1234: message`, with the file relative to `cwd`; empty when clean.
 */
export function typecheckSamples(files: string[], tsconfigFile: string, cwd = process.cwd()): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    tsconfigFile,
    { noEmit: true },
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error(`cannot read ${tsconfigFile}`);
  const program = ts.createProgram(files, config.options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n  ');
    const kind = ts.DiagnosticCategory[d.category].toLowerCase();
    if (!d.file || d.start === undefined) return `${kind} TS${d.code}: ${message}`;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${path.relative(cwd, d.file.fileName)}:${line + 1}:${character + 1} - ${kind} TS${d.code}: ${message}`;
  });
}
