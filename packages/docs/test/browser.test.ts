// Opens every page of dist/ in a real headless Chromium, served from 127.0.0.1, with every request to
// any other host blocked and recorded. Screenshots go to .screenshots/ for a person to look at.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleImages } from '../scripts/example-images.js';
import { isObject, type JsonObject, operations } from '../scripts/spec.js';

// DOCS_CHROMIUM points elsewhere (another machine's Chromium, or a missing path to try the skip).
const CHROMIUM = process.env.DOCS_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const docsDir = path.resolve(import.meta.dirname, '..');
const dist = path.join(docsDir, 'dist');
const screenshots = path.join(docsDir, '.screenshots');
const haveChromium = existsSync(CHROMIUM);
const built = existsSync(path.join(dist, 'index.html')) && existsSync(path.join(dist, 'openapi.json'));
const pages = built
  ? readdirSync(dist)
      .filter((f) => f.endsWith('.html'))
      .sort()
  : [];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
};

function serve(root: string): Promise<{ origin: string; server: Server }> {
  const server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(root, pathname === '/' ? 'index.html' : pathname);
    if (!file.startsWith(root + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`not found: ${pathname}`);
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })),
  );
}

if (!haveChromium && !process.env.CI) {
  console.warn(`browser tests skipped: ${CHROMIUM} not found (install Debian's chromium package to run them)`);
}

// Without Chromium the suite is skipped locally; in CI (CI set) it runs and fails in beforeAll.
describe.skipIf(!haveChromium && !process.env.CI)(`docs site in Chromium (${CHROMIUM})`, () => {
  let browser: Browser;
  let origin: string;
  let server: Server | undefined;
  const spec: JsonObject = built ? (JSON.parse(readFileSync(path.join(dist, 'openapi.json'), 'utf8')) as JsonObject) : {};

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} not found: CI must install Debian's chromium package before the tests`);
    if (!built) throw new Error(`${dist} is not built: run pnpm --filter @imagegen/docs build first (turbo's test task depends on build)`);
    mkdirSync(screenshots, { recursive: true });
    ({ origin, server } = await serve(dist));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    if (server) await new Promise((resolve) => server?.close(resolve));
  });

  /** A fresh page that records console errors, uncaught exceptions and (blocked) requests to other hosts. */
  async function open(file: string): Promise<{ page: Page; errors: string[]; external: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    const external: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`)) return route.continue();
      external.push(url);
      return route.abort('blockedbyclient');
    });
    const response = await page.goto(`${origin}/${file}`, { waitUntil: 'load' });
    expect(response?.status(), `${file} status`).toBe(200);
    if (file === 'reference.html') await page.waitForSelector('#redoc a[href^="#/"]');
    await page.waitForFunction(() => Array.from(document.images).every((img) => img.complete));
    return { page, errors, external };
  }

  const mainText = (page: Page) => page.evaluate(() => (document.querySelector('#redoc') ?? document.body).textContent ?? '');
  const visibleText = (page: Page) =>
    page.evaluate(
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text (no hidden tabs, no layout-less nodes) is what a reader sees
      () => (document.querySelector('#redoc') as HTMLElement | null)?.innerText ?? document.body.innerText,
    );

  it('has the pages the site promises', () => {
    expect(pages).toEqual(
      expect.arrayContaining(['index.html', 'reference.html', 'performance.html', 'getting-started.html', 'streaming.html']),
    );
  });

  it.each(pages)(
    '%s: loads with no console error or external request, has the header nav, samples as they are, images that decode',
    async (file) => {
      const { page, errors, external } = await open(file);
      // Late errors (Redoc renders after load) count too.
      await page.waitForTimeout(file === 'reference.html' ? 1000 : 100);

      const nav = await page.$$eval('header.site-header a', (links) => links.map((a) => a.getAttribute('href')));
      expect(new Set(nav), 'header links: one to every page').toEqual(new Set(pages));
      const current = await page.$$eval('header.site-header a[aria-current="page"]', (links) => links.map((a) => a.getAttribute('href')));
      expect(current).toContain(file);

      // Samples are shown exactly as their files are (nothing on the way may reformat them).
      const samples = await page.$$eval('figure.sample', (figures) =>
        figures.map((f) => ({
          file: f.querySelector('figcaption code')?.textContent ?? '',
          code: f.querySelector('pre code')?.textContent ?? '',
        })),
      );
      for (const sample of samples) {
        expect(sample.code, `${file}: ${sample.file} as it is`).toBe(readFileSync(path.join(docsDir, sample.file), 'utf8').trimEnd());
      }

      const images = await page.$$eval('img', (imgs) => imgs.map((img) => ({ src: img.src.slice(0, 60), width: img.naturalWidth })));
      for (const img of images) expect(img.width, `image ${img.src} decodes`).toBeGreaterThan(0);

      await page.screenshot({ path: path.join(screenshots, file.replace(/\.html$/, '.png')), fullPage: file !== 'reference.html' });
      expect(external, 'requests to other hosts').toEqual([]);
      expect(errors).toEqual([]);
      await page.context().close();
    },
  );

  it('reference: shows every operation with its TypeScript sample, its responses, and every schema', async () => {
    const { page, errors, external } = await open('reference.html');
    const routes = await page.$$eval('#redoc a[href^="#/"]', (links) => links.map((a) => a.getAttribute('href') ?? ''));
    const ops = operations(spec);
    expect(ops.map((o) => o.operationId).sort()).toEqual(['createImage', 'createImageEdit', 'createImageVariation']);

    for (const op of ops) {
      const route = routes.find((href) => href.toLowerCase().endsWith(`/${op.operationId.toLowerCase()}`));
      expect(route, `a sidebar link to ${op.operationId}`).toBeDefined();
      await page.goto(`${origin}/reference.html${route}`);
      const summary = String(op.node.summary);
      await page.getByRole('heading', { name: summary }).first().waitFor();
      const samples = op.node['x-codeSamples'] as Array<{ lang: string; source: string }>;
      const typescript = samples.find((s) => s.lang === 'TypeScript');
      expect(typescript, `${op.operationId} has a TypeScript sample`).toBeDefined();
      // The sample shown by default is the TypeScript file, every line of it.
      await page.waitForFunction((line) => document.querySelector('#redoc')?.textContent?.includes(line), 'client.images.');
      const text = (await visibleText(page)).replace(/[ \t]+/g, ' ');
      for (const line of (typescript?.source ?? '')
        .split('\n')
        .map((l) => l.trim().replace(/[ \t]+/g, ' '))
        .filter(Boolean)) {
        expect(text, `${op.operationId}: sample line ${line}`).toContain(line);
      }
      for (const status of Object.keys(isObject(op.node.responses) ? op.node.responses : {})) {
        expect(text, `${op.operationId}: response ${status}`).toMatch(new RegExp(`^${status}$`, 'm'));
      }
      await page.screenshot({ path: path.join(screenshots, `reference-${op.operationId}.png`) });
    }

    await page.goto(`${origin}/reference.html#/schemas`);
    await page.getByRole('heading', { name: 'Schemas' }).first().waitFor();
    const sidebar = await visibleText(page);
    const schemas = isObject(spec.components) && isObject(spec.components.schemas) ? Object.keys(spec.components.schemas) : [];
    expect(schemas).toEqual(expect.arrayContaining(['ImageGenStreamEvent', 'ImageEditStreamEvent', 'ErrorResponse']));
    for (const name of schemas) expect(sidebar, `schema ${name}`).toMatch(new RegExp(`^${name}$`, 'm'));
    // The stream events are described in the Image Streaming section.
    const all = await mainText(page);
    for (const event of [
      'image_generation.partial_image',
      'image_generation.completed',
      'image_edit.partial_image',
      'image_edit.completed',
    ]) {
      expect(all).toContain(event);
    }
    expect(external).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('every relative link on every page resolves (200, and the #id exists on our own pages)', async () => {
    const links = new Map<string, string>();
    for (const file of pages) {
      const { page } = await open(file);
      const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href') ?? ''));
      for (const href of hrefs) {
        if (/^([a-z][a-z0-9+.-]*:|\/\/|#)/i.test(href)) continue;
        links.set(new URL(href, `${origin}/${file}`).href, file);
      }
      await page.context().close();
    }
    expect(links.size).toBeGreaterThan(pages.length);
    for (const [url, from] of links) {
      const target = new URL(url);
      const response = await fetch(new URL(target.pathname, origin));
      expect(response.status, `${url} (linked from ${from})`).toBe(200);
      const id = decodeURIComponent(target.hash.slice(1));
      if (id && !id.startsWith('/'))
        expect(await response.text(), `#${id} on ${target.pathname} (linked from ${from})`).toContain(`id="${id}"`);
    }
  });

  it('index: shows every example image of the spec as a decoded data: image', async () => {
    const { page } = await open('index.html');
    const shown = await page.$$eval('img[src^="data:image/"]', (imgs) =>
      (imgs as HTMLImageElement[]).map((img) => ({
        src: img.getAttribute('src') ?? '',
        width: img.naturalWidth,
        height: img.naturalHeight,
      })),
    );
    const expected = exampleImages(spec);
    expect(expected.length).toBeGreaterThan(0);
    for (const img of expected) {
      const found = shown.find((s) => s.src === `data:${img.mediaType};base64,${img.base64}`);
      expect(found, `example ${img.name} on the index page`).toBeDefined();
      expect(found?.width).toBeGreaterThan(0);
      expect(found?.height).toBeGreaterThan(0);
    }
    await page.context().close();
  });

  it('performance: shows the chart, or says how to produce results', async () => {
    const { page } = await open('performance.html');
    if (existsSync(path.join(dist, 'performance.svg'))) {
      const width = await page.$eval('img[src="performance.svg"]', (img) => (img as HTMLImageElement).naturalWidth);
      expect(width).toBeGreaterThan(0);
    } else {
      expect(await page.textContent('#no-bench-results')).toContain('pnpm bench');
    }
    await page.context().close();
  });
});
