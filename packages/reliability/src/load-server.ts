// The load test's server role (a child process forked by load.ts): a minimal Images API on 127.0.0.1 that answers
// JSON or a three-event stream, checks the key, and sends `{ port }` to its parent once listening. Asked `'path'`, it
// answers `{ path }`: the URL path of the last JSON call, so the raw-fetch baseline sends what the client sent.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeSse } from '@imagegen/client/internal/sse';

const RESPONSE = JSON.stringify({
  created: 1_700_000_000,
  data: [{ b64_json: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==' }],
});
const event = (type: string, extra: Record<string, unknown>) =>
  encodeSse(
    type,
    JSON.stringify({
      type,
      b64_json: 'iVBORw0KGgo=',
      created_at: 1,
      size: '1024x1024',
      quality: 'low',
      background: 'opaque',
      output_format: 'png',
      ...extra,
    }),
  );
const FRAMES = [
  event('image_generation.partial_image', { partial_image_index: 0 }),
  event('image_generation.partial_image', { partial_image_index: 1 }),
  event('image_generation.completed', { usage: { total_tokens: 1, input_tokens: 1, output_tokens: 0 } }),
];

let lastJsonPath = '';
const server = createServer((req, res) => {
  req.resume();
  req.on('error', () => {});
  res.on('error', () => {});
  req.on('end', () => {
    if (req.headers.authorization !== `Bearer ${process.env.RELIABILITY_API_KEY}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      return res.end('{"error":{"message":"bad key","type":"invalid_request_error","param":null,"code":null}}');
    }
    if (req.headers.accept !== 'text/event-stream') {
      lastJsonPath = req.url ?? '';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(RESPONSE), 'x-request-id': 'req_load' });
      return res.end(RESPONSE);
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let i = 0;
    const timer = setInterval(() => {
      const frame = FRAMES[i++];
      if (frame) res.write(frame);
      else {
        clearInterval(timer);
        res.end();
      }
    }, 5);
    res.on('close', () => clearInterval(timer));
  });
});
server.on('clientError', (_e, socket) => socket.destroy());
await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
process.send?.({ port: (server.address() as AddressInfo).port });
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
process.on('message', (m) => {
  if (m === 'path') process.send?.({ path: lastJsonPath });
});
process.on('disconnect', () => process.exit(0));
