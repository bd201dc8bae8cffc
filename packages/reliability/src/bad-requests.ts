// Requests that are certainly wrong: the client must refuse them before sending, naming the field and the value.
import { createImagesClient, fromPath, type ImagesClient, OpenAIError, ValidationError } from '@imagegen/client';
import type { MockServer } from '@imagegen/mock';
import type { SuiteFiles } from './fault-suite.js';

export interface BadRequest {
  name: string;
  call(client: ImagesClient, files: SuiteFiles): Promise<unknown>;
  /** The class the call must reject with. */
  expect: typeof OpenAIError;
  /** Each must match the message (field, value, what is wrong). */
  message: Array<RegExp | ((files: SuiteFiles) => RegExp)>;
}

const png = (files: SuiteFiles) => files.pngBytes.subarray(0, 1024);
const literal = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

export const badRequests: BadRequest[] = [
  {
    name: 'generate: prompt missing',
    call: (c) => c.images.generate({} as never),
    expect: ValidationError,
    message: [/prompt/, /non-empty string/, /undefined/],
  },
  { name: 'generate: prompt empty', call: (c) => c.images.generate({ prompt: '' }), expect: ValidationError, message: [/prompt/, /""/] },
  {
    name: 'generate: prompt whitespace only',
    call: (c) => c.images.generate({ prompt: '  \n' }),
    expect: ValidationError,
    message: [/prompt/, /non-empty/],
  },
  {
    name: 'generate: prompt not a string',
    call: (c) => c.images.generate({ prompt: 42 } as never),
    expect: ValidationError,
    message: [/prompt/, /42/],
  },
  {
    name: 'edit: empty image list',
    call: (c) => c.images.edit({ prompt: 'p', image: [] }),
    expect: ValidationError,
    message: [/\bimage\b/, /empty/],
  },
  {
    name: 'edit (JSON): empty images list',
    call: (c) => c.images.edit({ prompt: 'p', images: [] } as never),
    expect: ValidationError,
    message: [/\bimages\b/, /empty/],
  },
  {
    name: 'edit: 17 images (max 16)',
    call: (c, f) => c.images.edit({ prompt: 'p', image: Array.from({ length: 17 }, () => png(f)) }),
    expect: ValidationError,
    message: [/\bimage\b/, /17/, /16/],
  },
  {
    name: 'edit (JSON): 17 image references (max 16)',
    call: (c) =>
      c.images.edit({
        prompt: 'p',
        images: Array.from({ length: 17 }, (_, i) => ({ image_url: `https://example.com/${i}.png` })),
      } as never),
    expect: ValidationError,
    message: [/\bimages\b/, /17/, /16/],
  },
  {
    name: 'edit: no image',
    call: (c) => c.images.edit({ prompt: 'p' } as never),
    expect: ValidationError,
    message: [/\bimage\b/, /required/],
  },
  {
    name: 'fromPath: path does not exist',
    call: async (_, f) => fromPath(f.missing),
    expect: OpenAIError,
    message: [/fromPath/, (f) => literal(f.missing)],
  },
  // Node's fs.openAsBlob accepts a directory and fails only when read: fromPath must refuse it up front.
  {
    name: 'fromPath: a directory',
    call: async (c, f) => c.images.edit({ prompt: 'p', image: await fromPath(f.directory) }),
    expect: OpenAIError,
    message: [(f) => literal(f.directory)],
  },
  {
    name: 'fromPath: a directory, explicit type',
    call: async (c, f) => c.images.edit({ prompt: 'p', image: await fromPath(f.directory, { type: 'image/png' }) }),
    expect: OpenAIError,
    message: [(f) => literal(f.directory)],
  },
  {
    name: 'fromPath: a text file',
    call: async (c, f) => c.images.edit({ prompt: 'p', image: await fromPath(f.textFile) }),
    expect: ValidationError,
    message: [/\bimage\b/, /not a PNG, JPEG or WebP/, /these are no|74 68 65 73/],
  },
  {
    name: 'edit: text mask',
    call: (c, f) => c.images.edit({ prompt: 'p', image: png(f), mask: Buffer.from('not a mask') }),
    expect: ValidationError,
    message: [/\bmask\b/, /not a PNG, JPEG or WebP/],
  },
  {
    name: 'edit: 2nd of 2 images is a GIF',
    call: (c, f) => c.images.edit({ prompt: 'p', image: [png(f), Buffer.from('GIF89a......')] }),
    expect: ValidationError,
    message: [/image\[1\]/],
  },
  {
    name: 'createVariation: empty file',
    call: (c) => c.images.createVariation({ image: new Uint8Array(0) }),
    expect: ValidationError,
    message: [/\bimage\b/, /empty|""/],
  },
];

export interface BadRequestResult {
  name: string;
  outcome: string;
  ms: number;
  /** Requests the server saw (must be 0). */
  requests: number;
  problems: string[];
}

/** Run one bad request against `server` (which must see nothing) and list what is wrong with the refusal. */
export async function checkBadRequest(bad: BadRequest, server: MockServer, files: SuiteFiles): Promise<BadRequestResult> {
  const client = createImagesClient({ apiKey: 'sk-reliability-requests', baseURL: server.url, maxRetries: 2, logLevel: 'off' });
  await server.settle();
  server.closeAll();
  server.requests.length = 0;
  const started = performance.now();
  const error = await bad.call(client, files).then(
    () => undefined,
    (e: unknown) => e,
  );
  const ms = Math.round(performance.now() - started);
  await server.settle(); // a half-sent upload is recorded when the server notices the broken connection
  const problems: string[] = [];
  const message = String((error as Error | undefined)?.message ?? '');
  if (error === undefined) problems.push('the call did not reject');
  else if (!(error instanceof bad.expect))
    problems.push(`expected ${bad.expect.name}, got ${(error as object).constructor?.name}: ${message.slice(0, 120)}`);
  else {
    for (const m of bad.message) {
      const re = typeof m === 'function' ? m(files) : m;
      if (!re.test(message)) problems.push(`message ${JSON.stringify(message.slice(0, 160))} does not match ${re}`);
    }
  }
  if (server.requests.length) problems.push(`the server saw ${server.requests.length} request(s)`);
  const outcome = error === undefined ? 'success' : `${(error as object).constructor?.name}: ${message.slice(0, 90)}`;
  return { name: bad.name, outcome, ms, requests: server.requests.length, problems };
}
