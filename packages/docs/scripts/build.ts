// docs#build: type-check the samples, put them into the spec as x-codeSamples, render the Redoc
// reference, the Markdown guides, the index (with the spec's example images) and the Performance page.
//
//   tsx scripts/build.ts [--samples <dir>] [--bench <file>] [--out <dir>]
//
// --samples (or DOCS_SAMPLES_DIR): the sample directory to check and show (default samples/).
// --bench: the benchmark results (default ../client/bench-results.json; a missing file is not an error).
// --out: the output directory (default dist/, emptied first).
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { codeSampleLanguages, REFERENCE_SAMPLES, withCodeSamples } from './code-samples.js';
import { type ExampleImage, exampleImages } from './example-images.js';
import { type Guide, gallery, readGuides, renderMarkdown, sampleBlock } from './guides.js';
import { escapeHtml, header, type NavLink, renderPage } from './page.js';
import { type BenchResults, benchChartSvg, parseBenchResults, performanceBody } from './performance.js';
import { buildReference, REDOCLY_LOGO_FILE, REDOCLY_LOGO_SVG } from './reference.js';
import { sampleFiles, typecheckSamples } from './sample-check.js';
import { loadSpec, specFile } from './spec.js';

const docsDir = path.resolve(import.meta.dirname, '..');
const repoRoot = path.resolve(docsDir, '..', '..');
const { values } = parseArgs({ options: { samples: { type: 'string' }, bench: { type: 'string' }, out: { type: 'string' } } });
const samplesDir = path.resolve(values.samples ?? process.env.DOCS_SAMPLES_DIR ?? path.join(docsDir, 'samples'));
const benchFile = path.resolve(values.bench ?? path.join(docsDir, '..', 'client', 'bench-results.json'));
const outDir = path.resolve(values.out ?? path.join(docsDir, 'dist'));
/** The sample the index page opens with. */
const INDEX_SAMPLE = 'generate.ts';
const rel = (file: string) => path.relative(process.cwd(), file) || '.';

function fail(message: string, details: string[] = []): never {
  console.error(`docs build failed: ${message}`);
  for (const line of details) console.error(line);
  process.exit(1);
}

// 1. The samples must compile against the built client and types.
const files = sampleFiles(samplesDir);
if (files.length === 0) fail(`no *.ts samples in ${rel(samplesDir)}`);
const problems = typecheckSamples(files, path.join(docsDir, 'samples', 'tsconfig.json'));
if (problems.length > 0) fail(`${problems.length} type error(s) in the code samples (${rel(samplesDir)}):`, problems);
console.log(`samples: ${files.length} file(s) in ${rel(samplesDir)} type-check`);

try {
  if (values.out === undefined) rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const spec = loadSpec();

  const guides = readGuides(path.join(docsDir, 'guides'));
  const nav: NavLink[] = [
    ...guides.map((g) => ({ href: g.href, label: g.nav })),
    { href: 'reference.html', label: 'API reference' },
    { href: 'performance.html', label: 'Performance' },
  ];
  const images = exampleImages(spec);
  if (images.length === 0) fail(`no b64_json example images found in ${rel(specFile())}`);
  const shown = new Set<string>(REFERENCE_SAMPLES.map((s) => s.file));
  const ctx = { samplesDir, images, onSample: (file: string) => shown.add(file) };

  // 2. The reference: the spec with every operation's samples, rendered by Redoc.
  const specOut = path.join(outDir, 'openapi.json');
  writeFileSync(specOut, `${JSON.stringify(withCodeSamples(spec, samplesDir), null, 2)}\n`);
  buildReference(specOut, path.join(outDir, 'reference.html'), header(nav, 'reference.html'), {
    codeSamples: { languages: codeSampleLanguages() },
    schemaDefinitionsTagName: 'Schemas',
  });
  writeFileSync(path.join(outDir, REDOCLY_LOGO_FILE), REDOCLY_LOGO_SVG);

  // 3. The guides and the index.
  for (const guide of guides) {
    const body = renderMarkdown(guide.markdown, `guides/${guide.file}`, ctx);
    writeFileSync(path.join(outDir, guide.href), renderPage({ title: guide.title, nav, current: guide.href, body }));
  }
  writeFileSync(
    path.join(outDir, 'index.html'),
    renderPage({ title: 'Docs', nav, current: 'index.html', body: indexBody(guides, images) }),
  );
  shown.add(INDEX_SAMPLE);

  // 4. Performance.
  let results: BenchResults | undefined;
  if (existsSync(benchFile)) {
    try {
      results = parseBenchResults(JSON.parse(readFileSync(benchFile, 'utf8')));
    } catch (error) {
      fail(`${rel(benchFile)}: ${(error as Error).message}`, [
        'expected { "rows": [{ "name": string, "unit": string, "ours": number, "baseline": number, "baselineName": string, "target"?: string, "met"?: boolean }], "date"?: string, "node"?: string }',
      ]);
    }
    writeFileSync(path.join(outDir, 'performance.svg'), benchChartSvg(results));
  }
  const body = performanceBody(results, path.relative(repoRoot, benchFile), 'performance.svg');
  writeFileSync(path.join(outDir, 'performance.html'), renderPage({ title: 'Performance', nav, current: 'performance.html', body }));

  copyFileSync(path.join(docsDir, 'assets', 'style.css'), path.join(outDir, 'style.css'));

  const unused = files.map((f) => path.basename(f)).filter((f) => !shown.has(f));
  if (unused.length > 0)
    fail(`sample(s) shown nowhere: ${unused.join(', ')} — map them in scripts/code-samples.ts or include them in a guide`);
  const pages = ['index.html', ...guides.map((g) => g.href), 'reference.html', 'performance.html'];
  console.log(`docs: ${pages.length} pages in ${rel(outDir)}/ (${pages.join(', ')})${results ? '' : '; no benchmark results yet'}`);
} catch (error) {
  fail((error as Error).message);
}

function indexBody(guides: Guide[], images: ExampleImage[]): string {
  const list = guides
    .map(
      (g) => `<li><a href="${escapeHtml(g.href)}">${escapeHtml(g.title)}</a>${g.description ? ` — ${escapeHtml(g.description)}` : ''}</li>`,
    )
    .join('\n');
  return `<h1>imagegen</h1>
<p class="lead">A spec-first TypeScript toolkit for the OpenAI Images API: generate, edit and vary images, stream partial images, upload files. One OpenAPI document is the source of the types, the client, the contract tests and these pages.</p>
${sampleBlock(samplesDir, INDEX_SAMPLE)}
<h2 id="guides">Guides</h2>
<ul class="guide-list">
${list}
</ul>
<h2 id="reference">Reference</h2>
<p>The <a href="reference.html">API reference</a> shows every operation, schema, stream event and error of the spec, with TypeScript and curl samples. <a href="openapi.json">openapi.json</a> is what it is rendered from: the merged spec with the code samples added. <a href="performance.html">Performance</a> compares the client with a raw <code>fetch</code> and the official SDK.</p>
<h2 id="example-images">Example images</h2>
<p>The images inside the spec's examples: real 16×16 images standing in for full-size ones, shown here enlarged.</p>
${gallery(images)}`;
}
