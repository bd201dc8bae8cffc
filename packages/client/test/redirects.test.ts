// Redirects: followed (same method and body) for JSON and in-memory uploads on the API's origin, never to another;
// an upload from a stream or a file gets a final error saying why. Never a retried connection error.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { APIConnectionError, APIError, fromPath } from '../src/node.js';
import { API_KEY, PNG, testClient } from './fixtures.js';
import { type Handler, json, multipartEntries, startServer, type TestServer } from './server.js';

let server: TestServer;
let other: TestServer;
let dir: string;
const pngOnDisk = async () => {
  const path = join(dir, 'cat.png');
  await writeFile(path, PNG);
  return path;
};
beforeAll(async () => {
  [server, other] = await Promise.all([startServer(), startServer()]);
  dir = await mkdtemp(join(tmpdir(), 'imagegen-redirects-'));
});
afterAll(() => Promise.all([server.close(), other.close(), rm(dir, { recursive: true, force: true })]));
beforeEach(() => {
  server.reset();
  other.reset();
});

const ok = json(200, { created: 1 });
/** Answer with `status` and a Location made from the request's own path (and, once moved, with 200). */
const redirect =
  (status: number, to: (path: string) => string): Handler =>
  (req, res, raw) =>
    req.path.startsWith('/moved/') || req.path.startsWith('/v2/')
      ? ok(req, res, raw)
      : void res.writeHead(status, { location: to(req.path) }).end();
// Node's fetch hides a redirect's Location unless told to copy every request body for one ('manual'), so the client
// sends a redirected request once more, with 'manual', to read it: the server sees it twice.

describe('redirects', () => {
  it.each([301, 302, 307, 308])('follows a %i for a JSON body, with the same method, body and key', async (status) => {
    server.fallback = redirect(status, (path) => `${server.url}/moved${path}`);
    await expect(testClient(server.url).images.generate({ prompt: 'otter' })).resolves.toEqual({ created: 1 });
    const [first, again, second] = server.requests;
    expect(server.requests).toHaveLength(3);
    expect(again?.path).toBe(first?.path);
    expect(second?.path).toBe(`/moved${first?.path}`);
    expect(second?.method).toBe('POST');
    expect(second?.body.toString()).toBe(first?.body.toString());
    expect(second?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(second?.headers['idempotency-key']).toBe(first?.headers['idempotency-key']);
  });

  it('follows a relative Location, and an in-memory multipart upload is sent again whole', async () => {
    server.fallback = redirect(307, (path) => path.replace('/v1/', '/v2/'));
    await testClient(`${server.url}/v1`).images.edit({ image: PNG, prompt: 'hat' });
    const [first, , second] = server.requests;
    expect(second?.path).toBe(first?.path.replace('/v1/', '/v2/'));
    // The parts, compared by content (a parsed File's lastModified is the moment it was parsed).
    const parts = async (req: typeof first) =>
      Promise.all(
        (await multipartEntries(req as never)).map(async ([name, value]) =>
          typeof value === 'string'
            ? [name, value]
            : [name, value.name, value.type, Buffer.from(await value.arrayBuffer()).toString('hex')],
        ),
      );
    expect(await parts(second)).toEqual(await parts(first));
  });

  it('stops after 5 redirects with an error naming the last status and Location, not retried', async () => {
    server.fallback = redirect(307, (path) => `${server.url}${path}`);
    const error = await testClient(server.url)
      .images.generate({ prompt: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error).not.toBeInstanceOf(APIConnectionError);
    expect((error as APIError).status).toBe(307);
    expect((error as Error).message).toBe(`307 redirect to ${server.url}${server.requests[0]?.path} not followed: more than 5 redirects`);
    // The first try (its redirect hidden by fetch), then the start of the chain and five redirects followed.
    expect(server.requests).toHaveLength(7);
  });

  it('does not follow a redirect to another origin (neither the key nor the request goes there), naming it', async () => {
    server.fallback = redirect(308, (path) => `${other.url}${path}`);
    const error = await testClient(server.url, { organization: 'org-1', defaultHeaders: { 'X-Api-Key': API_KEY } })
      .images.generate({ prompt: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error).not.toBeInstanceOf(APIConnectionError);
    expect((error as APIError).status).toBe(308);
    expect((error as Error).message).toBe(`308 redirect to ${other.url}${server.requests[0]?.path} not followed: another origin`);
    expect(other.requests).toHaveLength(0);
    expect(server.requests).toHaveLength(2);
  });

  it.each([
    ['a stream', async () => Readable.from([PNG])],
    ['a file from disk', async () => fromPath(await pngOnDisk())],
  ])('does not follow a redirect of an upload from %s, with a final error saying why and what to do', async (kind, image) => {
    server.fallback = redirect(307, (path) => `${server.url}/moved${path}`);
    const error = await testClient(server.url)
      .images.edit({ image: await image(), prompt: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error).not.toBeInstanceOf(APIConnectionError);
    // Following it, fetch would keep a copy of the whole upload in memory; an upload from bytes or a Blob is followed.
    expect((error as Error).message).toBe(`Redirect not followed: the upload (image) is ${kind}; set baseURL to the new URL.`);
    expect(server.requests).toHaveLength(1);
  });

  it('does not follow a 303 (it asks for a GET): an error like any other status', async () => {
    server.fallback = redirect(303, () => `${server.url}/result`);
    const error = await testClient(server.url)
      .images.generate({ prompt: 'x' })
      .catch((e: unknown) => e);
    expect((error as APIError).status).toBe(303);
    expect(server.requests).toHaveLength(2);
  });
});
