// Bundle size of an images-only program: ours vs the official `openai` SDK, both bundled the same way
// (esbuild --bundle --minify --format=esm --platform=neutral, gzip level 9; zlib, so no file name in the
// gzip header: `gzip -9 file` adds the name's length + 1). Needs a built client. Run from packages/client:
// `tsx bench/size.ts`.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';

/** The client package: both entries resolve from it (`@imagegen/client` by self-reference, `openai` from its devDependencies). */
export const clientDir = fileURLToPath(new URL('../', import.meta.url));

interface EsbuildResult {
  outputFiles: Array<{ contents: Uint8Array }>;
  metafile: { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
}
interface Esbuild {
  build(options: Record<string, unknown>): Promise<EsbuildResult>;
}
const esbuild = createRequire(`${clientDir}package.json`)('esbuild') as Esbuild;

/** The size target for ours, min + gzip: 6 KB, read as the stricter 6,000 B (not 6 KiB). */
export const SIZE_TARGET = 6000;

export const entries = {
  ours: [
    "import { createImagesClient } from '@imagegen/client';",
    "const c = createImagesClient({ apiKey: 'k' });",
    "console.log(await c.images.generate({ prompt: 'x' }));",
  ].join('\n'),
  openai: [
    "import OpenAI from 'openai';",
    "const c = new OpenAI({ apiKey: 'k' });",
    "console.log(await c.images.generate({ prompt: 'x' }));",
  ].join('\n'),
};

export interface BundleSize {
  min: number;
  gzip: number;
  brotli: number;
  /** Minified bytes per package (`openapi-fetch`, `@imagegen/client`, …; the entry itself left out). */
  byPackage: Record<string, number>;
}

/** The package of a bundled input (paths relative to packages/client): the last `node_modules/<name>`, else ours or the types'. */
function packageOf(input: string): string | undefined {
  if (input === 'entry.mjs') return undefined; // the stdin entry's sourcefile
  return (
    /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1] ?? (input.startsWith('../types/') ? '@imagegen/types' : '@imagegen/client')
  );
}

/**
 * Minified, gzip -9 and brotli sizes (bytes) of one entry bundled with esbuild. `neutral` (the
 * comparison) resolves the package's default export condition; `node` its `node` one.
 */
export async function bundleSize(contents: string, platform: 'neutral' | 'node' = 'neutral'): Promise<BundleSize> {
  const result = await esbuild.build({
    stdin: { contents, resolveDir: clientDir, sourcefile: 'entry.mjs', loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform,
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  const byPackage: Record<string, number> = {};
  for (const output of Object.values(result.metafile.outputs))
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      if (name) byPackage[name] = (byPackage[name] ?? 0) + bytesInOutput;
    }
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length, brotli: brotliCompressSync(code).length, byPackage };
}

export async function measureSizes(): Promise<{ ours: BundleSize; oursNode: BundleSize; openai: BundleSize }> {
  return {
    ours: await bundleSize(entries.ours),
    oursNode: await bundleSize(entries.ours, 'node'),
    openai: await bundleSize(entries.openai),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { ours, oursNode, openai } = await measureSizes();
  const row = (name: string, s: BundleSize) =>
    `${name.padEnd(34)} ${String(s.min).padStart(9)} ${String(s.gzip).padStart(9)} ${String(s.brotli).padStart(9)}`;
  console.log(`${'images-only bundle (esbuild)'.padEnd(34)} ${'min B'.padStart(9)} ${'gzip B'.padStart(9)} ${'brotli B'.padStart(9)}`);
  console.log(row('@imagegen/client', ours));
  console.log(row('@imagegen/client (platform=node)', oursNode));
  console.log(row('openai', openai));
  console.log(
    `@imagegen/client minified bytes by package: ${Object.entries(ours.byPackage)
      .map(([name, bytes]) => `${name} ${bytes}`)
      .join(', ')}`,
  );
  console.log(
    `ratio (gzip): ${(ours.gzip / openai.gzip).toFixed(3)}; target ≤ ${SIZE_TARGET} B gzip (6 KB): ${ours.gzip <= SIZE_TARGET ? 'met' : 'missed'}`,
  );
}
