// The measured side of the CPU benchmark, in a process of its own: the mock and, as the baseline, a plain node:http
// server that answers the same bytes without parsing, validating or encoding anything. The parent asks over IPC
// for this process's CPU time before and after each batch of requests.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMock } from '../src/server.js';

const mock = await startMock({ seed: 'bench' });
let cannedBody = Buffer.alloc(0);
const baseline = createServer((req, res) => {
  req.resume();
  req.once('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': cannedBody.length });
    res.end(cannedBody);
  });
});
await new Promise<void>((resolve) => baseline.listen(0, '127.0.0.1', resolve));
const baselineUrl = `http://127.0.0.1:${(baseline.address() as AddressInfo).port}/v1`;

process.on('message', (message: { type: string; body?: string }) => {
  if (message.type === 'canned') cannedBody = Buffer.from(message.body ?? '');
  if (message.type === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send?.({ type: 'cpu', micros: user + system });
  }
  if (message.type === 'stop') void mock.close().then(() => baseline.close(() => process.exit(0)));
});
process.send?.({ type: 'ready', mockUrl: mock.url, baselineUrl });
