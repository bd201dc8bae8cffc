// The release gate's last check: every public package packed as it would be published, installed from the tarballs
// into a fresh project, and a consumer that imports each of them (and sends the spec's own request example through
// the typed client) compiled with `tsc --noEmit`. What a user gets from the tarball, not what the workspace links.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { derefOrUndefined } from '@imagegen/spec/internal/load';
import type { WorkspacePackage } from './pending-changesets.js';

export class PackedConsumerError extends Error {}

type Node = { [key: string]: unknown };
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON request a consumer can send: the operation's path, a request example, the response example, required fields. */
export interface JsonExample {
  path: string;
  body: Node;
  response: unknown;
  required: string[];
}

/** The first POST operation of a merged spec with a JSON request example and a JSON 200 example. */
export function jsonExample(spec: Node): JsonExample {
  // Lenient: a spec this cannot follow yields no example (the gate then names what is missing), not a SpecError.
  const ref = (node: unknown): Node => {
    const n = derefOrUndefined(spec, node);
    return isNode(n) ? n : {};
  };
  const firstExample = (media: Node): unknown => {
    if ('example' in media) return media.example;
    const [first] = Object.values(isNode(media.examples) ? media.examples : {});
    return ref(first).value;
  };
  for (const [route, item] of Object.entries(isNode(spec.paths) ? spec.paths : {})) {
    const post = isNode(item) ? ref(item.post) : {};
    const requestBody = ref(post.requestBody);
    const request = ref(isNode(requestBody.content) ? requestBody.content['application/json'] : undefined);
    const success = ref(isNode(post.responses) ? post.responses['200'] : undefined);
    const reply = ref(isNode(success.content) ? success.content['application/json'] : undefined);
    const body = 'schema' in request ? firstExample(request) : undefined;
    if (!isNode(body) || !('schema' in reply)) continue;
    const required = ref(request.schema).required;
    return {
      path: route,
      body,
      response: firstExample(reply),
      required: Array.isArray(required) ? required.filter((r) => typeof r === 'string') : [],
    };
  }
  throw new PackedConsumerError('the merged spec has no POST operation with a JSON request example and a JSON response example');
}

/** `import` lines for every export of every package (`./package.json` and YAML files left out), and their names. */
function imports(packages: { name: string; dir: string }[]): { lines: string[]; names: string[] } {
  const lines: string[] = [];
  const names: string[] = [];
  for (const { name, dir } of packages) {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { exports?: unknown };
    const subpaths = isNode(manifest.exports) ? Object.keys(manifest.exports).filter((k) => k.startsWith('.')) : ['.'];
    for (const sub of subpaths) {
      if (sub === './package.json' || /\.ya?ml$/.test(sub) || sub.includes('*')) continue;
      const specifier = sub === '.' ? name : `${name}/${sub.slice(2)}`;
      const local = `imported${names.length}`;
      lines.push(
        sub.endsWith('.json') ? `import ${local} from '${specifier}' with { type: 'json' };` : `import * as ${local} from '${specifier}';`,
      );
      names.push(local);
    }
  }
  return { lines, names };
}

/** The consumer: every package imported, and the spec's JSON request example type-checked against the generated `paths`. */
export function consumerSource(packages: { name: string; dir: string }[], example: JsonExample): string {
  const { lines, names } = imports(packages);
  const [required] = example.required;
  const body = `NonNullable<paths[${JSON.stringify(example.path)}]['post']['requestBody']>['content']['application/json']`;
  const incomplete = Object.fromEntries(Object.entries(example.body).filter(([key]) => key !== required));
  return `${lines.join('\n')}
import { createImagesClient, rawClient } from '@imagegen/client';
import type { paths } from '@imagegen/types';

type Body = ${body};
const body = ${JSON.stringify(example.body)} satisfies Body;
${required ? `// @ts-expect-error the spec requires \`${required}\`\nexport const incomplete: Body = ${JSON.stringify(incomplete)};\n` : ''}
export async function send(): Promise<unknown> {
  const { data } = await rawClient(createImagesClient({ apiKey: 'sk-test' })).POST(${JSON.stringify(example.path)}, { body });
  return data;
}
export const imported = [${names.join(', ')}];
`;
}

/** The consumer's tsconfig: strict, nodenext. Node's types come from the repo's own @types/node (the contract suite is a Node library; its users have them). */
export const consumerTsconfig = (root: string, include = ['consumer.ts']) => ({
  compilerOptions: {
    strict: true,
    noEmit: true,
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    lib: ['es2022', 'dom'],
    typeRoots: [path.join(root, 'node_modules', '@types')],
    types: ['node'],
    resolveJsonModule: true,
    skipLibCheck: false,
  },
  include,
});

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): string {
  try {
    return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const out = `${String((e as { stdout?: string }).stdout ?? '')}\n${String((e as { stderr?: string }).stderr ?? '')}`;
    const line = out
      .split('\n')
      .map((l) => l.trim())
      .find((l) => /error/i.test(l) && !/^npm error (code \S+|\d+)$/.test(l));
    throw new PackedConsumerError(
      `${path.basename(command)} ${args[0] ?? ''} failed: ${line ?? `exit ${(e as { status?: number }).status}`}`,
    );
  }
}

export interface PackedConsumerOptions {
  root: string;
  packages: WorkspacePackage[];
  /** An empty scratch folder. */
  work: string;
  env?: NodeJS.ProcessEnv;
}

type Manifest = { name: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };

/** Where Node would load `name` from when `fromDir`'s package imports it (the workspace install), or undefined. */
function installedDir(fromDir: string, name: string): string | undefined {
  const lookup = createRequire(path.join(fromDir, 'package.json')).resolve.paths(name) ?? [];
  const found = lookup.map((dir) => path.join(dir, name)).find((dir) => existsSync(path.join(dir, 'package.json')));
  return found && realpathSync(found);
}

/**
 * Packs each package (`pnpm pack`: workspace ranges become versions), installs the tarballs into `work/node_modules`
 * (unpacked as npm would; each third-party dependency a tarball's manifest declares is linked from the workspace
 * install, so a dependency missing from `dependencies` fails to resolve, and no registry is needed) and type-checks the
 * consumer. Throws PackedConsumerError with one line: the first compiler error, or the step that failed.
 */
export function checkPackedConsumer({ root, packages, work, env = process.env }: PackedConsumerOptions): void {
  const tarballs = path.join(work, 'tarballs');
  const modules = path.join(work, 'node_modules');
  mkdirSync(tarballs, { recursive: true });
  for (const p of packages) run('pnpm', ['pack', '--pack-destination', tarballs], p.dir, env);
  const files = readdirSync(tarballs).filter((f) => f.endsWith('.tgz'));
  const released = new Set(packages.map((p) => p.name));
  for (const p of packages) {
    const file = files.find((f) => f === `${p.name.replace(/^@/, '').replace('/', '-')}-${p.version}.tgz`);
    if (!file) throw new PackedConsumerError(`pnpm pack wrote no tarball for ${p.name}@${p.version} in ${tarballs}`);
    const target = path.join(modules, p.name);
    mkdirSync(target, { recursive: true });
    run('tar', ['-xzf', path.join(tarballs, file), '-C', target, '--strip-components=1'], work, env);
    const manifest = JSON.parse(readFileSync(path.join(target, 'package.json'), 'utf8')) as Manifest;
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      // Another package of the release is the tarball unpacked beside this one.
      if (released.has(dep) || existsSync(path.join(modules, dep))) continue;
      const installed = installedDir(p.dir, dep);
      if (!installed) {
        if (manifest.optionalDependencies?.[dep]) continue;
        throw new PackedConsumerError(`${p.name} depends on ${dep}, which is not installed in the workspace (run pnpm install)`);
      }
      mkdirSync(path.dirname(path.join(modules, dep)), { recursive: true });
      symlinkSync(installed, path.join(modules, dep), 'dir');
    }
  }
  writeFileSync(path.join(work, 'package.json'), '{ "name": "imagegen-packed-consumer", "private": true, "type": "module" }\n');

  const spec = JSON.parse(readFileSync(path.join(root, 'spec', 'dist', 'openapi.json'), 'utf8')) as Node;
  writeFileSync(path.join(work, 'consumer.ts'), consumerSource(packages, jsonExample(spec)));
  writeFileSync(path.join(work, 'tsconfig.json'), JSON.stringify(consumerTsconfig(root), null, 2));
  const tsc = path.join(root, 'node_modules', '.bin', 'tsc');
  try {
    execFileSync(tsc, ['-p', work], { cwd: work, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const first = String((e as { stdout?: string }).stdout ?? '')
      .split('\n')
      .find((l) => l.includes('error TS'));
    throw new PackedConsumerError(`the packed-tarball consumer does not compile: ${first?.trim() ?? 'tsc failed'}`);
  }
}
