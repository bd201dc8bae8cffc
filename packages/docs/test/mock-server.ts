// The servers the samples run against: Prism mocking the merged spec, behind a small loopback front
// that does the two things Prism cannot — stream (`stream: true` gets server-sent events built from the
// spec's stream examples) and accept repeated multipart parts (stoplightio/prism#2654: Prism keeps only
// the last `image[]` part and answers 400; the front checks the parts itself and forwards the first
// one as `image`, so Prism still validates every other field).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startPrism as contractStartPrism, type PrismServer } from '@imagegen/contract';
import { deref, isObject, type JsonObject, mediaExamples, operations } from '../scripts/spec.js';

/** What the front received, for assertions on what a sample sent. */
export interface ReceivedRequest {
  path: string;
  contentType: string;
  /** Multipart: how many file parts each field had. */
  files: Record<string, number>;
  /** JSON body, or the text fields of a multipart body. */
  fields: JsonObject;
  /** `sse` when the front streamed, otherwise Prism's status. */
  answer: 'sse' | number;
}

/** `prism mock <spec>` on a free loopback port, started the way the contract suite starts it. */
export function startPrism(specFile: string): Promise<PrismServer> {
  return contractStartPrism({ mode: 'mock', specFile });
}

const SIGNATURES = [
  [0x89, 0x50, 0x4e, 0x47],
  [0xff, 0xd8, 0xff],
  [0x52, 0x49, 0x46, 0x46],
];
const isImage = (bytes: Uint8Array) => SIGNATURES.some((sig) => sig.every((b, i) => bytes[i] === b));

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The SSE events for a streamed request: the stream examples' partial event `partial_images` times, then the others. */
function streamEvents(doc: JsonObject, pathname: string, partialImages: number): Array<{ type: string; data: JsonObject }> {
  const op = operations(doc).find((o) => o.path === pathname);
  const responses = isObject(op?.node.responses) ? op.node.responses : {};
  const ok = deref(doc, responses['200']);
  const media = isObject(ok) && isObject(ok.content) ? ok.content['text/event-stream'] : undefined;
  const examples = mediaExamples(doc, media)
    .map((e) => e.value)
    .filter((v): v is JsonObject => isObject(v) && typeof v.type === 'string');
  const partial = examples.find((e) => String(e.type).endsWith('.partial_image'));
  const rest = examples.filter((e) => e !== partial);
  if (!partial || rest.length === 0) throw new Error(`the spec has no stream examples for ${pathname}`);
  const partials: JsonObject[] = Array.from({ length: partialImages }, (_, i) => ({ ...partial, partial_image_index: i }));
  return [...partials, ...rest].map((data) => ({ type: String(data.type), data }));
}

/** The loopback front: streams for `stream: true`, otherwise forwards to Prism (see the file comment). */
export async function startFront(
  doc: JsonObject,
  prismUrl: string,
  maxImages: number,
): Promise<{ url: string; received: ReceivedRequest[]; close(): Promise<void> }> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    handle(req)
      .then(({ status, headers, body }) => {
        res.writeHead(status, headers);
        if (typeof body === 'string' || body instanceof Uint8Array) res.end(body);
        else void body.then((parts) => writeEvents(parts));
        async function writeEvents(events: string[]) {
          for (const event of events) {
            res.write(event);
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
          res.end();
        }
      })
      .catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: { message: `docs test front: ${(error as Error).message}`, type: 'server_error', param: null, code: null },
          }),
        );
      });
  });

  async function handle(
    req: IncomingMessage,
  ): Promise<{ status: number; headers: Record<string, string>; body: string | Uint8Array | Promise<string[]> }> {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const contentType = req.headers['content-type'] ?? '';
    const raw = await readBody(req);
    const record: ReceivedRequest = { path: pathname, contentType: contentType.split(';')[0] ?? '', files: {}, fields: {}, answer: 0 };
    received.push(record);
    const headers: Record<string, string> = { accept: req.headers.accept ?? 'application/json' };
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    let forward: BodyInit | undefined = raw.length ? new Uint8Array(raw) : undefined;

    if (contentType.includes('json')) {
      const body: unknown = JSON.parse(raw.toString('utf8') || '{}');
      if (isObject(body)) record.fields = body;
      headers['content-type'] = contentType;
      if (isObject(body) && body.stream === true) {
        record.answer = 'sse';
        const events = streamEvents(doc, pathname, Number(body.partial_images ?? 0));
        const sse = events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
        return { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, body: Promise.resolve(sse) };
      }
    } else if (contentType.includes('multipart/form-data')) {
      const form = await new Request('http://x', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: new Uint8Array(raw),
      }).formData();
      const out = new FormData();
      for (const key of new Set(form.keys())) {
        const values = form.getAll(key);
        const files = values.filter((v): v is File => typeof v !== 'string');
        if (files.length === 0) {
          record.fields[key] = values.length === 1 ? values[0] : values;
          for (const v of values) out.append(key, v);
          continue;
        }
        record.files[key] = files.length;
        for (const [i, file] of files.entries()) {
          if (!isImage(new Uint8Array(await file.slice(0, 4).arrayBuffer())))
            return badRequest(`${key}[${i}] is not a PNG, JPEG or WebP image`, key);
        }
        if (key === 'image[]') {
          if (files.length > maxImages) return badRequest(`image[] has ${files.length} parts; at most ${maxImages} are allowed`, key);
          out.append('image', files[0] as File);
        } else {
          for (const file of files) out.append(key, file);
        }
      }
      forward = out;
    }

    const response = await fetch(`${prismUrl}${req.url ?? '/'}`, {
      method: req.method ?? 'POST',
      headers,
      ...(forward !== undefined && { body: forward }),
    });
    record.answer = response.status;
    const relayed: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(name)) relayed[name] = value;
    });
    return { status: response.status, headers: relayed, body: new Uint8Array(await response.arrayBuffer()) };
  }

  const badRequest = (message: string, param: string) => ({
    status: 400,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error: { message, type: 'invalid_request_error', param, code: null } }),
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
