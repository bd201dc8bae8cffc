// The load test's server role (a child process forked by load.ts): a minimal Images API on 127.0.0.1 that checks
// the key and answers JSON or, for a stream, the called operation's stream examples from the spec, 5 ms apart. It
// sends `{ port }` to its parent once listening; asked `'path'`, it answers `{ path }`: the URL path of the last JSON
// call, so the raw-fetch baseline sends what the client sent.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeSse } from '@imagegen/client/internal/sse';
import { streamEvents } from './spec-stream.js';

const RESPONSE = JSON.stringify({
  created: 1_700_000_000,
  data: [{ b64_json: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==' }],
});
const framesByOperation = new Map<string, string[]>();
function framesFor(url: string, method: string): string[] {
  const key = `${method} ${url}`;
  let frames = framesByOperation.get(key);
  if (!frames) {
    frames = streamEvents(url, method).map((e) => encodeSse(e.type, JSON.stringify(e.data)));
    framesByOperation.set(key, frames);
  }
  return frames;
}

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
    const frames = framesFor(req.url ?? '', req.method ?? '');
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let i = 0;
    const timer = setInterval(() => {
      const frame = frames[i++];
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
