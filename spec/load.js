// @imagegen/spec/internal/load (types in load.d.ts): the one place that reads the merged spec and follows its $refs.
// The mock, the contract suite, the docs and this package's default export all read it through here.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const jsonPath = fileURLToPath(new URL('./dist/openapi.json', import.meta.url));
export const yamlPath = fileURLToPath(new URL('./dist/openapi.yaml', import.meta.url));

export class SpecError extends Error {
  name = 'SpecError';
}

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

export function readSpec(file = jsonPath) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const built = file === jsonPath && error.code === 'ENOENT' ? '; build it: pnpm turbo run build --filter @imagegen/spec' : '';
    throw new SpecError(`spec ${file}: cannot read it (${error.code ?? String(error)})${built}`);
  }
  return parseSpec(text, file);
}

export function parseSpec(text, file) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    const position = Number(/position (\d+)/.exec(error.message)?.[1] ?? Number.NaN);
    const before = Number.isNaN(position) ? undefined : text.slice(0, position).split('\n');
    const where = before ? `${file}:${before.length}:${(before.at(-1)?.length ?? 0) + 1}` : file;
    const reason = error.message.replace(/ in JSON at position \d+.*$/, '').replace(/\s+/g, ' ');
    throw new SpecError(`spec ${where}: not JSON (${reason}); pass the merged spec (spec/dist/openapi.json)`);
  }
  return checkSpec(doc, file);
}

export function checkSpec(doc, file) {
  if (!isObject(doc) || typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.') || !isObject(doc.paths))
    throw new SpecError(`spec ${file}: not an OpenAPI 3.x document (no "openapi": "3.x" version or no "paths")`);
  return doc;
}

export function escapePointer(key) {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function pointerGet(doc, pointer) {
  let node = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObject(node)) node = node[key];
    else return undefined;
  }
  return node;
}

/** The pointer a local `$ref` names (percent-decoded: a `$ref` is a URI fragment); throws when it is not local or names nothing. */
function refTarget(doc, ref, at, file) {
  const where = at === undefined ? '' : ` at ${at}`;
  if (!ref.startsWith('#')) throw new SpecError(`spec ${file}: external $ref ${ref}${where} (pass the merged spec)`);
  const pointer = decodeURIComponent(ref.slice(1));
  if (pointerGet(doc, pointer) === undefined) throw new SpecError(`spec ${file}: $ref ${ref}${where} points nowhere`);
  return pointer;
}

export function followRefs(doc, pointer, file = '(spec object)') {
  let current = pointer;
  for (let hops = 0; hops < 32; hops++) {
    const node = pointerGet(doc, current);
    if (!isObject(node) || typeof node.$ref !== 'string') return { node, pointer: current };
    current = refTarget(doc, node.$ref, current, file);
  }
  throw new SpecError(`spec ${file}: $ref cycle at ${pointer}`);
}

export function deref(doc, node, file = '(spec object)') {
  if (!isObject(node) || typeof node.$ref !== 'string') return node;
  return followRefs(doc, refTarget(doc, node.$ref, undefined, file), file).node;
}

export function derefOrUndefined(doc, node) {
  try {
    return deref(doc, node);
  } catch (error) {
    if (error instanceof SpecError) return undefined;
    throw error;
  }
}
