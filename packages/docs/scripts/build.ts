// docs#build: type-check the samples, check that every sample and guide is about operations the spec
// still has, then build the VitePress site (guides, API reference, SDK index, changelog, performance).
//
//   tsx scripts/build.ts [--samples <dir>] [--bench <file>] [--out <dir>]
//
// --samples (or DOCS_SAMPLES_DIR): the sample directory to check and show (default samples/).
// --bench: the benchmark results (default the client's bench-results.json; a missing file is not an error).
// --out: the output directory (default dist/).
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkDerivation } from './derivation.js';
import { sampleFiles, typecheckSamples } from './sample-check.js';
import { docsDir, readBench, readGuides, siteDir, sitePaths } from './site.js';
import { loadSpec, specFile } from './spec.js';

const rel = (file: string) => path.relative(process.cwd(), file) || '.';

function fail(message: string, details: string[] = []): never {
  console.error(`docs build failed: ${message}`);
  for (const line of details) console.error(line);
  process.exit(1);
}

export async function buildDocs(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { samples: { type: 'string' }, bench: { type: 'string' }, out: { type: 'string' } } });
  if (values.samples) process.env.DOCS_SAMPLES_DIR = path.resolve(values.samples);
  if (values.bench) process.env.DOCS_BENCH_FILE = path.resolve(values.bench);
  if (values.out) process.env.DOCS_OUT_DIR = path.resolve(values.out);
  const paths = sitePaths();

  const files = sampleFiles(paths.samplesDir);
  if (files.length === 0) fail(`no *.ts samples in ${rel(paths.samplesDir)}`);
  // 1. Nothing may be about an operation the spec no longer has (checked first: a sample of a removed operation
  // also fails to type-check, but this names it in one line); the benchmark file must have its shape.
  const doc = loadSpec();
  try {
    const guides = readGuides();
    const pages = [...guides.map((g) => ({ file: `site/${g.file}`, markdown: g.markdown }))];
    for (const name of ['index.md', 'migrating.md'])
      pages.push({ file: `site/${name}`, markdown: readFileSync(path.join(siteDir, name), 'utf8') });
    checkDerivation(doc, files, pages);
    readBench(paths.benchFile);
  } catch (error) {
    // One line per file: `docs build failed: ` would make the first differ from the rest.
    console.error((error as Error).message);
    process.exit(1);
  }

  // 2. The samples must compile against the built client and types.
  const problems = typecheckSamples(files, path.join(docsDir, 'samples', 'tsconfig.json'));
  if (problems.length > 0) fail(`${problems.length} type error(s) in the code samples (${rel(paths.samplesDir)}):`, problems);
  console.log(`samples: ${files.length} file(s) in ${rel(paths.samplesDir)} type-check`);

  // 3. The site. VitePress reads its config (and the directive context) from .vitepress/config.ts.
  const { build } = await import('vitepress');
  try {
    await build(docsDir);
  } catch (error) {
    fail((error as Error).message.split('\n')[0] ?? String(error));
  }
  copyFileSync(specFile(), path.join(paths.outDir, 'openapi.json'));
  console.log(`docs: site in ${rel(paths.outDir)}/ (open it through a static server, e.g. pnpm exec vitepress preview)`);
}

await buildDocs(process.argv.slice(2));
