// The client bundled for the browser (esbuild, platform browser) and run in headless Chromium against
// @imagegen/mock on another origin (CORS): the browser guard, a JSON generation, a streamed generation
// and a multipart edit with a Blob. Skipped, with a message, where /usr/bin/chromium is missing (not in CI).
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { operationTable } from '@imagegen/types';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG } from './fixtures.js';
import { imageInfo, type MockServer, startMock } from './mock.js';
import { multipartEntries } from './server.js';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const title = available
  ? 'in a browser (headless Chromium)'
  : `in a browser: ${CHROMIUM} not found (skipped locally; a failure when CI is set)`;
if (!available && !process.env.CI) console.warn(`browser.test.ts skipped: ${CHROMIUM} not found (install Chromium to run it).`);

/** What the page's script exposes: the package's exports. */
type Exports = typeof import('../src/index.js');
/** The generate operation's stream events, as the spec names them: partial image, completed. */
const [GEN_PARTIAL, GEN_DONE] = Object.values(operationTable).find((op) => op.method === 'generate')?.events ?? [];

describe.skipIf(!available && !process.env.CI)(title, () => {
  let pageServer: Server;
  let mock: MockServer;
  let browser: Browser | undefined;
  let page: Page;
  let apiBase = '';
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (!available) throw new Error(`${CHROMIUM} not found: the browser test cannot run (CI is set, so this is a failure)`);
    const bundle = await build({
      stdin: {
        contents: "import * as imagegen from './src/index.ts'; globalThis.imagegen = imagegen;",
        resolveDir: fileURLToPath(new URL('..', import.meta.url)),
        loader: 'ts',
      },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      logLevel: 'error',
    });
    const script = bundle.outputFiles[0]?.text ?? '';
    const html = '<!doctype html><html><head><link rel="icon" href="data:,"><script src="/client.js"></script></head><body></body></html>';
    pageServer = createServer((req, res) => {
      const [type, content] = req.url === '/client.js' ? ['text/javascript', script] : ['text/html', html];
      res.writeHead(200, { 'content-type': type }).end(content);
    });
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    const pageURL = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
    mock = await startMock({ seed: 'browser' });
    apiBase = mock.url;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      timeout: 30_000,
    });
    page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
    await page.goto(pageURL);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await mock?.close();
    pageServer?.closeAllConnections();
    await new Promise((resolve) => (pageServer ? pageServer.close(resolve) : resolve(undefined)));
  });

  it('refuses to create a client without dangerouslyAllowBrowser', async () => {
    const result = await page.evaluate((baseURL) => {
      const { createImagesClient } = (globalThis as unknown as { imagegen: Exports }).imagegen;
      try {
        createImagesClient({ apiKey: 'sk-browser', baseURL });
        return 'created';
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
    }, apiBase);
    expect(result).toMatch(/^OpenAIError: Refusing to expose the API key in a browser without dangerouslyAllowBrowser: true/);
  });

  it('generates, across origins, with dangerouslyAllowBrowser', async () => {
    const result = await page.evaluate(async (baseURL) => {
      const { createImagesClient, getResponseMeta } = (globalThis as unknown as { imagegen: Exports }).imagegen;
      const client = createImagesClient({ apiKey: 'sk-browser', baseURL, dangerouslyAllowBrowser: true });
      const response = await client.images.generate({ prompt: 'a sea otter', model: 'gpt-image-1', output_format: 'webp' });
      return { b64: response.data?.[0]?.b64_json, requestId: getResponseMeta(response)?.requestId };
    }, apiBase);
    expect(imageInfo(result.b64 ?? '')).toMatchObject({ format: 'webp' });
    // Read across origins: the mock exposes its headers to the page.
    expect(result.requestId).toBe(mock.requests.at(-1)?.requestId);
  });

  it('streams partial and completed events', async () => {
    const types = await page.evaluate(async (baseURL) => {
      const { createImagesClient } = (globalThis as unknown as { imagegen: Exports }).imagegen;
      const client = createImagesClient({ apiKey: 'sk-browser', baseURL, dangerouslyAllowBrowser: true });
      const seen: string[] = [];
      for await (const event of await client.images.generate({ prompt: 'x', stream: true, partial_images: 1 })) seen.push(event.type);
      return seen;
    }, apiBase);
    expect(types).toEqual([GEN_PARTIAL, GEN_DONE]);
  });

  it('uploads a Blob as a multipart edit, its type sniffed', async () => {
    const result = await page.evaluate(
      async ({ baseURL, png }) => {
        const { createImagesClient } = (globalThis as unknown as { imagegen: Exports }).imagegen;
        const client = createImagesClient({ apiKey: 'sk-browser', baseURL, dangerouslyAllowBrowser: true });
        const response = await client.images.edit({ image: new Blob([new Uint8Array(png)]), prompt: 'add a hat', model: 'gpt-image-1' });
        return response.data?.length;
      },
      { baseURL: apiBase, png: [...PNG] },
    );
    expect(result).toBe(1);
    const request = mock.requests.at(-1);
    expect(request?.status).toBe(200);
    const parts = await Promise.all(
      (await multipartEntries({ body: request?.body ?? Buffer.alloc(0), headers: request?.headers ?? {} })).map(async ([name, value]) =>
        typeof value === 'string'
          ? { name, value }
          : { name, filename: value.name, type: value.type, bytes: [...new Uint8Array(await value.arrayBuffer())] },
      ),
    );
    expect(parts).toEqual([
      { name: 'image', filename: 'image.png', type: 'image/png', bytes: [...PNG] },
      { name: 'prompt', value: 'add a hat' },
      { name: 'model', value: 'gpt-image-1' },
    ]);
  });

  it('logged no errors in the page console', () => {
    expect(consoleErrors).toEqual([]);
  });
});
