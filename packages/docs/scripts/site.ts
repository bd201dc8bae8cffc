// What the VitePress config and the build share: where things are, the guides in order, and the
// directive context (spec, samples, images, generated pages). Read from the environment the build sets.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { changelogMarkdown } from './changelog.js';
import { exampleImages } from './example-images.js';
import { type BenchResults, parseBenchResults, performanceMarkdown } from './performance.js';
import { referenceMarkdown } from './reference.js';
import { sampleFiles } from './sample-check.js';
import { readSample } from './sample-meta.js';
import { imagesMethods, sdkEntries, sdkMarkdown } from './sdk-index.js';
import { isObject, loadSpec, operations } from './spec.js';
import { clientMethod, type MarkdownContext } from './spec-markdown.js';

export const docsDir = path.resolve(import.meta.dirname, '..');
export const repoRoot = path.resolve(docsDir, '..', '..');
export const siteDir = path.join(docsDir, 'site');
/** The published packages whose CHANGELOG.md the changelog page shows. */
export const PUBLISHED_DIRS = ['spec', 'packages/types', 'packages/client', 'packages/mock', 'packages/contract'];

export interface SitePaths {
  samplesDir: string;
  benchFile: string;
  outDir: string;
}

/** The paths of this build: the build passes its options on as DOCS_SAMPLES_DIR, DOCS_BENCH_FILE and DOCS_OUT_DIR. */
export function sitePaths(env = process.env): SitePaths {
  const defaultBench = [
    path.join(docsDir, '..', 'client', 'bench', 'bench-results.json'),
    path.join(docsDir, '..', 'client', 'bench-results.json'),
  ].find(existsSync);
  return {
    samplesDir: path.resolve(env.DOCS_SAMPLES_DIR ?? path.join(docsDir, 'samples')),
    benchFile: path.resolve(env.DOCS_BENCH_FILE ?? defaultBench ?? path.join(docsDir, '..', 'client', 'bench-results.json')),
    outDir: path.resolve(env.DOCS_OUT_DIR ?? path.join(docsDir, 'dist')),
  };
}

export interface Guide {
  /** Relative to `site/`, e.g. `guides/streaming.md`. */
  file: string;
  /** The page link, e.g. `/guides/streaming`. */
  link: string;
  title: string;
  order: number;
  description: string;
  markdown: string;
}

/** `site/guides/*.md`, sorted by their `order`. Throws naming the file when front matter is missing or incomplete. */
export function readGuides(dir = path.join(siteDir, 'guides')): Guide[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.md'))
    .map((name): Guide => {
      const file = `guides/${name}`;
      const markdown = readFileSync(path.join(dir, name), 'utf8');
      const front = /^---\n([\s\S]*?)\n---\n/.exec(markdown)?.[1];
      const meta: unknown = front === undefined ? undefined : parseYaml(front);
      if (!isObject(meta) || typeof meta.title !== 'string' || typeof meta.order !== 'number')
        throw new Error(`site/${file}: front matter needs at least "title" (string) and "order" (number)`);
      return {
        file,
        link: `/${file.replace(/\.md$/, '')}`,
        title: meta.title,
        order: meta.order,
        description: typeof meta.description === 'string' ? meta.description : '',
        markdown,
      };
    })
    .sort((a, b) => a.order - b.order || a.file.localeCompare(b.file));
}

/** Benchmark results, or undefined when the file does not exist; throws naming the field for a file of another shape. */
export function readBench(file: string): BenchResults | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return parseBenchResults(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    throw new Error(`${path.relative(process.cwd(), file)}: ${(error as Error).message}`);
  }
}

/** The context the directives expand in. */
export function markdownContext(paths = sitePaths()): MarkdownContext {
  const doc = loadSpec();
  const samples = sampleFiles(paths.samplesDir).map(readSample);
  const sdk = sdkEntries();
  const methods = imagesMethods();
  const ctx: MarkdownContext = {
    doc,
    samples,
    clientMethods: methods.map((m) => ({ name: m.name, doc: m.doc })),
    images: exampleImages(doc),
    generated: {
      reference: () => referenceMarkdown(doc, samples),
      sdk: () =>
        sdkMarkdown(sdk, methods, (method) => operations(doc).find((op) => clientMethod(ctx, op.operationId) === method)?.operationId),
      changelog: () => changelogMarkdown(repoRoot, PUBLISHED_DIRS),
      performance: () => performanceMarkdown(readBench(paths.benchFile), path.relative(repoRoot, paths.benchFile)),
    },
  };
  return ctx;
}
