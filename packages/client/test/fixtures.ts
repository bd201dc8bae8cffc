import { type ClientOptions, createImagesClient, type Logger } from '../src/node.js';

/** A fake key; tests assert it never shows up in errors or logs. */
export const API_KEY = 'sk-test-SECRET-0123456789abcdef';

const pad = (head: number[], size = 64) => {
  const bytes = new Uint8Array(size);
  bytes.set(head);
  return bytes;
};
/** Files with the right magic bytes (not decodable images; the client only sniffs the header). */
export const PNG = pad([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
export const JPEG = pad([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46]);
export const WEBP = pad([...new TextEncoder().encode('RIFF'), 56, 0, 0, 0, ...new TextEncoder().encode('WEBPVP8 ')]);

/** A logger that records every line (message and details) it is given. */
export function recordingLogger(): Logger & { lines: unknown[][] } {
  const lines: unknown[][] = [];
  const record = (...args: unknown[]) => void lines.push(args);
  return { lines, error: record, warn: record, info: record, debug: record };
}

/** A client for the test server: fast retries are up to each test (retry-after-ms: 0). */
export function testClient(baseURL: string, options: ClientOptions = {}) {
  return createImagesClient({ apiKey: API_KEY, baseURL, logLevel: 'off', ...options });
}

/** A gpt-image stream event of the given kind, built from the test's own data. */
export const partialEvent = (type: string, index: number, b64 = 'AAAA') => ({
  type,
  b64_json: b64,
  created_at: 1,
  size: '1024x1024',
  quality: 'low',
  background: 'opaque',
  output_format: 'png',
  partial_image_index: index,
});
export const completedEvent = (type: string, b64 = 'BBBB') => ({
  type,
  b64_json: b64,
  created_at: 2,
  size: '1024x1024',
  quality: 'low',
  background: 'opaque',
  output_format: 'png',
  usage: { total_tokens: 3, input_tokens: 1, output_tokens: 2, input_tokens_details: { text_tokens: 1, image_tokens: 0 } },
});
