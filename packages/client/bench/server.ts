// The fake Images API the benchmarks talk to, run in its own process (forked by run.ts) so that its CPU
// time is not counted as the client's. Sends its base URL to the parent over IPC once listening.
//   POST …/images/generations {stream: false} → a small JSON ImagesResponse
//   POST …/images/generations {stream: true}  → STREAM_EVENTS events (partials then completed) whose
//                                                b64_json payloads sum to STREAM_BYTES, written in 64 KiB chunks
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const STREAM_BYTES = 8 * 1024 * 1024;
export const STREAM_EVENTS = 4;
export const CHUNK_BYTES = 64 * 1024;

const small = Buffer.from(JSON.stringify({ created: 1700000000, data: [{ b64_json: 'aGVsbG8=' }] }));

function streamBody(): Buffer {
  const each = Math.floor(STREAM_BYTES / STREAM_EVENTS / 4) * 4;
  const common = { created_at: 1, size: '1024x1024', quality: 'low', background: 'opaque', output_format: 'png' };
  const frames: string[] = [];
  for (let i = 0; i < STREAM_EVENTS; i++) {
    const last = i === STREAM_EVENTS - 1;
    const event = last
      ? {
          type: 'image_generation.completed',
          b64_json: 'A'.repeat(each),
          ...common,
          usage: { total_tokens: 3, input_tokens: 1, output_tokens: 2, input_tokens_details: { text_tokens: 1, image_tokens: 0 } },
        }
      : { type: 'image_generation.partial_image', b64_json: 'A'.repeat(each), partial_image_index: i, ...common };
    frames.push(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }
  return Buffer.from(frames.join(''));
}
const streamed = streamBody();

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    let stream = false;
    try {
      stream = JSON.parse(Buffer.concat(chunks).toString()).stream === true;
    } catch {}
    if (!stream) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': small.length, 'x-request-id': 'req_bench' });
      res.end(small);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_bench' });
    for (let i = 0; i < streamed.length && !res.destroyed; i += CHUNK_BYTES) {
      if (!res.write(streamed.subarray(i, i + CHUNK_BYTES))) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` });
});
process.on('disconnect', () => process.exit(0));
