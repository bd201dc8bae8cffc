// The client bundled for the browser (esbuild, platform browser) and run in headless Chromium against a
// fake Images API on another origin (CORS): the browser guard, a JSON generation, a streamed generation
// and a multipart edit with a Blob. Skipped, with a message, where /usr/bin/chromium is missing (not in CI).
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedEvent, PNG, partialEvent } from './fixtures.js';
import { sseFrame } from './server.js';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const title = available
  ? 'in a browser (headless Chromium)'
  : `in a browser: ${CHROMIUM} not found (skipped locally; a failure when CI is set)`;
if (!available && !process.env.CI) console.warn(`browser.test.ts skipped: ${CHROMIUM} not found (install Chromium to run it).`);

/** What the page's script exposes: the package's exports. */
type Exports = typeof import('../src/index.js');
const generated = { created: 1700000000, data: [{ b64_json: 'aGVsbG8=' }] };
const GEN_PARTIAL = 'image_generation.partial_image';
const GEN_DONE = 'image_generation.completed';

interface SeenPart {
  name: string;
  value?: string;
  filename?: string;
  type?: string;
  bytes?: number[];
}

describe.skipIf(!available && !process.env.CI)(title, () => {
  let pageServer: Server;
  let apiServer: Server;
  let browser: Browser | undefined;
  let page: Page;
  let apiBase = '';
  const consoleErrors: string[] = [];
  const editParts: SeenPart[][] = [];

  const listen = async (server: Server) => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  async function api(req: IncomingMessage, res: ServerResponse) {
    const cors = {
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'x-request-id',
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...cors,
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '',
      });
      res.end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    if (req.url === '/v1/images/generations' && JSON.parse(body.toString()).stream === true) {
      res.writeHead(200, { ...cors, 'content-type': 'text/event-stream' });
      res.write(sseFrame(partialEvent(GEN_PARTIAL, 0), GEN_PARTIAL));
      res.end(sseFrame(completedEvent(GEN_DONE), GEN_DONE));
      return;
    }
    if (req.url === '/v1/images/edits') {
      const form = await new Response(new Uint8Array(body), {
        headers: { 'content-type': String(req.headers['content-type']) },
      }).formData();
      const parts: SeenPart[] = [];
      for (const [name, value] of form.entries()) {
        parts.push(
          typeof value === 'string'
            ? { name, value }
            : { name, filename: value.name, type: value.type, bytes: [...new Uint8Array(await value.arrayBuffer())] },
        );
      }
      editParts.push(parts);
    }
    res.writeHead(200, { ...cors, 'content-type': 'application/json', 'x-request-id': 'req_browser' });
    res.end(JSON.stringify(generated));
  }

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
    apiServer = createServer((req, res) => void api(req, res).catch(() => res.destroy()));
    const pageURL = await listen(pageServer);
    apiBase = `${await listen(apiServer)}/v1`;

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
    for (const server of [pageServer, apiServer]) {
      server?.closeAllConnections();
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    }
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
      const response = await client.images.generate({ prompt: 'a sea otter' });
      return { response, requestId: getResponseMeta(response)?.requestId };
    }, apiBase);
    expect(result).toEqual({ response: generated, requestId: 'req_browser' });
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
        return client.images.edit({ image: new Blob([new Uint8Array(png)]), prompt: 'add a hat', model: 'gpt-image-1' });
      },
      { baseURL: apiBase, png: [...PNG] },
    );
    expect(result).toEqual(generated);
    expect(editParts).toEqual([
      [
        { name: 'image', filename: 'image.png', type: 'image/png', bytes: [...PNG] },
        { name: 'prompt', value: 'add a hat' },
        { name: 'model', value: 'gpt-image-1' },
      ],
    ]);
  });

  it('logged no errors in the page console', () => {
    expect(consoleErrors).toEqual([]);
  });
});
