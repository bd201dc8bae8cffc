import { createReadStream } from 'node:fs';
import { appendFile, mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { operationTable } from '@imagegen/types';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { APIError, fromPath, OpenAIError, type Uploadable, ValidationError } from '../src/node.js';
import { JPEG, PNG, testClient, WEBP } from './fixtures.js';
import { json, multipartEntries, startServer, type TestServer } from './server.js';

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startServer();
  dir = await mkdtemp(join(tmpdir(), 'imagegen-uploads-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => server.reset());

/** Name, filename, type and bytes of each part. */
async function parts() {
  const req = server.requests.at(-1);
  if (!req) throw new Error('no request');
  expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
  return Promise.all(
    (await multipartEntries(req)).map(async ([name, v]) =>
      typeof v === 'string' ? { name, value: v } : { name, filename: v.name, type: v.type, bytes: new Uint8Array(await v.arrayBuffer()) },
    ),
  );
}

describe('images.edit (multipart)', () => {
  it('sends one image as `image`, text fields as text, in body order, to POST /images/edits', async () => {
    const client = testClient(server.url);
    await client.images.edit({ model: 'gpt-image-1', image: PNG, prompt: 'add a hat', n: 2, mask: PNG });
    const req = server.requests[0];
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/images/edits');
    expect(await parts()).toEqual([
      { name: 'model', value: 'gpt-image-1' },
      { name: 'image', filename: 'image.png', type: 'image/png', bytes: PNG },
      { name: 'prompt', value: 'add a hat' },
      { name: 'n', value: '2' },
      { name: 'mask', filename: 'mask.png', type: 'image/png', bytes: PNG },
    ]);
  });

  it('sends several images as repeated `image[]` parts in array order, detecting each MIME type', async () => {
    const blobNoType = new Blob([WEBP]);
    const named = new File([JPEG], 'me.jpeg', { type: 'image/jpeg' });
    await testClient(server.url).images.edit({
      image: [PNG, named, blobNoType, JPEG.buffer as ArrayBuffer, Buffer.from(PNG)],
      prompt: 'merge',
    });
    const got = await parts();
    expect(got.map((p) => [p.name, 'filename' in p ? p.filename : p.value, 'type' in p ? p.type : ''])).toEqual([
      ['image[]', 'image-1.png', 'image/png'],
      ['image[]', 'me.jpeg', 'image/jpeg'],
      ['image[]', 'image-3.webp', 'image/webp'],
      ['image[]', 'image-4.jpg', 'image/jpeg'],
      ['image[]', 'image-5.png', 'image/png'],
      ['prompt', 'merge', ''],
    ]);
    expect(got[2] && 'bytes' in got[2] && got[2].bytes).toEqual(WEBP);
  });

  it('sends a one-element array as a plain `image` part', async () => {
    await testClient(server.url).images.edit({ image: [JPEG], prompt: 'x' });
    expect((await parts())[0]).toMatchObject({ name: 'image', filename: 'image.jpg', type: 'image/jpeg' });
  });

  it('replaces application/octet-stream with the detected type and keeps an explicit type', async () => {
    const octet = new File([PNG], 'upload.bin', { type: 'application/octet-stream' });
    const declared = new File([new TextEncoder().encode('not really')], 'x.png', { type: 'image/png' });
    await testClient(server.url).images.edit({ image: [octet, declared], prompt: 'x' });
    const got = await parts();
    expect(got[0]).toMatchObject({ filename: 'upload.bin', type: 'image/png' });
    expect(got[1]).toMatchObject({ filename: 'x.png', type: 'image/png' });
  });

  it('refuses a file that is not PNG, JPEG or WebP when no type is given, naming the field', async () => {
    const client = testClient(server.url);
    const gif = new TextEncoder().encode('GIF89a.......');
    const error = await client.images.edit({ image: [PNG, gif], prompt: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('image[1]');
    expect((error as Error).message).toMatch(/^image\[1\]: is not a PNG, JPEG or WebP image \(starts with "GIF89a\.{6}"\); give it a type/);
    await expect(client.images.edit({ image: PNG, mask: new Uint8Array(), prompt: 'x' })).rejects.toThrow(
      'mask: is not a PNG, JPEG or WebP image (starts with "")',
    );
    expect(server.requests).toHaveLength(0);
  });

  it('refuses an empty image list, too many images and a missing image', async () => {
    const client = testClient(server.url);
    await expect(client.images.edit({ image: [], prompt: 'x' })).rejects.toThrow(/^image: is required \(missing or empty\)$/);
    await expect(client.images.edit({ image: Array.from({ length: 17 }, () => PNG), prompt: 'x' })).rejects.toThrow(
      /^image: has 17 items \(at most 16\)$/,
    );
    // @ts-expect-error image is required
    await expect(client.images.edit({ prompt: 'x' })).rejects.toThrow(/^image: is required \(missing or empty\)$/);
    await expect(client.images.edit({ image: PNG, prompt: '  ' })).rejects.toThrow(/^prompt: must be a non-empty string/);
    expect(server.requests).toHaveLength(0);
  });

  it('re-sends the same multipart body on a retry', async () => {
    server.queue(json(500, { error: { message: 'boom', type: 'server_error', param: null, code: null } }, { 'retry-after-ms': '0' }));
    await testClient(server.url).images.edit({ image: [PNG, JPEG], prompt: 'again' });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.bodySize).toBe(server.requests[0]?.bodySize);
    const first = await multipartEntries(server.requests[0] as never);
    const second = await multipartEntries(server.requests[1] as never);
    expect(second.map(([k]) => k)).toEqual(first.map(([k]) => k));
  });
});

describe('images.edit (JSON body)', () => {
  it('sends `images` references as JSON', async () => {
    const body = { images: [{ image_url: 'https://example.com/a.png' }, { file_id: 'file-123' }], prompt: 'mix', model: 'gpt-image-1' };
    await testClient(server.url).images.edit(body);
    const req = server.requests[0];
    expect(req?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req?.body.toString() ?? '')).toEqual(body);
  });
  it('refuses an empty or too long `images` list', async () => {
    const client = testClient(server.url);
    await expect(client.images.edit({ images: [], prompt: 'x' })).rejects.toThrow(/^images: is required \(missing or empty\)$/);
    await expect(client.images.edit({ images: Array.from({ length: 17 }, () => ({ file_id: 'f' })), prompt: 'x' })).rejects.toThrow(
      /^images: has 17 items/,
    );
  });
});

/**
 * From the generated table: an operation whose multipart body has a single-file field and no file list (today the
 * variation), its file field and two of its text fields; none once the spec has no such operation.
 */
const singleFile = Object.values(operationTable).flatMap((op) => {
  const bodies: Record<string, { properties: Record<string, string> }> = op.requestBodies;
  const fields = Object.entries(bodies['multipart/form-data']?.properties ?? {});
  const file = fields.find(([, kind]) => kind === 'file')?.[0];
  const text = fields.filter(([, kind]) => kind === 'text').map(([name]) => name);
  return file && text.length >= 2 && !fields.some(([, kind]) => kind === 'files') ? [{ ...op, file, text }] : [];
})[0];

describe.runIf(singleFile)('a multipart operation with one file field', () => {
  it('POSTs the file and its text fields as multipart to its path', async () => {
    const { method, path, file, text } = singleFile as NonNullable<typeof singleFile>;
    const [number, string] = text as [string, string];
    const call = testClient(server.url).images[method] as (body: object) => Promise<unknown>;
    await call({ [file]: PNG, [number]: 1, [string]: 'v' });
    expect(server.requests[0]?.path).toBe(path);
    expect(await parts()).toEqual([
      { name: file, filename: `${file}.png`, type: 'image/png', bytes: PNG },
      { name: number, value: '1' },
      { name: string, value: 'v' },
    ]);
  });
});

describe('fromPath', () => {
  it('uploads a file from disk with its name and detected type', async () => {
    const path = join(dir, 'photo.jpg');
    await writeFile(path, JPEG);
    const file = await fromPath(path);
    expect(file.name).toBe('photo.jpg');
    await testClient(server.url).images.edit({ image: file, prompt: 'x' });
    expect((await parts())[0]).toMatchObject({ name: 'image', filename: 'photo.jpg', type: 'image/jpeg', bytes: JPEG });
  });

  it('streams a large file from disk instead of reading it into memory', async () => {
    const size = 256 * 1024 * 1024;
    const path = join(dir, 'big.png');
    const handle = await open(path, 'w');
    await handle.write(PNG, 0);
    await handle.truncate(size);
    await handle.close();
    server.keepBodies = false;
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    try {
      await testClient(server.url).images.edit({ image: await fromPath(path), prompt: 'big' });
    } finally {
      clearInterval(sampler);
    }
    expect(server.requests[0]?.bodySize).toBeGreaterThan(size);
    // Reading the file into memory would add ≥ 256 MB.
    expect(peak - before).toBeLessThan(128 * 1024 * 1024);
    // 256 MB over loopback: a hang guard sized for a loaded machine, not a speed claim.
  }, 180_000);

  it('rejects a missing path', async () => {
    await expect(fromPath(join(dir, 'nope.png'))).rejects.toThrow(/fromPath: cannot open ".*nope.png"/);
  });

  it('rejects a directory up front (fs.openAsBlob would accept it and fail only when the upload reads it)', async () => {
    const sub = join(dir, 'a-directory');
    await mkdir(sub);
    for (const options of [{}, { type: 'image/png' }]) {
      const error = await fromPath(sub, options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAIError);
      expect((error as Error).message).toBe(`fromPath: cannot open ${JSON.stringify(sub)} (not a regular file)`);
    }
  });

  it('fails before sending, naming the field, when the file changed after fromPath', async () => {
    const path = join(dir, 'changing.png');
    await writeFile(path, PNG);
    const image = await fromPath(path, { type: 'image/png' });
    await appendFile(path, 'appended later');
    const error = await testClient(server.url)
      .images.edit({ image: [PNG, image], prompt: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAIError);
    expect((error as Error).message).toBe('Upload failed: image[1] changed after fromPath.');
    expect((error as Error).cause).toMatchObject({ name: 'NotReadableError' });
    expect(server.requests).toHaveLength(0);
  });

  // Node 24's fetch does not reject on an unreadable FormData file: the NotReadableError escapes as an uncaught
  // exception (node:internal/blob) and the process dies. Only a change before the call can be caught there.
  it.skipIf(Number(process.versions.node.split('.')[0]) >= 24)(
    'fails at once, without retrying again, when the file changes between attempts',
    async () => {
      const path = join(dir, 'changing-later.png');
      await writeFile(path, PNG);
      const image = await fromPath(path, { type: 'image/png' });
      const fail = json(500, { error: { message: 'boom', type: 'server_error', param: null, code: null } }, { 'retry-after-ms': '0' });
      server.queue(async (req, res, raw) => {
        await appendFile(path, 'appended between attempts');
        await fail(req, res, raw);
      });
      const error = await testClient(server.url, { maxRetries: 2 })
        .images.edit({ image, prompt: 'x' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAIError);
      expect((error as Error).message).toBe('Upload failed: a file changed after fromPath.');
      expect(((error as Error).cause as Error).cause).toMatchObject({ name: 'NotReadableError' });
      expect(server.requests.length).toBeLessThanOrEqual(2);
    },
  );
});

describe('other upload idioms', () => {
  const boom = json(500, { error: { message: 'boom', type: 'server_error', param: null, code: null } }, { 'retry-after-ms': '0' });

  it('accepts a fetch Response: the name from its URL, the type from its content type', async () => {
    server.queue((_req, res) => void res.writeHead(200, { 'content-type': 'image/webp' }).end(WEBP));
    const downloaded = await fetch(`${server.url}/pictures/otter.webp?size=big`);
    server.reset();
    await testClient(server.url).images.edit({ image: downloaded, mask: new Response(PNG), prompt: 'x' });
    expect(await parts()).toEqual([
      { name: 'image', filename: 'otter.webp', type: 'image/webp', bytes: WEBP },
      { name: 'mask', filename: 'mask.png', type: 'image/png', bytes: PNG },
      { name: 'prompt', value: 'x' },
    ]);
  });

  it('accepts fs.createReadStream(path): the name from the path, the type from the first bytes, sent again on a retry', async () => {
    const path = join(dir, 'stream-me.jpg');
    await writeFile(path, JPEG);
    server.queue(boom);
    await testClient(server.url).images.edit({ image: createReadStream(path), prompt: 'x' });
    expect(server.requests).toHaveLength(2);
    expect((await parts())[0]).toEqual({ name: 'image', filename: 'stream-me.jpg', type: 'image/jpeg', bytes: JPEG });
    expect(server.requests[1]?.bodySize).toBe(server.requests[0]?.bodySize);
  });

  it('accepts a Readable and an AsyncIterable<Uint8Array> (streamed, the type from the first bytes)', async () => {
    async function* chunks() {
      yield PNG.subarray(0, 5); // fewer bytes than the type needs: the client reads on
      yield PNG.subarray(5);
    }
    await testClient(server.url).images.edit({ image: [Readable.from([Buffer.from(JPEG)]), chunks()], prompt: 'x' });
    expect((await parts()).slice(0, 2)).toEqual([
      { name: 'image[]', filename: 'image-1.jpg', type: 'image/jpeg', bytes: JPEG },
      { name: 'image[]', filename: 'image-2.png', type: 'image/png', bytes: PNG },
    ]);
  });

  it('does not retry a streamed upload (it can be read only once), saying why and what to use', async () => {
    server.queue(boom, json(200, { created: 1 }));
    const error = await testClient(server.url)
      .images.edit({ image: Readable.from([Buffer.from(PNG)]), prompt: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAIError);
    expect((error as Error).message).toBe(
      'Not retried: the upload (image) is a stream, read once (use fromPath() or a Blob to allow retries): boom',
    );
    expect((error as Error).cause).toBeInstanceOf(APIError);
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a string (such as a path) before sending, naming fromPath()', async () => {
    const path = join(dir, 'photo.png');
    await writeFile(path, PNG);
    // A plain string, as a JavaScript caller (or a cast) may pass.
    const image = path as unknown as Uploadable;
    const error = await testClient(server.url)
      .images.edit({ image, prompt: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe(`image: is a string (${JSON.stringify(path)}), not a file: pass await fromPath(path)`);
    expect(server.requests).toHaveLength(0);
  });
});
