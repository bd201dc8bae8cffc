// Bad specs: seeded random edits to the merged spec (dropped $ref targets, wrong types, duplicate operationIds,
// invalid YAML, removed required keys), each run through the real lint (spec-build's root check, then the Redocly
// CLI with spec/redocly.yaml, in batches) and the real codegen (scripts/codegen.ts, re-imported in a sandbox so it
// writes nowhere in the repo).
// Each must pass, or fail with a message naming the file and a location — never crash, hang, or emit wrong types.
//
//   tsx scripts/reliability/spec-mutation.ts [--count 300] [--seed 1] [--codegen path/to/codegen.ts] [--verbose]
import { type ChildProcess, execFile, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { rootProblem } from '../../spec/scripts/spec-root.js';

const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), '..', '..');
const specDir = path.join(root, 'spec');
const redocly = path.join(specDir, 'node_modules', '.bin', 'redocly');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export const MUTATION_KINDS = [
  'drop-ref-target',
  'dangling-ref',
  'wrong-type',
  'wrong-keyword-type',
  'duplicate-operation-id',
  'remove-required-key',
  'remove-required-property',
  'invalid-yaml',
] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

/** What the generated types must say after a valid edit (checked only when lint and codegen pass). */
export type Oracle =
  | { schema: string; property: string; expect: 'optional' }
  | { schema: string; property: string; expect: 'type'; tsType: string };

export interface Mutation {
  id: string;
  kind: MutationKind;
  description: string;
  text: string;
  oracle?: Oracle;
}

/**
 * What happened at one stage: `pass`; `rejected` (failed with a message naming the file and a line or JSON
 * pointer); `unclear` (failed without naming file and location, or with a stack trace from the script itself);
 * `crash` (a stack trace from inside a dependency); `hang` (over the time bound); `wrong-types` (passed, but the
 * generated types do not compile or do not match the edit); `n/a` (not run).
 */
export type Verdict = 'pass' | 'rejected' | 'unclear' | 'crash' | 'hang' | 'wrong-types' | 'n/a';

export interface MutationResult {
  id: string;
  kind: MutationKind;
  description: string;
  lint: Verdict;
  lintMessage: string;
  /** Codegen on the mutated spec whatever lint said (what `pnpm --filter @imagegen/types codegen` would do). */
  codegen: Verdict;
  codegenMessage: string;
  /** What `pnpm build` does: lint, and codegen only when lint passed. */
  pipeline: Verdict;
  ms: number;
}

export interface MutationReport {
  seed: number;
  count: number;
  results: MutationResult[];
  /** Pipeline verdicts other than pass/rejected, and codegen crashes/hangs. */
  findings: MutationResult[];
  ms: number;
}

// ---- seeded mutations -------------------------------------------------------------------------------------------

/** mulberry32: a small, seedable PRNG, so a failing mutation can be reproduced by its seed and index. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };
type Path = Array<string | number>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const pointer = (p: Path) => `#/${p.map((k) => String(k).replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
const JSON_TYPES = ['string', 'integer', 'number', 'boolean', 'array', 'object', 'null'];
const TS_TYPE: Record<string, string> = {
  string: 'string',
  integer: 'number',
  number: 'number',
  boolean: 'boolean',
  array: 'readonly unknown[]',
  object: 'object',
  null: 'null',
};

function walk(node: Json, visit: (node: Json, path: Path) => void, p: Path = []): void {
  visit(node, p);
  if (Array.isArray(node)) {
    for (const [i, child] of node.entries()) walk(child, visit, [...p, i]);
  } else if (isObj(node)) for (const [k, child] of Object.entries(node)) walk(child, visit, [...p, k]);
}

function at(doc: Json, p: Path): Json | undefined {
  let node: Json | undefined = doc;
  for (const k of p) node = Array.isArray(node) ? node[k as number] : isObj(node) ? node[k as string] : undefined;
  return node;
}

function parentOf(doc: Json, p: Path): [Obj | Json[], string | number] {
  return [at(doc, p.slice(0, -1)) as Obj | Json[], p[p.length - 1] as string | number];
}

function remove(doc: Json, p: Path): void {
  const [parent, key] = parentOf(doc, p);
  if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete parent[key as string];
}

function set(doc: Json, p: Path, value: Json): void {
  const [parent, key] = parentOf(doc, p);
  (parent as Record<string | number, Json>)[key] = value;
}

/** Candidate locations in the base document, collected once. */
function survey(doc: Json) {
  const refs: Path[] = [];
  const typed: Path[] = [];
  const requiredLists: Path[] = [];
  const keywords: Path[] = [];
  walk(doc, (node, p) => {
    if (!isObj(node)) return;
    if (typeof node.$ref === 'string' && node.$ref.startsWith('#/components/')) refs.push(p);
    const inExample = p.includes('examples') || p.includes('example') || p.includes('value');
    if (inExample) return;
    if (typeof node.type === 'string' && JSON_TYPES.includes(node.type)) typed.push(p);
    if (Array.isArray(node.required) && isObj(node.properties)) requiredLists.push(p);
    for (const k of [
      'required',
      'enum',
      'properties',
      'items',
      'anyOf',
      'oneOf',
      'allOf',
      'maxItems',
      'maxLength',
      'minimum',
      'maximum',
      'description',
      'default',
      'discriminator',
      'content',
      'schema',
    ]) {
      if (k in node && (k !== 'required' || Array.isArray(node.required))) keywords.push([...p, k]);
    }
  });
  return { refs, typed, requiredLists, keywords };
}

/** Keys the OpenAPI 3.1 schema requires, where they occur in this document. */
function requiredKeys(doc: Obj): Path[] {
  const out: Path[] = [['openapi'], ['info'], ['info', 'title'], ['info', 'version'], ['paths']];
  for (const i of (doc.servers as Json[] | undefined)?.keys() ?? []) out.push(['servers', i, 'url']);
  for (const i of (doc.tags as Json[] | undefined)?.keys() ?? []) out.push(['tags', i, 'name']);
  for (const [p, item] of Object.entries((doc.paths as Obj) ?? {})) {
    for (const [method, op] of Object.entries(item as Obj)) {
      if (!isObj(op)) continue;
      out.push(['paths', p, method, 'responses']);
      for (const code of Object.keys((op.responses as Obj) ?? {})) {
        const res = (op.responses as Obj)[code];
        if (isObj(res) && !('$ref' in res)) out.push(['paths', p, method, 'responses', code, 'description']);
      }
      if (isObj(op.requestBody) && 'content' in op.requestBody) out.push(['paths', p, method, 'requestBody', 'content']);
    }
  }
  const components = (doc.components as Obj) ?? {};
  for (const [name, scheme] of Object.entries((components.securitySchemes as Obj) ?? {}))
    if (isObj(scheme)) out.push(['components', 'securitySchemes', name, 'type']);
  for (const [name, res] of Object.entries((components.responses as Obj) ?? {}))
    if (isObj(res)) out.push(['components', 'responses', name, 'description']);
  walk(doc, (node, p) => {
    if (isObj(node) && isObj(node.discriminator)) out.push([...p, 'discriminator', 'propertyName']);
  });
  return out;
}

const WRONG_VALUES: Record<string, Json[]> = {
  required: [true, 'prompt', { prompt: true }],
  enum: ['png', { png: 1 }, 42],
  properties: [[], 'none', true],
  items: ['string', [], 1],
  anyOf: ['string', {}, 3],
  oneOf: ['string', {}],
  allOf: [{}, 'x'],
  maxItems: ['16', -1, 1.5],
  maxLength: ['32000', {}],
  minimum: ['0', []],
  maximum: ['3', true],
  description: [42, ['a'], { text: 'x' }],
  default: [{ nested: [1, 2] }],
  discriminator: ['type', []],
  content: ['application/json', []],
  schema: ['CreateImageRequest', []],
};

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;

function textMutation(text: string, rand: () => number): [string, string] {
  const lines = text.split('\n');
  const valueLines = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*[\w$'"./~{}-]+: \S/.test(l) && !l.includes('|'));
  const [line, i] = pick(rand, valueLines);
  const n = i + 1;
  const variant = Math.floor(rand() * 5);
  const edited = [...lines];
  let what: string;
  if (variant === 0) {
    edited[i] = line.replace(/: (\S)/, ': "$1');
    what = `unbalanced double quote on line ${n}`;
  } else if (variant === 1) {
    edited[i] = line.replace(/^( +)/, (spaces) => `\t${spaces.slice(2)}`);
    what = `tab indentation on line ${n}`;
  } else if (variant === 2) {
    edited[i] = line.replace(/: (\S)/, ': [$1');
    what = `unbalanced [ on line ${n}`;
  } else if (variant === 3) {
    edited.splice(i + 1, 0, line);
    what = `duplicate key on lines ${n}-${n + 1}`;
  } else {
    edited[i] = line.replace(/: (\S)/, ": '$1");
    what = `unbalanced single quote on line ${n}`;
  }
  return [edited.join('\n'), what];
}

/** `count` mutations of `baseText`, reproducible from `seed`; kinds cycle so each is covered. */
export function generateMutations(baseText: string, count: number, seed: number): Mutation[] {
  const base = parse(baseText) as Obj;
  const { refs, typed, requiredLists, keywords } = survey(base);
  const required = requiredKeys(base);
  const operations: Path[] = [];
  for (const [p, item] of Object.entries(base.paths as Obj))
    for (const method of Object.keys(item as Obj)) operations.push(['paths', p, method]);
  const componentNames = new Set<string>();
  walk(base, (node) => {
    if (isObj(node) && typeof node.$ref === 'string') componentNames.add(node.$ref);
  });
  const targets = [...componentNames].filter((r) => r.startsWith('#/components/'));
  const discriminators = new Set<string>();
  walk(base, (node) => {
    if (isObj(node) && isObj(node.discriminator) && typeof node.discriminator.propertyName === 'string')
      discriminators.add(node.discriminator.propertyName);
  });

  const out: Mutation[] = [];
  for (let n = 0; n < count; n++) {
    const rand = prng(seed * 100_003 + n);
    const kind = MUTATION_KINDS[n % MUTATION_KINDS.length] as MutationKind;
    const doc = structuredClone(base) as Obj;
    let description = '';
    let oracle: Oracle | undefined;
    let text: string | undefined;
    switch (kind) {
      case 'drop-ref-target': {
        const target = pick(rand, targets);
        remove(
          doc,
          target
            .slice(2)
            .split('/')
            .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~')),
        );
        description = `deleted ${target}, which is still referenced`;
        break;
      }
      case 'dangling-ref': {
        const p = pick(rand, refs);
        const ref = (at(doc, p) as Obj).$ref as string;
        const typo = `${ref}${pick(rand, ['s', 'X', '2', '_old'])}`;
        (at(doc, p) as Obj).$ref = typo;
        description = `${pointer(p)}: $ref ${ref} → ${typo}`;
        break;
      }
      case 'wrong-type': {
        const p = pick(rand, typed);
        const node = at(doc, p) as Obj;
        const from = node.type as string;
        const to = pick(rand, [...JSON_TYPES.filter((t) => t !== from), 'strin', 'int', 'file', 42, ['string', 'nul']] as Json[]);
        node.type = to;
        description = `${pointer(p)}: type ${from} → ${JSON.stringify(to)}`;
        // A direct, plain property of a component schema: the generated property type must follow the edit.
        const plain = !['enum', 'const', 'anyOf', 'oneOf', 'allOf', '$ref', 'format', 'contentMediaType'].some((k) => k in node);
        if (
          p.length === 5 &&
          p[0] === 'components' &&
          p[1] === 'schemas' &&
          p[3] === 'properties' &&
          plain &&
          typeof to === 'string' &&
          TS_TYPE[to]
        ) {
          oracle = { schema: String(p[2]), property: String(p[4]), expect: 'type', tsType: TS_TYPE[to] as string };
        }
        break;
      }
      case 'wrong-keyword-type': {
        const p = pick(rand, keywords);
        const key = String(p[p.length - 1]);
        const value = pick(rand, WRONG_VALUES[key] ?? [42]);
        set(doc, p, value);
        description = `${pointer(p)} set to ${JSON.stringify(value)}`;
        break;
      }
      case 'duplicate-operation-id': {
        const a = pick(rand, operations);
        const b = pick(
          rand,
          operations.filter((o) => o !== a),
        );
        const id = (at(doc, b) as Obj).operationId as string;
        (at(doc, a) as Obj).operationId = id;
        description = `${pointer(a)}: operationId → ${id} (already used by ${pointer(b)})`;
        break;
      }
      case 'remove-required-key': {
        const p = pick(rand, required);
        remove(doc, p);
        description = `removed ${pointer(p)}`;
        break;
      }
      case 'remove-required-property': {
        const p = pick(rand, requiredLists);
        const list = (at(doc, p) as Obj).required as string[];
        const name = pick(rand, list);
        list.splice(list.indexOf(name), 1);
        if (!list.length) delete (at(doc, p) as Obj).required;
        description = `${pointer(p)}: ${name} no longer required`;
        // A discriminator's property stays required in the types (OpenAPI: it MUST be present), so no oracle for it.
        if (p.length === 3 && p[0] === 'components' && p[1] === 'schemas' && !discriminators.has(name))
          oracle = { schema: String(p[2]), property: name, expect: 'optional' };
        break;
      }
      case 'invalid-yaml': {
        [text, description] = textMutation(baseText, rand);
        break;
      }
    }
    out.push({
      id: `s${seed}-${String(n).padStart(4, '0')}`,
      kind,
      description,
      text: text ?? stringify(doc, { lineWidth: 0 }),
      ...(oracle && { oracle }),
    });
  }
  return out;
}

// ---- lint: the Redocly CLI on batches of files ----------------------------------------------------------------

interface LintOutcome {
  verdict: Verdict;
  message: string;
}

interface RedoclyProblem {
  ruleId?: string;
  severity?: string;
  message?: string;
  location?: Array<{ source?: { ref?: string }; pointer?: string; start?: { line?: number; col?: number } }>;
}

function run(
  command: string,
  args: string[],
  timeoutMs: number,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      {
        cwd,
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 64 << 20,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      },
      (error, stdout, stderr) => {
        const e = error as (Error & { code?: number | string; killed?: boolean; signal?: string }) | null;
        resolve({
          code: e ? (typeof e.code === 'number' ? e.code : 1) : 0,
          stdout,
          stderr,
          timedOut: Boolean(e?.killed || e?.signal === 'SIGKILL'),
        });
      },
    );
    child.stdin?.on('error', () => {});
    child.stdin?.end();
  });
}

const stackFrame = /^\s+at .+\(?.+:\d+:\d+\)?$/m;

/** Lint these files with one Redocly process; a file that fails to parse stops Redocly, so the rest run again. */
export async function lintFiles(files: string[], perFileMs: number): Promise<Map<string, LintOutcome>> {
  const results = new Map<string, LintOutcome>();
  let queue = [...files];
  while (queue.length) {
    const batch = queue;
    const r = await run(
      redocly,
      ['lint', ...batch, '--config', 'redocly.yaml', '--format', 'json'],
      15_000 + perFileMs * batch.length,
      specDir,
    );
    const done = new Set<string>();
    for (const m of r.stderr.matchAll(/^(\S+\.yaml): validated in/gm)) done.add(path.basename(m[1] as string));
    let problems: RedoclyProblem[] = [];
    try {
      // After a file that fails to parse, Redocly prints a second JSON document (empty totals) right after the first.
      const docs = JSON.parse(`[${r.stdout.slice(r.stdout.indexOf('{')).replace(/}\s*{(?=\s*"totals")/g, '},{')}]`) as Array<{
        problems?: RedoclyProblem[];
      }>;
      problems = docs.flatMap((d) => d.problems ?? []);
    } catch {
      problems = [];
    }
    const errorsBy = new Map<string, RedoclyProblem[]>();
    for (const p of problems) {
      if (p.severity !== 'error') continue;
      const file = path.basename(p.location?.[0]?.source?.ref ?? '');
      errorsBy.set(file, [...(errorsBy.get(file) ?? []), p]);
    }
    for (const file of batch) {
      const name = path.basename(file);
      if (!done.has(name)) continue;
      const errors = errorsBy.get(name) ?? [];
      if (!errors.length) results.set(file, { verdict: 'pass', message: '' });
      else {
        const clear = errors.every((e) => e.location?.[0]?.source?.ref && e.location[0].start?.line);
        const first = errors[0] as RedoclyProblem;
        results.set(file, {
          verdict: clear ? 'rejected' : 'unclear',
          message: `${name}:${first.location?.[0]?.start?.line ?? '?'}:${first.location?.[0]?.start?.col ?? '?'} ${first.ruleId} ${first.message}${errors.length > 1 ? ` (+${errors.length - 1})` : ''}`,
        });
      }
    }
    const parseFailure = /Failed to parse API description at (\S+?):\s*\n\s*\n?\s*- (.+)/.exec(r.stderr);
    const failed = parseFailure ? batch.find((f) => path.basename(f) === path.basename(parseFailure[1] as string)) : undefined;
    if (failed) {
      const message = `${parseFailure?.[1]}: ${parseFailure?.[2]}`.trim();
      results.set(failed, {
        verdict: /\(\d+:\d+\)/.test(message) && message.includes(path.basename(failed)) ? 'rejected' : 'unclear',
        message: message.replaceAll(path.dirname(failed) + path.sep, ''),
      });
    }
    const rest = batch.filter((f) => !results.has(f));
    if (rest.length && !failed) {
      // Redocly stopped without saying why: a crash or a timeout. Lint those files one by one to find which.
      if (batch.length === 1) {
        const f = batch[0] as string;
        const tail = `${r.stderr}\n${r.stdout}`.trim().split('\n').slice(-3).join(' | ');
        results.set(f, {
          verdict: r.timedOut ? 'hang' : stackFrame.test(r.stderr) ? 'crash' : 'unclear',
          message: r.timedOut
            ? `redocly lint: no result within ${15_000 + perFileMs} ms`
            : `redocly lint exited ${r.code}: ${tail.slice(0, 300)}`,
        });
        queue = [];
      } else {
        for (const f of rest) for (const [k, v] of await lintFiles([f], perFileMs)) results.set(k, v);
        queue = [];
      }
    } else queue = rest;
  }
  return results;
}

// ---- codegen: the real script, re-imported in a sandbox, in a child process ------------------------------------

interface CodegenRequest {
  id: string;
  json: string | undefined;
  check: boolean;
  oracle?: Oracle;
}

interface CodegenReply {
  id: string;
  verdict: Verdict;
  message: string;
}

/** A throwaway copy of the repo layout codegen.ts expects: scripts/codegen.ts, spec/dist/, packages/types/. */
function createSandbox(codegenFile: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'imagegen-mutation-'));
  mkdirSync(path.join(dir, 'scripts'));
  mkdirSync(path.join(dir, 'spec', 'dist'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  writeFileSync(path.join(dir, 'scripts', 'codegen.ts'), readFileSync(codegenFile));
  symlinkSync(path.join(root, 'scripts', 'node_modules'), path.join(dir, 'scripts', 'node_modules'));
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

class CodegenWorker {
  private child: ChildProcess | undefined;
  constructor(
    private readonly sandbox: string,
    private readonly timeoutMs: number,
  ) {}

  private spawn(): ChildProcess {
    const child = fork(here, [], {
      execArgv: ['--import', tsxLoader],
      env: { ...process.env, RELIABILITY_MUTATION_ROLE: 'codegen', RELIABILITY_SANDBOX: this.sandbox },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.stdout?.resume();
    child.stderr?.resume();
    return child;
  }

  async run(request: CodegenRequest): Promise<CodegenReply> {
    this.child ??= this.spawn();
    const child = this.child;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        cleanup();
        this.kill();
        resolve({ id: request.id, verdict: 'hang', message: `codegen did not finish within ${this.timeoutMs} ms` });
      }, this.timeoutMs);
      const onMessage = (reply: CodegenReply) => {
        if (reply.id !== request.id) return;
        cleanup();
        resolve(reply);
      };
      const onExit = (code: number | null) => {
        cleanup();
        this.child = undefined;
        resolve({ id: request.id, verdict: 'crash', message: `codegen worker exited (${code}) on this input` });
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send(request);
    });
  }

  kill(): void {
    this.child?.kill('SIGKILL');
    this.child = undefined;
  }
}

class ExitSignal extends Error {
  constructor(readonly code: number) {
    super(`process.exit(${code})`);
  }
}

/** The worker side: write the spec, re-import codegen.ts (a fresh module instance each time), classify. */
async function codegenWorkerRole(sandbox: string): Promise<void> {
  const ts = (await import('typescript')).default;
  const codegenUrl = pathToFileURL(path.join(sandbox, 'scripts', 'codegen.ts')).href;
  const generated = path.join(sandbox, 'packages', 'types', 'src', 'generated');
  const libCache = new Map<string, import('typescript').SourceFile>();
  let oldProgram: import('typescript').Program | undefined;
  let runs = 0;

  function typeProblems(oracle: Oracle | undefined): string[] {
    const probe = path.join(generated, 'probe.ts');
    const lines = [
      "import type { components } from './openapi.gen';",
      "import { spec } from './constants.gen';",
      'export const limits = spec.limits;',
    ];
    if (oracle) {
      const prop = `components['schemas'][${JSON.stringify(oracle.schema)}][${JSON.stringify(oracle.property)}]`;
      if (oracle.expect === 'optional')
        lines.push(
          `type Optional = {} extends Pick<components['schemas'][${JSON.stringify(oracle.schema)}], ${JSON.stringify(oracle.property)}> ? true : false;`,
          'export const optional: Optional = true;',
        );
      else
        lines.push(
          `type Matches = [Exclude<${prop}, undefined>] extends [${oracle.tsType}] ? true : false;`,
          'export const matches: Matches = true;',
        );
    }
    writeFileSync(probe, `${lines.join('\n')}\n`);
    const options: import('typescript').CompilerOptions = {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: [],
      skipLibCheck: true,
    };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (file, language) => {
      if (!file.includes('/typescript/lib/')) return getSourceFile(file, language);
      let sf = libCache.get(file);
      if (!sf) {
        sf = getSourceFile(file, language);
        if (sf) libCache.set(file, sf);
      }
      return sf;
    };
    const program = ts.createProgram({
      rootNames: [probe, path.join(generated, 'openapi.gen.ts')],
      options,
      host,
      ...(oldProgram && { oldProgram }),
    });
    oldProgram = program;
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const file = d.file ? path.basename(d.file.fileName) : '';
      if (file === 'probe.ts' && oracle) {
        const want = oracle.expect === 'optional' ? 'optional' : `of type ${oracle.tsType}`;
        return `the generated ${oracle.schema}.${oracle.property} is not ${want}, as the edited spec says`;
      }
      const where = d.file ? `${file}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`.trim();
    });
  }

  process.on('message', async (request: CodegenRequest) => {
    const reply = (verdict: Verdict, message: string) => process.send?.({ id: request.id, verdict, message } satisfies CodegenReply);
    writeFileSync(path.join(sandbox, 'spec', 'dist', 'openapi.json'), request.json ?? '');
    rmSync(generated, { recursive: true, force: true });
    const printed: string[] = [];
    const { log, error, warn } = console;
    const exit = process.exit;
    console.log = console.error = console.warn = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
    process.exit = ((code?: number) => {
      throw new ExitSignal(code ?? 0);
    }) as typeof process.exit;
    let thrown: unknown;
    try {
      await import(`${codegenUrl}?run=${runs++}`);
    } catch (e) {
      thrown = e;
    } finally {
      Object.assign(console, { log, error, warn });
      process.exit = exit;
    }
    const output = printed.join('\n').trim();
    if (thrown instanceof ExitSignal && thrown.code !== 0) {
      const clear = /openapi\.(json|yaml)/.test(output) && (/:\d+/.test(output) || /#\//.test(output));
      return reply(clear ? 'rejected' : 'unclear', output.split('\n').slice(0, 3).join(' | ') || `exit ${thrown.code} without a message`);
    }
    if (thrown) {
      const e = thrown as Error;
      const frame =
        String(e?.stack ?? '')
          .split('\n')
          .find((l) => /^\s+at /.test(l)) ?? '';
      const fromDependency = frame.includes('node_modules');
      const where = frame
        .trim()
        .replace(/^at /, '')
        .replace(/^.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '');
      return reply(
        fromDependency ? 'crash' : 'unclear',
        `${e?.name ?? 'Error'}: ${String(e?.message ?? e)
          .split('\n')[0]
          ?.slice(0, 200)} (stack trace, at ${where.slice(0, 120)})`,
      );
    }
    if (!request.check) return reply('pass', '');
    const problems = typeProblems(request.oracle);
    reply(problems.length ? 'wrong-types' : 'pass', problems.slice(0, 2).join(' | '));
  });
  process.on('disconnect', () => process.exit(0));
}

// ---- the run --------------------------------------------------------------------------------------------------

export interface MutationOptions {
  count: number;
  seed?: number;
  /** The codegen script to test (default: scripts/codegen.ts); a patched copy can be tried without editing it. */
  codegen?: string;
  /** The spec to mutate (default: spec/dist/openapi.yaml). */
  spec?: string;
  /** Lint processes run side by side. */
  lintProcesses?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Generate `count` mutations, lint and codegen each, and classify. Bounded: 20 s per codegen, 15 s + 10 s/file per lint batch. */
export async function runMutations(options: MutationOptions): Promise<MutationReport> {
  const started = Date.now();
  const seed = options.seed ?? 1;
  const specFile = options.spec ?? path.join(specDir, 'dist', 'openapi.yaml');
  const baseText = readFileSync(specFile, 'utf8');
  const mutations = generateMutations(baseText, options.count, seed);
  const work = mkdtempSync(path.join(tmpdir(), 'imagegen-mutants-'));
  const sandbox = createSandbox(options.codegen ?? path.join(root, 'scripts', 'codegen.ts'));
  const worker = new CodegenWorker(sandbox, 20_000);
  try {
    const files = new Map<string, string>();
    const parsed = new Map<string, string | undefined>();
    for (const m of mutations) {
      const file = path.join(work, `${m.id}.yaml`);
      writeFileSync(file, m.text);
      files.set(m.id, file);
      try {
        parsed.set(m.id, `${JSON.stringify(parse(m.text), null, 2)}\n`);
      } catch {
        parsed.set(m.id, undefined);
      }
    }
    // Sanity: the unmutated spec must lint clean here, or every verdict below is meaningless.
    const baseFile = path.join(work, 'base.yaml');
    writeFileSync(baseFile, baseText);

    // The build checks the root document (YAML, `openapi: 3.x`) before Redocly, naming file and line: so does this.
    const stoppedEarly = new Map<string, LintOutcome>();
    for (const m of mutations) {
      const file = files.get(m.id) as string;
      const problem = rootProblem(m.text, path.basename(file));
      if (problem) stoppedEarly.set(file, { verdict: 'rejected', message: problem });
    }
    const all = [baseFile, ...files.values()].filter((f) => !stoppedEarly.has(f));
    const n = Math.max(1, options.lintProcesses ?? 2);
    const chunks = Array.from({ length: n }, (_, i) => all.filter((_, j) => j % n === i));
    const lintDone = Promise.all(chunks.map((c) => (c.length ? lintFiles(c, 10_000) : new Map<string, LintOutcome>()))).then(
      (maps) => new Map([...stoppedEarly, ...maps.flatMap((m) => [...m])]),
    );

    // Sanity: codegen must work on the unmutated spec in the sandbox (a codegen.ts that imports a sibling file would not).
    const baseline = await worker.run({ id: 'base', json: `${JSON.stringify(parse(baseText), null, 2)}\n`, check: true });
    if (baseline.verdict !== 'pass')
      throw new Error(`spec-mutation: codegen fails on the unmutated spec (${baseline.verdict}: ${baseline.message})`);

    // Codegen on every parseable mutant while lint runs (types are checked after, for the ones lint passed).
    const codegen = new Map<string, CodegenReply>();
    let done = 0;
    for (const m of mutations) {
      const json = parsed.get(m.id);
      codegen.set(
        m.id,
        json === undefined
          ? { id: m.id, verdict: 'n/a', message: 'not valid YAML: the spec build stops before writing openapi.json' }
          : await worker.run({ id: m.id, json, check: false }),
      );
      options.onProgress?.(++done, mutations.length * 2);
    }
    const lint = await lintDone;
    const base = lint.get(baseFile);
    if (base?.verdict !== 'pass')
      throw new Error(
        `spec-mutation: the unmutated spec does not lint clean (${base?.verdict}: ${base?.message}); nothing to compare against`,
      );

    const results: MutationResult[] = [];
    for (const m of mutations) {
      const l = lint.get(files.get(m.id) as string) ?? { verdict: 'unclear' as Verdict, message: 'no lint result' };
      let c = codegen.get(m.id) as CodegenReply;
      let pipeline: Verdict = l.verdict;
      if (l.verdict === 'pass') {
        // Lint passed, so `pnpm build` would run codegen and ship its output: it must compile and match the edit.
        if (c.verdict === 'pass')
          c = await worker.run({ id: m.id, json: parsed.get(m.id), check: true, ...(m.oracle && { oracle: m.oracle }) });
        pipeline = c.verdict;
      }
      options.onProgress?.(++done, mutations.length * 2);
      results.push({
        id: m.id,
        kind: m.kind,
        description: m.description,
        lint: l.verdict,
        lintMessage: l.message,
        codegen: c.verdict,
        codegenMessage: c.message,
        pipeline,
        ms: 0,
      });
    }
    const findings = results.filter((r) => !['pass', 'rejected'].includes(r.pipeline) || ['crash', 'hang'].includes(r.codegen));
    return { seed, count: options.count, results, findings, ms: Date.now() - started };
  } finally {
    worker.kill();
    rmSync(work, { recursive: true, force: true });
    rmSync(sandbox, { recursive: true, force: true });
  }
}

/** Counts per kind and verdict, then one line per finding. */
export function formatMutationReport(report: MutationReport): string {
  const verdicts: Verdict[] = ['pass', 'rejected', 'unclear', 'crash', 'hang', 'wrong-types'];
  const header = ['mutation kind', 'n', ...verdicts.map((v) => `pipeline ${v}`), 'codegen alone: crash/hang/unclear'];
  const rows = MUTATION_KINDS.map((kind) => {
    const of = report.results.filter((r) => r.kind === kind);
    const cg = of.filter((r) => ['crash', 'hang', 'unclear'].includes(r.codegen)).length;
    return [kind, String(of.length), ...verdicts.map((v) => String(of.filter((r) => r.pipeline === v).length)), String(cg)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  out.push(
    '',
    `${report.count} mutations (seed ${report.seed}) in ${(report.ms / 1000).toFixed(1)} s; ${report.findings.length} finding(s)`,
  );
  // Findings grouped by what went wrong (pointers and file names stripped), one example each.
  const groups = new Map<string, MutationResult[]>();
  for (const f of report.findings) {
    const stage = !['pass', 'rejected'].includes(f.pipeline)
      ? `pipeline ${f.pipeline}: ${f.lint === 'pass' ? `codegen ${f.codegenMessage}` : `lint ${f.lintMessage}`}`
      : `codegen alone ${f.codegen}: ${f.codegenMessage}`;
    const key = stage
      .replace(/#\/\S+/g, '#/…')
      .replace(/s\d+-\d+\.yaml(:\d+:\d+)?/g, 'FILE')
      .replace(/\/tmp\/\S+/g, 'FILE');
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  for (const [key, list] of groups) {
    const example = list[0] as MutationResult;
    out.push(`  ×${list.length} ${key}`);
    out.push(`     e.g. ${example.id} ${example.kind}: ${example.description}`);
    out.push(`          lint ${example.lint}${example.lintMessage ? `: ${example.lintMessage}` : ''}`);
  }
  return out.join('\n');
}

if (process.env.RELIABILITY_MUTATION_ROLE === 'codegen') {
  await codegenWorkerRole(process.env.RELIABILITY_SANDBOX as string);
} else if (process.argv[1] === here) {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '300' },
      seed: { type: 'string', default: '1' },
      codegen: { type: 'string' },
      verbose: { type: 'boolean' },
    },
  });
  const report = await runMutations({
    count: Number(values.count),
    seed: Number(values.seed),
    ...(values.codegen && { codegen: path.resolve(values.codegen) }),
  });
  console.log(formatMutationReport(report));
  if (values.verbose)
    for (const r of report.results)
      console.log(
        `${r.id} ${r.kind} [${r.pipeline}] ${r.description}\n    lint: ${r.lintMessage}\n    codegen: ${r.codegen} ${r.codegenMessage}`,
      );
  process.exitCode = report.findings.length ? 1 : 0;
}
