import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ContractSetupError, oneLine } from './errors.js';
import { isObject, type OperationInfo, type Spec } from './spec.js';
import { EVENT_STREAM, streamSchemaFor } from './stream-schema.js';

/** Only these operations are compared: the Images API's (an official document describes the whole API). */
export const IMAGES_PATH_PREFIX = '/images';

/** One deliberate difference, as recorded in `spec/upstream-differences.yaml`. */
export interface DeliberateDifference {
  /** operationId, or `*` for every operation. */
  operation: string;
  /** `ours`: we declare it and upstream does not; `upstream`: upstream has it and we do not. */
  side: 'ours' | 'upstream';
  /** The fact as the report prints it; `*` matches any run of characters. */
  fact: string;
  reason: string;
}

export interface OperationDiff {
  operationId: string;
  /** What the official document has that our spec lacks. */
  missing: string[];
  /** What our spec declares that the official document does not. */
  extra: string[];
}

export interface UpstreamDiff {
  operations: OperationDiff[];
  /** Recorded deliberate differences that matched nothing (the difference is gone: delete the entry). */
  stale: DeliberateDifference[];
  /** How many differences the recorded ones accounted for. */
  deliberate: number;
}

const MAX_DEPTH = 4;

/**
 * The facts a client or a contract test depends on, per images operation, as comparable strings:
 * the operation, its deprecation, request media types, request and response properties by their
 * path (`svg.reasoning.effort`, `images[].image_url`), enum values, required properties, declared
 * statuses, response media types and stream event types with their properties.
 */
export function operationFacts(spec: Spec): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const op of spec.operations.values()) {
    if (!op.path.startsWith(IMAGES_PATH_PREFIX)) continue;
    const facts = new Set<string>([`operation ${op.method} ${op.path}`]);
    if (op.deprecated) facts.add('deprecated');
    for (const [mediaType, media] of op.requestContent) {
      facts.add(`request ${mediaType}`);
      if (media.schemaPointer) schemaFacts(spec, media.schemaPointer, `request ${mediaType}`, '', facts, 0);
    }
    for (const [status, response] of op.responses) {
      facts.add(`response ${status}`);
      if (!status.startsWith('2')) continue;
      for (const [mediaType, media] of response.content) {
        facts.add(`response ${status} ${mediaType}`);
        if (mediaType === EVENT_STREAM) eventFacts(spec, op, facts);
        else if (media.schemaPointer) schemaFacts(spec, media.schemaPointer, `response ${status} ${mediaType}`, '', facts, 0);
      }
    }
    out.set(op.operationId, facts);
  }
  return out;
}

function eventFacts(spec: Spec, op: OperationInfo, facts: Set<string>): void {
  const schema = streamSchemaFor(spec, op);
  if (typeof schema === 'string') return;
  for (const branch of schema.branches.values()) {
    facts.add(`event ${branch.type}`);
    schemaFacts(spec, branch.pointer, `event ${branch.type}`, '', facts, 0);
  }
}

function schemaFacts(spec: Spec, pointer: string, where: string, prefix: string, facts: Set<string>, depth: number): void {
  if (depth > MAX_DEPTH) return;
  for (const variant of spec.variants(pointer)) {
    const { properties, required } = spec.objectShape(variant.pointer);
    for (const name of required) facts.add(`${where} required ${prefix}${name}`);
    for (const [name, prop] of properties) {
      const path = `${prefix}${name}`;
      facts.add(`${where} property ${path}`);
      for (const member of spec.variants(prop.pointer)) {
        if (Array.isArray(member.node.enum)) for (const value of member.node.enum) facts.add(`${where} ${path} = ${JSON.stringify(value)}`);
        if (member.node.deprecated === true) facts.add(`${where} ${path} deprecated`);
        if (isObject(member.node.items)) schemaFacts(spec, `${member.pointer}/items`, where, `${path}[].`, facts, depth + 1);
      }
      schemaFacts(spec, prop.pointer, where, `${path}.`, facts, depth + 1);
    }
  }
}

/** Compares our spec with an official document, images operations only, minus the recorded deliberate differences. */
export function diffWithUpstream(ours: Spec, upstream: Spec, deliberate: DeliberateDifference[]): UpstreamDiff {
  const mine = operationFacts(ours);
  const theirs = operationFacts(upstream);
  // Match by operationId, else by method and path (an upstream rename is then one fact, not a lost operation).
  const byRoute = (facts: Map<string, Set<string>>, route: string) => [...facts].find(([, f]) => f.has(route))?.[0];
  const used = new Set<DeliberateDifference>();
  let accounted = 0;
  const allowed = (operationId: string, side: 'ours' | 'upstream', fact: string) => {
    const entry = deliberate.find((d) => d.side === side && (d.operation === '*' || d.operation === operationId) && matches(d.fact, fact));
    if (entry) {
      used.add(entry);
      accounted++;
    }
    return Boolean(entry);
  };
  const pairs: Array<[string | undefined, string | undefined]> = [];
  const unmatched = new Set(theirs.keys());
  for (const [name, facts] of mine) {
    const route = [...facts].find((f) => f.startsWith('operation '));
    const match = theirs.has(name) ? name : route ? byRoute(theirs, route) : undefined;
    if (match) unmatched.delete(match);
    pairs.push([name, match]);
  }
  for (const name of unmatched) pairs.push([undefined, name]);
  const operations: OperationDiff[] = [];
  for (const [ourName, upstreamName] of pairs) {
    const ourFacts = ourName ? (mine.get(ourName) ?? new Set<string>()) : new Set<string>();
    const upstreamFacts = upstreamName ? (theirs.get(upstreamName) ?? new Set<string>()) : new Set<string>();
    const operationId = ourName ?? upstreamName ?? '?';
    const missing = [...upstreamFacts].filter((f) => !ourFacts.has(f) && !allowed(operationId, 'upstream', f)).sort(byImportance);
    const extra = [...ourFacts].filter((f) => !upstreamFacts.has(f) && !allowed(operationId, 'ours', f)).sort(byImportance);
    if (ourName && upstreamName && upstreamName !== ourName) missing.unshift(`operationId ${upstreamName} (ours: ${ourName})`);
    if (missing.length > 0 || extra.length > 0) operations.push({ operationId, missing, extra });
  }
  return { operations, stale: deliberate.filter((d) => !used.has(d)), deliberate: accounted };
}

/** The operation itself first, then alphabetical. */
function byImportance(a: string, b: string): number {
  const rank = (f: string) => (f.startsWith('operation ') ? 0 : 1);
  return rank(a) - rank(b) || a.localeCompare(b);
}

function matches(pattern: string, fact: string): boolean {
  if (!pattern.includes('*')) return pattern === fact;
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return regex.test(fact);
}

/** Reads `spec/upstream-differences.yaml`: a list of `{ operation, side, fact, reason }`, each with a reason. */
export function loadDeliberateDifferences(file: string): DeliberateDifference[] {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ContractSetupError(`deliberate differences ${file} failed to load: ${oneLine(error)}`);
  }
  const list = isObject(doc) ? doc.differences : undefined;
  if (!Array.isArray(list)) throw new ContractSetupError(`deliberate differences ${file}: expected a top-level "differences:" list`);
  return list.map((entry, i) => {
    const at = `${file}: differences[${i}]`;
    if (!isObject(entry)) throw new ContractSetupError(`${at} is not a mapping`);
    const { operation, side, fact, reason } = entry;
    if (typeof operation !== 'string' || typeof fact !== 'string') throw new ContractSetupError(`${at} needs "operation" and "fact"`);
    if (side !== 'ours' && side !== 'upstream')
      throw new ContractSetupError(`${at}: "side" must be ours or upstream, got ${JSON.stringify(side)}`);
    if (typeof reason !== 'string' || reason.trim() === '')
      throw new ContractSetupError(`${at} (${fact}) has no reason: every deliberate difference says why`);
    return { operation, side, fact, reason };
  });
}

export function formatUpstreamDiff(diff: UpstreamDiff, upstreamName: string): string {
  const lines: string[] = [];
  for (const op of diff.operations) {
    lines.push(`${op.operationId}`);
    if (op.missing.length > 0) lines.push(`  ${upstreamName} has, we lack:`, ...op.missing.map((f) => `    + ${f}`));
    if (op.extra.length > 0) lines.push(`  we declare, ${upstreamName} does not:`, ...op.extra.map((f) => `    - ${f}`));
  }
  for (const d of diff.stale) lines.push(`note: deliberate difference no longer seen (delete it): ${d.operation} ${d.side} "${d.fact}"`);
  const count = diff.operations.reduce((n, op) => n + op.missing.length + op.extra.length, 0);
  lines.push(
    count === 0
      ? `no differences from ${upstreamName} beyond the ${diff.deliberate} deliberate ones`
      : `${count} differences from ${upstreamName} in ${diff.operations.length} operations (${diff.deliberate} deliberate ones not shown)`,
  );
  return lines.join('\n');
}
