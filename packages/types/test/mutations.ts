// Seeded random edits of a merged spec (as an object), for the codegen robustness test: dropped $ref targets,
// dangling refs, wrong types and keyword values, duplicate ids and method names, removed required keys and properties.

import { mulberry32 } from '@imagegen/spec/internal/random';

export const MUTATION_KINDS = [
  'drop-ref-target',
  'dangling-ref',
  'wrong-type',
  'wrong-keyword-type',
  'duplicate-operation-id',
  'duplicate-method',
  'remove-method',
  'remove-required-property',
] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

/** What the generated types must say after an edit codegen accepts. */
export type Oracle =
  | { schema: string; property: string; expect: 'optional' }
  | { schema: string; property: string; expect: 'type'; tsType: string };

export interface Mutation {
  id: string;
  kind: MutationKind;
  description: string;
  spec: Json;
  oracle?: Oracle;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };
type Path = (string | number)[];

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const pointer = (p: Path) => `#/${p.map((k) => String(k).replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
const JSON_TYPES = ['string', 'integer', 'number', 'boolean', 'array', 'object', 'null'];
const TS_TYPE: Record<string, string> = { string: 'string', integer: 'number', number: 'number', boolean: 'boolean', null: 'null' };
const WRONG_VALUES: Json[] = ['png', 42, true, [], { nested: [1] }];
const KEYWORDS = ['required', 'enum', 'properties', 'items', 'anyOf', 'oneOf', 'maxItems', 'discriminator', 'content', 'schema'];

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;

function walk(node: Json, visit: (node: Json, path: Path) => void, p: Path = []): void {
  visit(node, p);
  if (Array.isArray(node)) for (const [i, child] of node.entries()) walk(child, visit, [...p, i]);
  else if (isObj(node)) for (const [k, child] of Object.entries(node)) walk(child, visit, [...p, k]);
}

function at(doc: Json, p: Path): Json | undefined {
  let node: Json | undefined = doc;
  for (const k of p) node = Array.isArray(node) ? node[k as number] : isObj(node) ? node[k as string] : undefined;
  return node;
}

function remove(doc: Json, p: Path): void {
  const parent = at(doc, p.slice(0, -1));
  const key = p[p.length - 1] as string | number;
  if (Array.isArray(parent)) parent.splice(key as number, 1);
  else if (isObj(parent)) delete parent[key as string];
}

/** `count` mutations of `base`, reproducible from `seed`; kinds cycle so each is covered. */
export function generateMutations(base: Json, count: number, seed: number): Mutation[] {
  const refs: Path[] = [];
  const typed: Path[] = [];
  const requiredLists: Path[] = [];
  const keywords: Path[] = [];
  const operations: Path[] = [];
  const targets = new Set<string>();
  const discriminators = new Set<string>();
  walk(base, (node, p) => {
    if (!isObj(node)) return;
    if (typeof node.$ref === 'string' && node.$ref.startsWith('#/components/')) {
      refs.push(p);
      targets.add(node.$ref);
    }
    if (p[0] === 'paths' && p.length === 3 && typeof node.operationId === 'string') operations.push(p);
    if (isObj(node.discriminator) && typeof node.discriminator.propertyName === 'string')
      discriminators.add(node.discriminator.propertyName);
    if (p.some((k) => k === 'examples' || k === 'example')) return;
    if (typeof node.type === 'string' && JSON_TYPES.includes(node.type)) typed.push(p);
    if (Array.isArray(node.required) && isObj(node.properties)) requiredLists.push(p);
    for (const k of KEYWORDS) if (k in node) keywords.push([...p, k]);
  });

  const out: Mutation[] = [];
  for (let n = 0; n < count; n++) {
    const rand = mulberry32(seed * 100_003 + n); // a failing mutation is reproduced by its seed and index
    const kind = MUTATION_KINDS[n % MUTATION_KINDS.length] as MutationKind;
    const spec = structuredClone(base);
    let description = '';
    let oracle: Oracle | undefined;
    switch (kind) {
      case 'drop-ref-target': {
        const target = pick(rand, [...targets]);
        remove(
          spec,
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
        const node = at(spec, p) as Obj;
        const typo = `${node.$ref}${pick(rand, ['s', 'X', '_old'])}`;
        description = `${pointer(p)}: $ref ${node.$ref} → ${typo}`;
        node.$ref = typo;
        break;
      }
      case 'wrong-type': {
        const p = pick(rand, typed);
        const node = at(spec, p) as Obj;
        const from = node.type as string;
        const to = pick(rand, [...JSON_TYPES.filter((t) => t !== from), 'strin', 42] as Json[]);
        node.type = to;
        description = `${pointer(p)}: type ${from} → ${JSON.stringify(to)}`;
        const plain = !['enum', 'const', 'anyOf', 'oneOf', 'allOf', '$ref', 'format', 'contentMediaType', 'items', 'properties'].some(
          (k) => k in node,
        );
        if (
          p.length === 5 &&
          p[0] === 'components' &&
          p[1] === 'schemas' &&
          p[3] === 'properties' &&
          plain &&
          typeof to === 'string' &&
          TS_TYPE[to]
        )
          oracle = { schema: String(p[2]), property: String(p[4]), expect: 'type', tsType: TS_TYPE[to] as string };
        break;
      }
      case 'wrong-keyword-type': {
        const p = pick(rand, keywords);
        const value = pick(rand, WRONG_VALUES);
        (at(spec, p.slice(0, -1)) as Obj)[p[p.length - 1] as string] = value;
        description = `${pointer(p)} set to ${JSON.stringify(value)}`;
        break;
      }
      case 'duplicate-operation-id':
      case 'duplicate-method': {
        const a = pick(rand, operations);
        const b = pick(
          rand,
          operations.filter((o) => o !== a),
        );
        const key = kind === 'duplicate-method' ? 'x-imagegen-method' : 'operationId';
        const value = (at(spec, b) as Obj)[key] as Json;
        (at(spec, a) as Obj)[key] = value;
        description = `${pointer(a)}: ${key} → ${JSON.stringify(value)} (already used by ${pointer(b)})`;
        break;
      }
      case 'remove-method': {
        const p = pick(rand, operations);
        delete (at(spec, p) as Obj)['x-imagegen-method'];
        description = `removed ${pointer([...p, 'x-imagegen-method'])}`;
        break;
      }
      case 'remove-required-property': {
        const p = pick(rand, requiredLists);
        const list = (at(spec, p) as Obj).required as string[];
        const name = pick(rand, list);
        list.splice(list.indexOf(name), 1);
        description = `${pointer(p)}: ${name} no longer required`;
        // A discriminator's property stays required in the types (OpenAPI: it MUST be present), so no oracle for it.
        if (p.length === 3 && p[0] === 'components' && p[1] === 'schemas' && !discriminators.has(name))
          oracle = { schema: String(p[2]), property: name, expect: 'optional' };
        break;
      }
    }
    out.push({ id: `s${seed}-${String(n).padStart(3, '0')}`, kind, description, spec, ...(oracle && { oracle }) });
  }
  return out;
}

/** A probe file asserting the oracle against the generated `components`. */
export function oracleProbe(oracle: Oracle): string {
  const schema = `components['schemas'][${JSON.stringify(oracle.schema)}]`;
  const check =
    oracle.expect === 'optional'
      ? `{} extends Pick<${schema}, ${JSON.stringify(oracle.property)}> ? true : false`
      : `[Exclude<${schema}[${JSON.stringify(oracle.property)}], undefined>] extends [${oracle.tsType}] ? true : false`;
  return `import type { components } from './generated/openapi.gen.js';\nexport const matches: ${check} = true;\n`;
}
