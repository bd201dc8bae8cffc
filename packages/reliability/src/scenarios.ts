// The fault scenarios: what the server does, what the client is asked, and what must come out.
import { appendFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIStreamError,
  APIUserAbortError,
  AuthenticationError,
  fromPath,
  InternalServerError,
  OpenAIError,
  RateLimitError,
  StreamIdleTimeoutError,
} from '@imagegen/client';
import { encodeSse } from '@imagegen/client/internal/sse';
import { drain, type Scenario, type ScenarioRun, secretLeaks } from './fault-suite.js';

const generate = { prompt: 'a lighthouse at dawn', model: 'gpt-image-1' } as const;
const streamGenerate = { ...generate, stream: true, partial_images: 2 } as const;

const gaps = (run: ScenarioRun) => run.requests.slice(1).map((r, i) => r.at - (run.requests[i]?.at ?? r.at));

/** The retry delays the client announced in its `retrying … in N ms` log lines, in order. */
function retryDelays(run: ScenarioRun): number[] {
  return run.logLines.flatMap((line) => {
    const ms = /retrying .* in (\d+) ms/.exec(line)?.[1];
    return ms === undefined ? [] : [Number(ms)];
  });
}

function attempts(n: number) {
  return (run: ScenarioRun) => (run.requests.length === n ? [] : [`expected ${n} request(s), server saw ${run.requests.length}`]);
}

function all(...checks: Array<(run: ScenarioRun) => string[]>) {
  return (run: ScenarioRun) => checks.flatMap((c) => c(run));
}

function minGap(ms: number) {
  return (run: ScenarioRun) => {
    const short = gaps(run).filter((g) => g < ms - 5);
    return short.length ? [`retry waited ${short.join(', ')} ms; the server asked for ${ms} ms`] : [];
  };
}

function events(n: number) {
  return (run: ScenarioRun) => (run.events.length === n ? [] : [`expected ${n} event(s) before the end, got ${run.events.length}`]);
}

function sameUploadBytes(run: ScenarioRun): string[] {
  const hashes = new Set(run.requests.map((r) => r.bodyHash));
  return hashes.size === 1
    ? []
    : [`retried uploads differ: ${run.requests.map((r) => `${r.body.length} B ${r.bodyHash.slice(0, 8)}`).join(' / ')}`];
}

function messageMatches(re: RegExp) {
  return (run: ScenarioRun) => {
    const message = String((run.error as Error | undefined)?.message);
    return re.test(message) ? [] : [`message ${JSON.stringify(message.slice(0, 200))} does not match ${re}`];
  };
}

const MB = 2 ** 20;

/**
 * A server that sends `body` as a stream one byte every `everyMs`: the mock drips as well (`drip-ms`), but its events
 * carry real images, minutes at this pace.
 */
async function dripServer(body: string, everyMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    const bytes = Buffer.from(body);
    let i = 0;
    const timer = setInterval(() => {
      if (i < bytes.length) res.write(bytes.subarray(i, ++i));
      else {
        clearInterval(timer);
        res.end();
      }
    }, everyMs);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const scenarios: Scenario[] = [
  {
    name: '429 storm, retry-after-ms, then success',
    faults: [
      '429;message=slow down;retry-after-ms=150',
      '429;message=slow down;retry-after-ms=150',
      '429;message=slow down;retry-after-ms=150',
    ],
    client: { maxRetries: 3 },
    call: (c, env) => c.images.generate(generate, { signal: env.signal }),
    expect: 'success',
    check: all(attempts(4), minGap(150)),
  },
  {
    name: '429 with retry-after: 1 (seconds), then success',
    faults: ['429;message=slow down;retry-after=1'],
    call: (c, env) => c.images.generate(generate, { signal: env.signal }),
    expect: 'success',
    check: all(attempts(2), minGap(1000)),
  },
  {
    name: '429 storm longer than maxRetries',
    faults: '429;message=rate limit reached for requests;retry-after-ms=20;request-id=req_429',
    call: (c, env) => c.images.generate(generate, { signal: env.signal }),
    expect: RateLimitError,
    check: all(attempts(3), (run) => {
      const e = run.error as RateLimitError;
      return e.status === 429 && e.requestID === 'req_429' && /rate limit/.test(e.message)
        ? []
        : [`status/requestID/message wrong: ${e.status} ${e.requestID} ${e.message}`];
    }),
  },
  {
    name: '500, 502, 503 burst (default backoff), then success',
    faults: ['500', '502', '503'],
    client: { maxRetries: 3 },
    call: (c, env) => c.images.generate(generate, { signal: env.signal }),
    expect: 'success',
    check: all(attempts(4), (run) => {
      // The delays the client computed (its `retrying … in N ms` log lines): min(0.5 s × 2^n, 8 s) minus up to 25 %
      // jitter; and it really waited that long. How much longer a busy machine took is not the client's doing.
      const delays = retryDelays(run);
      const problems: string[] = [];
      if (delays.length !== 3 || delays.some((d, n) => d < 500 * 2 ** n * 0.75 - 1 || d > 500 * 2 ** n + 1)) {
        problems.push(`backoff delays ${delays.join(', ')} ms are not 0.5/1/2 s − up to 25 %`);
      }
      const short = gaps(run).filter((g, n) => g < (delays[n] ?? 0) - 5);
      if (short.length) problems.push(`waited ${gaps(run).join(', ')} ms, less than the delays ${delays.join(', ')} ms`);
      return problems;
    }),
  },
  {
    name: '503 burst longer than maxRetries',
    faults: '503;retry-after-ms=10',
    call: (c, env) => c.images.generate(generate, { signal: env.signal }),
    expect: InternalServerError,
    check: attempts(3),
  },
  {
    name: 'reset before headers, twice, then success',
    faults: ['reset', 'reset'],
    call: (c, env) => c.images.generate(generate, { signal: env.signal }),
    expect: 'success',
    check: attempts(3),
  },
  {
    name: 'reset before headers, every time',
    faults: 'reset',
    client: { maxRetries: 1 },
    call: (c, env) => c.images.generate(generate, { signal: env.signal }),
    expect: APIConnectionError,
    check: attempts(2),
  },
  {
    name: 'reset mid-body, then success',
    faults: ['reset-after-bytes=512'],
    call: (c, env) => c.images.generate(generate, { signal: env.signal }),
    expect: 'success',
    check: attempts(2),
  },
  {
    name: 'reset mid-body, every time',
    faults: 'reset-after-bytes=512',
    client: { maxRetries: 1 },
    call: (c, env) => c.images.generate(generate, { signal: env.signal }),
    expect: APIConnectionError,
    check: attempts(2),
  },
  {
    name: 'stream: 2 partial images, completed, [DONE] (baseline)',
    faults: ['pacing-ms=10;done'],
    call: async (c, env) => drain(await c.images.generate(streamGenerate, { signal: env.signal }), env),
    expect: 'success',
    check: all(attempts(1), events(3)),
  },
  {
    name: 'reset mid-stream',
    faults: ['reset-after-events=2;pacing-ms=20'],
    call: async (c, env) => drain(await c.images.generate(streamGenerate, { signal: env.signal }), env),
    expect: APIConnectionError,
    check: all(attempts(1), events(2)),
  },
  {
    name: 'stream drips 1 byte / 100 ms (idle 1 s, timeout 1 s)',
    target: () => dripServer(encodeSse(undefined, '{"type":"x"}'), 100),
    client: { streamIdleTimeout: 1000, timeout: 1000 },
    call: async (c, env) => drain(await c.images.generate(streamGenerate, { signal: env.signal }), env),
    expect: 'success',
    check: events(1), // the requests went to the drip server, not the mock
  },
  {
    name: 'stream stalls after one event (idle 300 ms)',
    faults: ['stall-after-events=1'],
    client: { streamIdleTimeout: 300 },
    call: async (c, env) => drain(await c.images.generate(streamGenerate, { signal: env.signal }), env),
    expect: StreamIdleTimeoutError,
    check: all(attempts(1), events(1)),
  },
  {
    name: 'stream stalls before the first event (idle 300 ms)',
    faults: ['stall-after-events=0'],
    client: { streamIdleTimeout: 300 },
    call: async (c, env) => drain(await c.images.generate(streamGenerate, { signal: env.signal }), env),
    expect: StreamIdleTimeoutError,
    check: events(0),
  },
  {
    name: 'consumer leaves a stream early (break)',
    faults: ['pacing-ms=100'],
    call: async (c, env) => {
      for await (const event of await c.images.generate(streamGenerate, { signal: env.signal })) {
        env.events.push(event);
        break;
      }
    },
    expect: 'success',
    check: events(1),
  },
  {
    name: 'error SSE event',
    faults: ['error-after-events=1;message=Your request was rejected by the safety system.;code=moderation_blocked'],
    call: async (c, env) => drain(await c.images.generate(streamGenerate, { signal: env.signal }), env),
    expect: APIStreamError,
    check: all(attempts(1), events(1), messageMatches(/safety system/), (run) =>
      (run.error as APIStreamError).code === 'moderation_blocked' ? [] : ['code not moderation_blocked'],
    ),
  },
  {
    name: 'truncated JSON (complete 200 response)',
    faults: ['truncate-bytes=40'],
    call: (c, env) => c.images.generate(generate, { signal: env.signal }),
    expect: APIError,
    check: all(attempts(1), messageMatches(/JSON|^200\b/)),
  },
  {
    name: 'invalid JSON with a 200',
    faults: ['body=invalid-json'],
    call: (c, env) => c.images.generate(generate, { signal: env.signal }),
    expect: APIError,
    check: all(attempts(1), messageMatches(/JSON|^200\b/)),
  },
  {
    name: 'HTML error page with a 502',
    faults: '502;body=html;retry-after-ms=10',
    call: (c, env) => c.images.generate(generate, { signal: env.signal }),
    expect: InternalServerError,
    check: all(attempts(3), messageMatches(/^502 .*Bad Gateway/), (run) => {
      // What a user reads: the page's text, not its markup or its stylesheet.
      const m = (run.error as Error).message;
      return m.length <= 320 && !/[<>{}]/.test(m)
        ? []
        : [`message has markup or CSS (${m.length} chars): ${JSON.stringify(m.slice(0, 80))}`];
    }),
  },
  {
    name: 'wrong content type: text/html 200 for a JSON request',
    faults: ['body=html'],
    call: (c, env) => c.images.generate(generate, { signal: env.signal }),
    expect: APIError,
    check: attempts(1),
  },
  {
    name: 'wrong content type: application/json 200 for a stream',
    faults: ['no-stream'],
    call: async (c, env) => drain(await c.images.generate(streamGenerate, { signal: env.signal }), env),
    expect: APIError,
    subclassOk: true,
    check: attempts(1),
  },
  {
    name: 'empty 200 body for a stream',
    faults: 'body=empty',
    call: async (c, env) => drain(await c.images.generate(streamGenerate, { signal: env.signal }), env),
    expect: APIError,
    subclassOk: true,
    check: attempts(1),
  },
  {
    name: '100 MB JSON response',
    // 75 MiB of image, 100 MiB of base64.
    faults: [`image-bytes=${75 * MB}`],
    client: { timeout: 30_000 },
    call: async (c, env) => {
      const res = await c.images.generate(generate, { signal: env.signal });
      return res.data?.[0]?.b64_json?.length;
    },
    expect: 'success',
    check: (run) => {
      const out: string[] = [];
      if (typeof run.value !== 'number' || run.value < 99 * MB) out.push(`b64_json has ${String(run.value)} chars`);
      if (run.peakRssDeltaMb > 1024) out.push(`peak RSS grew ${Math.round(run.peakRssDeltaMb)} MB (bound 1024 MB)`);
      return out;
    },
  },
  {
    name: '32 MB SSE event',
    // One event (no partial images): 24 MiB of image, 32 MiB of base64.
    faults: [`image-bytes=${24 * MB}`],
    call: async (c, env) => drain(await c.images.generate({ ...generate, stream: true }, { signal: env.signal }), env),
    expect: 'success',
    check: all(events(1), (run) => (run.peakRssDeltaMb > 512 ? [`peak RSS grew ${Math.round(run.peakRssDeltaMb)} MB (bound 512 MB)`] : [])),
  },
  {
    name: 'headers never come (timeout 300 ms)',
    faults: 'stall',
    client: { timeout: 300, maxRetries: 1 },
    call: (c, env) => c.images.generate(generate, { signal: env.signal }),
    expect: APIConnectionTimeoutError,
    check: attempts(2),
  },
  {
    name: 'stream headers never come (timeout 300 ms)',
    faults: 'stall',
    client: { timeout: 300, maxRetries: 0 },
    call: async (c, env) => drain(await c.images.generate(streamGenerate, { signal: env.signal }), env),
    expect: APIConnectionTimeoutError,
    check: attempts(1),
  },
  {
    name: 'user abort during a 30 s retry-after wait',
    faults: '429;message=slow down;retry-after=30',
    call: (c, env) => {
      const controller = new AbortController();
      env.signal.addEventListener('abort', () => controller.abort(), { once: true });
      setTimeout(() => controller.abort(new Error('user gave up')), 200);
      return c.images.generate(generate, { signal: controller.signal });
    },
    expect: APIUserAbortError,
    check: attempts(1),
  },
  {
    name: 'upload (fromPath + Buffer) retried after 500, reset, 503',
    faults: ['500;retry-after-ms=10', 'reset', '503;retry-after-ms=10'],
    client: { maxRetries: 3 },
    call: async (c, env) =>
      c.images.edit(
        {
          prompt: 'add a red boat',
          model: 'gpt-image-1',
          image: [await fromPath(env.files.png), env.files.pngBytes.subarray(0, 4096)],
          mask: env.files.pngBytes.subarray(0, 2048),
        },
        { signal: env.signal },
      ),
    expect: 'success',
    check: all(attempts(4), sameUploadBytes, (run) =>
      run.requests.every((r) => r.body.includes(run.files.pngBytes)) ? [] : ['an attempt did not carry the whole fromPath file'],
    ),
  },
  {
    // openAsBlob snapshots size and mtime; a file that changes afterwards can no longer be read. With an explicit
    // type nothing is read before the upload starts, so the failure comes from inside fetch.
    name: 'upload file changes after fromPath (explicit type)',
    call: async (c, env) => {
      const file = path.join(env.files.dir, 'changing.png');
      writeFileSync(file, env.files.pngBytes);
      const image = await fromPath(file, { type: 'image/png' });
      await new Promise((resolve) => setTimeout(resolve, 10));
      appendFileSync(file, 'appended later');
      return c.images.edit({ prompt: 'p', image }, { signal: env.signal });
    },
    expect: OpenAIError,
    subclassOk: true,
    check: messageMatches(/changing\.png|changed|read/i),
  },
  {
    name: 'key echo: malformed stream event quoting the key',
    faults: ['echo-authorization'],
    call: async (c, env) => drain(await c.images.generate(streamGenerate, { signal: env.signal }), env),
    expect: APIStreamError,
    check: all(attempts(1), (run) => {
      const where = secretLeaks(run.error, run.apiKey);
      return where.length ? [`the key appears in the error via ${where.join(', ')}`] : [];
    }),
  },
  {
    name: 'key echo: server puts the key in the error body and a header',
    faults: '401;echo-authorization',
    call: (c, env) => c.images.generate(generate, { signal: env.signal }),
    expect: AuthenticationError,
    check: all(attempts(1), (run) => {
      const where = secretLeaks(run.error, run.apiKey);
      const logged = run.logLines.filter((l) => l.includes(run.apiKey)).length;
      return [
        ...(where.length ? [`the key appears in the error via ${where.join(', ')}`] : []),
        ...(logged ? [`the key appears in ${logged} log line(s)`] : []),
      ];
    }),
  },
];
