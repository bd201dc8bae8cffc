// The three clients the benchmarks compare, each making the same request: POST a JSON generation body to
// <baseURL>/images/generations and parse the JSON (or, with stream: true, iterate the events).
import { createRequire } from 'node:module';
import { createImagesClient } from '@imagegen/client';
import { clientDir } from './size.js';

export type ClientName = 'raw' | 'ours' | 'openai';
export const clientNames: ClientName[] = ['raw', 'ours', 'openai'];

/** The slice of the official SDK the benchmark uses. */
interface OpenAILike {
  images: { generate(body: { prompt: string; stream?: boolean }): Promise<unknown> };
}
const { OpenAI } = createRequire(`${clientDir}package.json`)('openai') as {
  OpenAI: new (options: { apiKey: string; baseURL: string; maxRetries: number }) => OpenAILike;
};

export const body = { prompt: 'A sea otter in a teacup', model: 'gpt-image-1', size: '1024x1024' } as const;

/** `generate(stream)` for each client; no retries, the same API key and base URL. */
export function clients(baseURL: string): Record<ClientName, (stream?: boolean) => Promise<unknown>> {
  const ours = createImagesClient({ apiKey: 'sk-bench', baseURL, maxRetries: 0 });
  const official = new OpenAI({ apiKey: 'sk-bench', baseURL, maxRetries: 0 });
  return {
    raw: async () => {
      const response = await fetch(`${baseURL}/images/generations`, {
        method: 'POST',
        headers: { Authorization: 'Bearer sk-bench', 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    },
    ours: (stream = false) => ours.images.generate({ ...body, stream }),
    openai: (stream = false) => official.images.generate({ ...body, stream }),
  };
}
