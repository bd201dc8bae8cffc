// The SDK method index: every export of the built @imagegen/client, read from its .d.ts with the
// TypeScript compiler API (declarations as the compiler prints them, JSDoc as written).
import { createRequire } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { cell, code, fence } from './spec-markdown.js';

/** The built client's type entry point (`exports["."].import.types`). */
export function clientTypesFile(): string {
  const pkg = createRequire(import.meta.url).resolve('@imagegen/client/package.json');
  return path.join(path.dirname(pkg), 'dist', 'index.d.ts');
}

interface Entry {
  name: string;
  kind: 'function' | 'class' | 'error' | 'interface' | 'type';
  doc: string;
  deprecated: boolean;
  declaration: string;
  members: Array<{ name: string; type: string; doc: string; deprecated: boolean; signatures: string[] }>;
}

const printer = ts.createPrinter({ removeComments: true });
const print = (node: ts.Node) => printer.printNode(ts.EmitHint.Unspecified, node, node.getSourceFile());

export function sdkEntries(file = clientTypesFile()): Entry[] {
  const program = ts.createProgram([file], { noEmit: true, skipLibCheck: true, strict: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${file}: no module to index (build @imagegen/client first)`);
  const docOf = (symbol: ts.Symbol) => ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  const deprecatedOf = (symbol: ts.Symbol) => symbol.getJsDocTags(checker).some((t) => t.name === 'deprecated');

  const entries: Entry[] = [];
  const exports = checker.getExportsOfModule(moduleSymbol);
  for (const exported of exports) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const decls = symbol.declarations ?? [];
    const name = exported.name;
    const base = { name, doc: docOf(symbol), deprecated: deprecatedOf(symbol), members: [] as Entry['members'] };
    const fn = decls.filter(ts.isFunctionDeclaration);
    const cls = decls.find(ts.isClassDeclaration);
    const variable = decls.find(ts.isVariableDeclaration);
    const iface = decls.find(ts.isInterfaceDeclaration);
    const alias = decls.find(ts.isTypeAliasDeclaration);
    if (fn.length) {
      entries.push({ ...base, kind: 'function', declaration: fn.map((d) => print(d).replace(/^declare /, '')).join('\n') });
    } else if (cls) {
      const heritage = cls.heritageClauses?.map((h) => ` ${h.getText()}`).join('') ?? '';
      entries.push({ ...base, kind: /Error$/.test(name) ? 'error' : 'class', declaration: `class ${name}${heritage}` });
    } else if (variable && /Error$/.test(name)) {
      entries.push({ ...base, kind: 'error', declaration: `const ${name}: ${variable.type ? variable.type.getText() : 'unknown'}` });
    } else if (iface) {
      const members = checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol)).map((m) => {
        const mdecls = m.declarations ?? [];
        const signatures = mdecls.filter(ts.isMethodSignature).map((d) => print(d));
        const prop = mdecls.find(ts.isPropertySignature);
        return {
          name: m.name,
          type: prop?.type ? prop.type.getText().replace(/\s+/g, ' ') : '',
          doc: docOf(m),
          deprecated: deprecatedOf(m),
          signatures,
        };
      });
      entries.push({ ...base, kind: 'interface', declaration: `interface ${name}`, members });
    } else if (alias) {
      entries.push({ ...base, kind: 'type', declaration: print(alias) });
    }
  }
  return entries;
}

/** Inline object types longer than a few words become `{…}`: the API reference lists their properties. */
export function compactObjects(text: string, longest = 40): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '{') {
      out += text[i];
      continue;
    }
    let depth = 0;
    let j = i;
    for (; j < text.length; j++) {
      if (text[j] === '{') depth++;
      else if (text[j] === '}' && --depth === 0) break;
    }
    const block = text.slice(i, j + 1);
    out += block.length > longest ? '{…}' : block;
    i = j;
  }
  return out;
}

export interface ImagesMethod {
  name: string;
  doc: string;
  deprecated: boolean;
  signatures: string[];
}

/**
 * The methods of `createImagesClient(…).images`, read from the type the compiler resolves (so hand-written
 * interfaces and types mapped from the generated operation table read the same).
 */
export function imagesMethods(file = clientTypesFile()): ImagesMethod[] {
  const program = ts.createProgram([file], { noEmit: true, skipLibCheck: true, strict: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!source || !moduleSymbol) throw new Error(`${file}: no module to index (build @imagegen/client first)`);
  const create = checker.getExportsOfModule(moduleSymbol).find((e) => e.name === 'createImagesClient');
  if (!create) throw new Error(`${file}: no createImagesClient export`);
  const [signature] = checker.getSignaturesOfType(checker.getTypeOfSymbolAtLocation(create, source), ts.SignatureKind.Call);
  const images = signature && checker.getReturnTypeOfSignature(signature).getProperty('images');
  if (!images) throw new Error(`${file}: createImagesClient() has no images property`);
  const flags = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope;
  return checker.getPropertiesOfType(checker.getTypeOfSymbolAtLocation(images, source)).map((m) => {
    // Hand-written method signatures print as written; a method typed through a mapped type prints as its type.
    const declared = (m.declarations ?? []).filter(ts.isMethodSignature).map((d) => print(d));
    const type = checker.getTypeOfSymbolAtLocation(m, source);
    return {
      name: m.name,
      doc: ts.displayPartsToString(m.getDocumentationComment(checker)).trim(),
      deprecated: m.getJsDocTags(checker).some((t) => t.name === 'deprecated'),
      signatures: declared.length
        ? declared
        : checker
            .getSignaturesOfType(type, ts.SignatureKind.Call)
            .map((sig) => `${m.name}${compactObjects(checker.signatureToString(sig, undefined, flags))};`),
    };
  });
}

/** The SDK page: the `images` methods first, then functions, errors, and the option and type interfaces. */
export function sdkMarkdown(
  entries = sdkEntries(),
  methods = imagesMethods(),
  operationOf: (method: string) => string | undefined = () => undefined,
): string {
  const out: string[] = [
    `Generated from the type declarations of the built ${code('@imagegen/client')} (${entries.length} exports). Every name below is importable from ${code("'@imagegen/client'")}.`,
  ];
  const withDoc = (e: { doc: string; deprecated: boolean }) =>
    `${e.deprecated ? '**Deprecated.** ' : ''}${e.doc.replace(/\{@link\s+([\w.]+)\s*\}/g, (_m, n: string) => `[${code(n)}](#${n})`)}`;
  out.push(
    '## `client.images` methods {#images}',
    `The methods of ${code('createImagesClient(…).images')}, one per operation of the spec.`,
  );
  for (const m of methods) {
    out.push(`### ${code(m.name)}${m.deprecated ? ' <Badge type="danger" text="deprecated" />' : ''} {#images-${m.name}}`);
    if (m.doc || m.deprecated) out.push(withDoc(m));
    out.push(fence(m.signatures.join('\n'), 'ts'));
    const op = operationOf(m.name);
    if (op) out.push(`Its request body, responses and stream events: [${code(op)} in the API reference](/reference#${op}).`);
  }
  const section = (title: string, id: string, list: Entry[]) => {
    if (!list.length) return;
    out.push(`## ${title} {#${id}}`);
    for (const e of list) {
      out.push(`### ${code(e.name)}${e.deprecated ? ' <Badge type="danger" text="deprecated" />' : ''} {#${e.name}}`);
      if (e.doc || e.deprecated) out.push(withDoc(e));
      if (e.kind === 'interface' && e.members.length) {
        out.push(
          [
            '| member | type | description |',
            '| --- | --- | --- |',
            ...e.members.map(
              (m) =>
                `| ${code(m.name)}${m.deprecated ? ' *deprecated*' : ''} | ${m.type ? cell(code(m.type)) : m.signatures.length ? 'method' : ''} | ${cell(m.doc)} |`,
            ),
          ].join('\n'),
        );
      } else {
        out.push(fence(e.declaration, 'ts'));
      }
    }
  };
  section(
    'Functions',
    'functions',
    entries.filter((e) => e.kind === 'function' || e.kind === 'class'),
  );
  section(
    'Errors',
    'errors',
    entries.filter((e) => e.kind === 'error'),
  );
  section(
    'Interfaces',
    'interfaces',
    entries.filter((e) => e.kind === 'interface'),
  );
  section(
    'Types',
    'types',
    entries.filter((e) => e.kind === 'type'),
  );
  return out.join('\n\n');
}
