// Opens every page of the built site (dist/) in one headless Chromium, served from 127.0.0.1 by a tiny
// static server (VitePress pages load their assets by absolute path, so file:// is not enough), at
// desktop and phone size, light and dark. Requests to any other host are blocked and recorded.
// Screenshots of each page in each setting go to .screenshots/ for a person to look at.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { encodeSse } from '@imagegen/client/internal/sse';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileFields } from '../scripts/code-samples.js';
import { sampleFiles } from '../scripts/sample-check.js';
import { readSample } from '../scripts/sample-meta.js';
import { readGuides } from '../scripts/site.js';
import { isObject, type JsonObject, knownValues, loadSpec, mediaExamples, operations, schemaProperties } from '../scripts/spec.js';
import { requestExamples, streamEvents } from '../scripts/spec-markdown.js';

// DOCS_CHROMIUM points elsewhere (another machine's Chromium, or a missing path to try the skip).
const CHROMIUM = process.env.DOCS_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
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
const built = existsSync(path.join(dist, 'index.html'));

/** Every page of the site, as its path (`/guides/streaming.html`). */
function sitePages(dir = dist, prefix = '/'): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) return name === 'assets' ? [] : sitePages(file, `${prefix}${name}/`);
      return name.endsWith('.html') && name !== '404.html' ? [`${prefix}${name}`] : [];
    })
    .sort();
}
const pages = built ? sitePages() : [];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

function serve(root: string): Server {
  return createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(root, pathname.endsWith('/') ? `${pathname}index.html` : pathname);
    if (!file.startsWith(root + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`not found: ${pathname}`);
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
}

const SETTINGS = [
  { name: 'desktop-light', viewport: { width: 1280, height: 900 }, colorScheme: 'light' as const },
  { name: 'desktop-dark', viewport: { width: 1280, height: 900 }, colorScheme: 'dark' as const },
  { name: 'phone-light', viewport: { width: 390, height: 844 }, colorScheme: 'light' as const },
  { name: 'phone-dark', viewport: { width: 390, height: 844 }, colorScheme: 'dark' as const },
];

if (!haveChromium && !process.env.CI) {
  console.warn(`browser tests skipped: ${CHROMIUM} not found (install Debian's chromium package to run them)`);
}

interface Watched {
  page: Page;
  problems: string[];
  console: string[];
}

// Without Chromium the suite is skipped locally; in CI (CI set) it runs and fails in beforeAll.
describe.skipIf(!haveChromium && !process.env.CI)(`docs site in Chromium (${CHROMIUM})`, () => {
  let browser: Browser;
  let origin: string;
  const site = serve(dist);
  const contexts = new Map<string, BrowserContext>();
  /** Origins besides the site that a test expects the page to call (Try-it's loopback API). */
  const allowed = new Set<string>();
  const doc = loadSpec();

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} not found: CI must install Debian's chromium package before the tests`);
    if (!built) throw new Error(`${dist} is not built: run pnpm --filter @imagegen/docs build first (turbo's test task depends on build)`);
    origin = await listen(site);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site.close(resolve));
  });

  /** One page per setting, reused for every page of the site; records console errors and off-host requests. */
  async function watched(setting: (typeof SETTINGS)[number]): Promise<Watched> {
    let context = contexts.get(setting.name);
    if (!context) {
      context = await browser.newContext({ viewport: setting.viewport, colorScheme: setting.colorScheme });
      // The copy button writes through the Clipboard API; keep what it wrote where the test can read it.
      await context.addInitScript(() => {
        const copied: string[] = [];
        (window as unknown as { __copied: string[] }).__copied = copied;
        Object.defineProperty(navigator, 'clipboard', {
          value: { writeText: async (text: string) => void copied.push(text), readText: async () => copied.at(-1) ?? '' },
        });
      });
      contexts.set(setting.name, context);
    }
    const page = context.pages()[0] ?? (await context.newPage());
    const state: Watched = { page, problems: [], console: [] };
    page.removeAllListeners();
    await page.unrouteAll();
    await page.route(
      (url) => url.origin !== origin && !allowed.has(url.origin) && url.protocol !== 'data:' && url.protocol !== 'blob:',
      (route) => {
        state.problems.push(`request to another host: ${route.request().url()}`);
        return route.abort();
      },
    );
    page.on('console', (m) => {
      state.console.push(m.text());
      if (m.type() === 'error') state.problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => state.problems.push(`page error: ${e.message}`));
    return state;
  }

  /** CORS headers a server must send for Try-it to read its answer (and its request id) from another origin. */
  const CORS = {
    'access-control-allow-origin': '*',
    'access-control-allow-headers': '*',
    'access-control-allow-methods': '*',
    'access-control-expose-headers': 'x-request-id',
  };

  /** A loopback Images API for Try-it: answers preflights, hands every other request and its body to `answer`. */
  async function loopbackApi(answer: (req: IncomingMessage, body: string, res: ServerResponse) => void | Promise<void>) {
    const server = createServer(async (req, res) => {
      if (req.method === 'OPTIONS') return void res.writeHead(204, CORS).end();
      let body = '';
      for await (const chunk of req) body += chunk;
      await answer(req, body, res);
    });
    const apiOrigin = await listen(server);
    allowed.add(apiOrigin);
    return {
      url: `${apiOrigin}/v1`,
      close: async () => {
        allowed.delete(apiOrigin);
        await new Promise((resolve) => server.close(resolve));
      },
    };
  }

  for (const setting of SETTINGS) {
    it(`${setting.name}: every page loads without console errors or off-host requests, fits the viewport, and is screenshotted`, async () => {
      const w = await watched(setting);
      const dir = path.join(screenshots, setting.name);
      mkdirSync(dir, { recursive: true });
      for (const pagePath of pages) {
        const response = await w.page.goto(`${origin}${pagePath}`, { waitUntil: 'networkidle' });
        expect(response?.status(), pagePath).toBe(200);
        const layout = await w.page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          width: window.innerWidth,
          dark: document.documentElement.classList.contains('dark'),
          nav: [...document.querySelectorAll('.VPNavBar .VPNavBarMenuLink, .VPNavBar .VPNavBarTitle')].map((a) => a.textContent?.trim()),
        }));
        expect(layout.scrollWidth, `${pagePath} is wider than the ${layout.width}px viewport`).toBeLessThanOrEqual(layout.width);
        expect(layout.dark, pagePath).toBe(setting.colorScheme === 'dark');
        await w.page.screenshot({
          path: path.join(
            dir,
            `${pagePath
              .slice(1)
              .replaceAll('/', '_')
              .replace(/\.html$/, '')}.png`,
          ),
        });
      }
      expect(w.problems).toEqual([]);
    });
  }

  it('has the same header on the reference as on every guide', async () => {
    const w = await watched(SETTINGS[0] as (typeof SETTINGS)[number]);
    const header = async (pagePath: string) => {
      await w.page.goto(`${origin}${pagePath}`, { waitUntil: 'networkidle' });
      return w.page.locator('header.VPNav').innerHTML();
    };
    const strip = (html: string) => html.replace(/ class="[^"]*"|aria-current="page"|VPNavBarMenuLink active/g, '');
    const reference = strip(await header('/reference.html'));
    for (const guide of readGuides()) expect(strip(await header(`${guide.link}.html`)), guide.file).toBe(reference);
    expect(w.problems).toEqual([]);
  });

  it('lists each operation of the spec once in the reference, samples included', async () => {
    const w = await watched(SETTINGS[0] as (typeof SETTINGS)[number]);
    await w.page.goto(`${origin}/reference.html`, { waitUntil: 'networkidle' });
    const ids = await w.page.$$eval('.vp-doc h2[id]', (hs) => hs.map((h) => h.id));
    expect(ids).toEqual(operations(doc).map((op) => op.operationId));
    const outline = await w.page.$$eval('.VPDocAsideOutline a', (as) => as.map((a) => a.getAttribute('href')));
    for (const op of operations(doc))
      expect(
        outline.filter((href) => href === `#${op.operationId}`),
        op.operationId,
      ).toHaveLength(1);
    // The `model` property of the first request shows every model the spec knows (not hidden behind a union tab).
    const [first] = requestExamples(doc, operations(doc)[0]?.operationId ?? '');
    const models = knownValues(doc, schemaProperties(doc, first?.schema).properties.model);
    expect(models.length).toBeGreaterThan(0);
    const modelItem = await w.page
      .locator('.spec-properties li', { hasText: /^model\b/ })
      .first()
      .textContent();
    for (const model of models) expect(modelItem).toContain(String(model));
    expect(w.problems).toEqual([]);
  });

  it('highlights code and copies a sample exactly as its file holds it', async () => {
    const w = await watched(SETTINGS[0] as (typeof SETTINGS)[number]);
    const sample = sampleFiles(path.join(docsDir, 'samples'))
      .map(readSample)
      .find((s) => s.name === 'generate.ts');
    if (!sample) throw new Error('no generate.ts sample');
    await w.page.goto(`${origin}/guides/getting-started.html`, { waitUntil: 'networkidle' });
    const block = w.page.locator('div[class*="language-ts"]', { hasText: sample.source.split('\n')[2] ?? '' }).first();
    const colours = await block
      .locator('pre span[style*="--shiki"]')
      .evaluateAll((spans) => new Set(spans.map((s) => getComputedStyle(s).color)).size);
    expect(colours, 'several token colours: highlighted').toBeGreaterThan(3);
    await block.hover();
    await block.locator('button.copy').click();
    const copied = await w.page.evaluate(() => navigator.clipboard.readText());
    expect(copied.trimEnd()).toBe(sample.source.trimEnd());
    expect(w.problems).toEqual([]);
  });

  it('finds a guide with the local search by a word from its body', async () => {
    const w = await watched(SETTINGS[0] as (typeof SETTINGS)[number]);
    const guides = readGuides();
    // A long word that only one guide uses, taken from its text (not its title).
    const words = (text: string) => new Set(text.replace(/<!--[\s\S]*?-->|```[\s\S]*?```/g, ' ').match(/[A-Za-z]{9,}/g) ?? []);
    const pick = guides
      .flatMap((g) =>
        [...words(g.markdown)]
          .filter((word) => !g.title.includes(word) && guides.every((o) => o === g || !o.markdown.includes(word)))
          .map((word) => ({ g, word })),
      )
      .at(0);
    if (!pick) throw new Error('no word unique to one guide');
    await w.page.goto(`${origin}/`, { waitUntil: 'networkidle' });
    await w.page.locator('.VPNavBarSearch button').click();
    await w.page.locator('.VPLocalSearchBox input').fill(pick.word);
    const result = w.page.locator(`.VPLocalSearchBox .results a[href*="${pick.g.link}"]`).first();
    await result.waitFor({ timeout: 10_000 });
    expect(await result.textContent()).toContain(pick.g.title);
    expect(w.problems).toEqual([]);
  });

  it('Try-it sends a generate request to the base URL typed in and shows the answer; the key is kept nowhere', async () => {
    const w = await watched(SETTINGS[0] as (typeof SETTINGS)[number]);
    const op = operations(doc).find((o) => {
      const body = o.node.requestBody;
      return isObject(body) && isObject(body.content) && 'application/json' in body.content;
    });
    if (!op) throw new Error('no operation with a JSON body');
    const responses = op.node.responses as JsonObject;
    const ok = responses['200'] as JsonObject;
    const answer = mediaExamples(doc, (ok.content as JsonObject)['application/json'])[0]?.value;
    const received: Array<{ method: string; url: string; auth: string; body: string }> = [];
    const api = await loopbackApi((req, body, res) => {
      received.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization ?? '', body });
      res.writeHead(200, { ...CORS, 'content-type': 'application/json', 'x-request-id': 'req_tryit' }).end(JSON.stringify(answer));
    });
    try {
      const key = 'sk-tryit-secret-4711';
      await w.page.goto(`${origin}/reference.html`, { waitUntil: 'networkidle' });
      const form = w.page.locator(`.try-it[data-operation="${op.operationId}"]`);
      await form.locator('.try-it-base').fill(api.url);
      await form.locator('.try-it-key').fill(key);
      await form.locator('.try-it-send').click();
      await form.locator('.try-it-output').waitFor();
      await expect.poll(() => form.locator('.try-it-status').textContent()).toContain('200');
      expect(await form.locator('.try-it-status').textContent()).toContain('req_tryit');
      expect(await form.locator('.try-it-output').textContent()).toContain('"created"');
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ method: op.method.toUpperCase(), url: `/v1${op.path}`, auth: `Bearer ${key}` });
      expect(JSON.parse(received[0]?.body ?? '')).toMatchObject({ prompt: expect.any(String) });
      const kept = await w.page.evaluate(() =>
        JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie, url: location.href }),
      );
      expect(kept).not.toContain(key);
      expect(w.console.join('\n')).not.toContain(key);
      expect(await w.page.locator('body').textContent()).not.toContain(key);
    } finally {
      await api.close();
    }
    expect(w.problems).toEqual([]);
  });

  it('Try-it sends a multipart request with the chosen file and the example fields', async () => {
    const w = await watched(SETTINGS[0] as (typeof SETTINGS)[number]);
    const op = operations(doc).find((o) => {
      const body = o.node.requestBody;
      return isObject(body) && isObject(body.content) && Object.keys(body.content).join() === 'multipart/form-data';
    });
    if (!op) return; // the spec has no multipart-only operation left
    const [multipart] = requestExamples(doc, op.operationId);
    const [file] = fileFields(doc, multipart?.schema);
    const textFields = Object.keys(isObject(multipart?.examples[0]?.value) ? (multipart?.examples[0]?.value as JsonObject) : {}).filter(
      (k) => k !== file?.name,
    );
    const received: Array<{ type: string; body: string }> = [];
    const api = await loopbackApi((req, body, res) => {
      received.push({ type: req.headers['content-type'] ?? '', body });
      res.writeHead(200, { ...CORS, 'content-type': 'application/json' }).end('{"created":1,"data":[]}');
    });
    try {
      await w.page.goto(`${origin}/reference.html`, { waitUntil: 'networkidle' });
      const form = w.page.locator(`.try-it[data-operation="${op.operationId}"]`);
      await form.locator('.try-it-base').fill(api.url);
      await form
        .locator('input[type="file"]')
        .first()
        .setInputFiles({ name: 'sunrise.png', mimeType: 'image/png', buffer: Buffer.from('not really a png') });
      await form.locator('.try-it-send').click();
      await expect.poll(() => form.locator('.try-it-status').textContent()).toContain('200');
      expect(received).toHaveLength(1);
      expect(received[0]?.type).toMatch(/^multipart\/form-data; boundary=/);
      expect(received[0]?.body).toContain(`name="${file?.name}"; filename="sunrise.png"`);
      for (const field of textFields) expect(received[0]?.body).toContain(`name="${field}"`);
    } finally {
      await api.close();
    }
    expect(w.problems).toEqual([]);
  });

  it('Try-it shows a streamed answer event by event', async () => {
    const w = await watched(SETTINGS[0] as (typeof SETTINGS)[number]);
    const op = operations(doc).find(
      (o) =>
        streamEvents(doc, o.operationId).length > 0 && requestExamples(doc, o.operationId).some((b) => b.mediaType === 'application/json'),
    );
    if (!op) return; // nothing streams
    const events = streamEvents(doc, op.operationId);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const api = await loopbackApi(async (_req, _body, res) => {
      res.writeHead(200, { ...CORS, 'content-type': 'text/event-stream' });
      const [first, ...rest] = events;
      res.write(encodeSse(first?.type, JSON.stringify({ type: first?.type })));
      await held; // the page must show the first event while the stream is still open
      for (const e of rest) res.write(encodeSse(e.type, JSON.stringify({ type: e.type })));
      res.end();
    });
    try {
      await w.page.goto(`${origin}/reference.html`, { waitUntil: 'networkidle' });
      const form = w.page.locator(`.try-it[data-operation="${op.operationId}"]`);
      await form.locator('.try-it-base').fill(api.url);
      const body = form.locator('.try-it-body');
      await body.fill(JSON.stringify({ ...(JSON.parse(await body.inputValue()) as JsonObject), stream: true }));
      await form.locator('.try-it-send').click();
      await expect.poll(() => form.locator('.try-it-output').textContent()).toContain(events[0]?.type);
      release();
      for (const e of events) await expect.poll(() => form.locator('.try-it-output').textContent()).toContain(e.type);
    } finally {
      release();
      await api.close();
    }
    expect(w.problems).toEqual([]);
  });
});
