// The three clients the benchmarks compare, each making the same request: POST a JSON generation body to
// the generate operation's path and parse the JSON (or, with stream: true, iterate the events).
import { createRequire } from 'node:module';
import { createImagesClient } from '@imagegen/client';
import { clientOperations } from '@imagegen/types';
import { clientDir } from './size.js';

export type ClientName = 'raw' | 'ours' | 'openai';
export const clientNames: ClientName[] = ['raw', 'ours', 'openai'];

/** The slice of the official SDK the benchmark uses. */
interface OpenAILike {
  images: { generate(body: { prompt: string; stream?: boolean }, options?: { headers: Record<string, string> }): Promise<unknown> };
}
const { OpenAI } = createRequire(`${clientDir}package.json`)('openai') as {
  OpenAI: new (options: { apiKey: string; baseURL: string; maxRetries: number }) => OpenAILike;
};

export const body = { prompt: 'A sea otter in a teacup', model: 'gpt-image-1', size: '1024x1024' } as const;

/** A streamed generation: STREAM_EVENTS events (partial images, then the completed one) of STREAM_BYTES base64 in all. */
export const STREAM_BYTES = 8 * 1024 * 1024;
export const STREAM_EVENTS = 4;
const streamBody = { ...body, stream: true, partial_images: STREAM_EVENTS - 1 } as const;
/** The mock pads each image to this many bytes: its base64 is STREAM_BYTES / STREAM_EVENTS. */
const streamHeaders = { 'x-imagegen-mock-fault': `image-bytes=${((STREAM_BYTES / STREAM_EVENTS) * 3) / 4}` };
/** The generate operation's path (from the spec's operation table), for the two raw-fetch baselines. */
const GENERATE = (clientOperations.generate as { path: string }).path;

/** `generate(stream)` for each client; no retries, the same API key and base URL. */
export function clients(baseURL: string): Record<ClientName, (stream?: boolean) => Promise<unknown>> {
  const ours = createImagesClient({ apiKey: 'sk-bench', baseURL, maxRetries: 0 });
  const official = new OpenAI({ apiKey: 'sk-bench', baseURL, maxRetries: 0 });
  return {
    raw: async () => {
      const response = await fetch(`${baseURL}${GENERATE}`, {
        method: 'POST',
        headers: { Authorization: 'Bearer sk-bench', 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    },
    ours: (stream = false) => (stream ? ours.images.generate(streamBody, { headers: streamHeaders }) : ours.images.generate(body)),
    openai: (stream = false) =>
      stream ? official.images.generate(streamBody, { headers: streamHeaders }) : official.images.generate(body),
  };
}

/**
 * The floor of a streamed generation: raw fetch of the same stream, the body gathered, decoded once and each event's
 * `data` parsed with `JSON.parse` — the least any client must do with these bytes (it yields the events only at the
 * end, so it is not a usable client). Resolves to the events.
 */
export async function parseOnly(baseURL: string): Promise<Array<{ b64_json: string }>> {
  const response = await fetch(`${baseURL}${GENERATE}`, {
    method: 'POST',
    headers: { Authorization: 'Bearer sk-bench', 'Content-Type': 'application/json', Accept: 'text/event-stream', ...streamHeaders },
    body: JSON.stringify(streamBody),
  });
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  const events: Array<{ b64_json: string }> = [];
  for (const block of Buffer.concat(chunks).toString().split('\n\n')) {
    const data = block.indexOf('data: ');
    if (data >= 0) events.push(JSON.parse(block.slice(data + 6)));
  }
  return events;
}
