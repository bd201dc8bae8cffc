import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { requestFacts } from '../src/cases.js';
import { escapePointer, isObject, type JsonObject, loadSpec, type Spec } from '../src/spec.js';
import { PACKAGE_DIR } from './run-cli.js';

// Fixtures are our own merged spec with planted edits: the "official" document differs from ours in
// exactly the ways each test plants, and in nothing else, so the report must name those and no more.
const CLI = path.join(PACKAGE_DIR, 'dist', 'spec-upstream.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'spec-upstream-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let spec: Spec;

function run(upstream: JsonObject, differences?: string, asYaml = false) {
  const file = path.join(tmp, `upstream-${Math.random().toString(36).slice(2)}.${asYaml ? 'yaml' : 'json'}`);
  writeFileSync(file, asYaml ? stringify(upstream) : JSON.stringify(upstream));
  const args = [CLI, file];
  if (differences) {
    const diffFile = path.join(tmp, `differences-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(diffFile, differences);
    args.push('--differences', diffFile);
  }
  const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function at(doc: JsonObject, pointer: string): JsonObject {
  let node: unknown = doc;
  for (const raw of pointer.split('/').slice(1)) node = (node as JsonObject)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  if (!isObject(node)) throw new Error(`nothing at ${pointer}`);
  return node;
}

beforeAll(() => {
  spec = loadSpec();
});

const NONE = 'differences: []\n';

describe('pnpm spec:upstream', () => {
  it('reports nothing for our own spec (and exits 0), but names deliberate differences it no longer sees', () => {
    const result = run(structuredClone(spec.doc), NONE);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^no differences from upstream beyond the 0 deliberate ones$/m);
  });

  it('reports each planted difference per operation, on both sides, and exits 1', () => {
    const doc = structuredClone(spec.doc);
    const [first, second] = [...spec.operations.values()];
    if (!first || !second) throw new Error('expected two operations');
    const [mediaType, media] = [...first.requestContent][0] ?? [];
    if (!mediaType || !media?.schemaPointer) throw new Error('expected a request schema');
    // 1. upstream has a request property we lack
    const requestSchema = at(doc, spec.resolve(media.schemaPointer).pointer);
    const newField = `${[...requestFacts(spec, first, mediaType).keys()].join('_').slice(0, 12)}_new`;
    (requestSchema.properties as JsonObject)[newField] = { type: 'string' };
    // 2. upstream lacks a property we declare
    const dropped = [...requestFacts(spec, first, mediaType).keys()].find((k) => !requestFacts(spec, first, mediaType).get(k)?.required);
    if (!dropped) throw new Error('expected an optional property');
    delete (requestSchema.properties as JsonObject)[dropped];
    // 3. upstream marks the second operation deprecated
    at(doc, `/paths/${escapePointer(second.path)}/${second.method.toLowerCase()}`).deprecated = !second.deprecated;
    const result = run(doc, NONE);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${first.operationId}\n  upstream has, we lack:\n    + request ${mediaType} property ${newField}`);
    expect(result.stdout).toContain('  we declare, upstream does not:\n');
    expect(result.stdout).toContain(`    - request ${mediaType} property ${dropped}\n`);
    expect(result.stdout).toMatch(new RegExp(`^${second.operationId}$`, 'm'));
    expect(result.stdout).toMatch(/[+-] deprecated$/m);
  });

  it('reports an enum value upstream added to a response, and an operation we do not have (YAML input)', () => {
    const doc = structuredClone(spec.doc);
    const op = [...spec.operations.values()][0];
    const pointer = op?.responses.get('200')?.content.get('application/json')?.schemaPointer;
    if (!op || !pointer) throw new Error('expected a JSON 200');
    const withEnum = [...spec.objectShape(pointer).properties].find(([, p]) =>
      spec.variants(p.pointer).some((v) => Array.isArray(v.node.enum)),
    );
    if (!withEnum) throw new Error('expected a response enum');
    const [name, prop] = withEnum;
    const enumNode = spec.variants(prop.pointer).find((v) => Array.isArray(v.node.enum));
    if (!enumNode) throw new Error('expected an enum');
    const values = at(doc, enumNode.pointer).enum as unknown[];
    const added = `${values.join('-')}-new`;
    values.push(added);
    const paths = doc.paths as JsonObject;
    const newPath = `${op.path}/upstream-only`;
    paths[newPath] = { post: { ...at(doc, `/paths/${escapePointer(op.path)}/post`), operationId: `${op.operationId}UpstreamOnly` } };
    const result = run(doc, NONE, true);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`+ response 200 application/json ${name} = ${JSON.stringify(added)}`);
    expect(result.stdout).toContain(`${op.operationId}UpstreamOnly\n  upstream has, we lack:\n    + operation POST ${newPath}`);
  });

  it('leaves out the deliberate differences recorded with a reason, and refuses one without a reason', () => {
    const doc = structuredClone(spec.doc);
    const op = [...spec.operations.values()][0];
    if (!op) throw new Error('expected an operation');
    const status = [...op.responses.keys()].find((s) => s.startsWith('4'));
    if (!status) throw new Error('expected a 4xx');
    delete at(doc, `/paths/${escapePointer(op.path)}/${op.method.toLowerCase()}/responses`)[status];
    const deliberate = `differences:\n  - operation: "*"\n    side: ours\n    fact: "response 4*"\n    reason: we declare the errors the API sends\n`;
    const result = run(doc, deliberate);
    expect(result.stdout).toMatch(/beyond the 1 deliberate ones$/m);
    expect(result.code).toBe(0);
    const unexplained = run(doc, `differences:\n  - operation: "*"\n    side: ours\n    fact: "response 4*"\n`);
    expect(unexplained.code).toBe(2);
    expect(unexplained.stderr).toMatch(/has no reason/);
  });

  it('reads the repo file spec/upstream-differences.yaml, every entry with a reason', () => {
    const result = run(structuredClone(spec.doc));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('answers --help, and an unknown option or a missing file with one line and exit 2', () => {
    expect(spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).status).toBe(0);
    const bogus = spawnSync(process.execPath, [CLI, '--bogus'], { encoding: 'utf8' });
    expect(bogus.status).toBe(2);
    expect(bogus.stderr).toBe('spec:upstream: unknown option --bogus (see --help)\n');
    const missing = spawnSync(process.execPath, [CLI, path.join(tmp, 'nope.yaml')], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });
});
