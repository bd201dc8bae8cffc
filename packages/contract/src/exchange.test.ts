import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExchangeContext, send } from './exchange.js';
import { SchemaValidator } from './schema.js';
import { loadSpec } from './spec.js';

const spec = loadSpec();
const op = [...spec.operations.values()][0];
const ctx: ExchangeContext = {
  spec,
  validator: new SchemaValidator(spec),
  timeoutMs: 30_000,
  hasKey: true,
  mode: 'proxy',
  rateLimitRetries: 1,
};

// Answers each request with the next queued 429's headers, then 200.
let queue: Array<Record<string, string>> = [];
const server = createServer((req, res) => {
  req.resume();
  const hints = queue.shift();
  if (!hints) return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  res.writeHead(429, { 'content-type': 'application/json', 'x-request-id': 'req_1', ...hints });
  res.end('{"error":{"message":"slow down","type":"requests","param":null,"code":null}}');
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The wait `send` noted for one 429 with these headers (it then resends and gets a 200). */
async function waitNoted(hints: Record<string, string>): Promise<number> {
  if (!op) throw new Error('expected an operation');
  queue = [hints];
  const notes: string[] = [];
  const { response } = await send(ctx, op, `${url}${op.path}`, undefined, {}, notes, [], 200);
  expect(response.status).toBe(200);
  const seconds = /waited (\d+\.\d) s/.exec(notes.join('\n'))?.[1];
  if (seconds === undefined) throw new Error(`no wait noted: ${notes.join('; ')}`);
  return Number(seconds);
}

describe('send, rate limited', () => {
  it('waits as the client would: retry-after-ms, retry-after seconds or HTTP date, 0 included', async () => {
    expect(await waitNoted({ 'retry-after-ms': '50', 'retry-after': '9' })).toBe(0.1);
    expect(await waitNoted({ 'retry-after': '0' })).toBe(0);
    const date = await waitNoted({ 'retry-after': new Date(Date.now() + 2000).toUTCString() });
    expect(date).toBeGreaterThanOrEqual(0.6); // more than the backoff (0.4–0.5 s)
    expect(date).toBeLessThanOrEqual(2);
  });
  it('backs off as the client does without a hint, or past one of more than 60 s', async () => {
    for (const hints of [{}, { 'retry-after': '120' }]) {
      const wait = await waitNoted(hints);
      expect(wait).toBeGreaterThanOrEqual(0.4);
      expect(wait).toBeLessThanOrEqual(0.5);
    }
  });
});
