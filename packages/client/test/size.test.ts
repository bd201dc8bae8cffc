// The images-only bundle stays within the size target (what `pnpm bench` reports against the official SDK), and
// openapi-fetch's client (`createClient`) stays out of it: only `rawClient` pulls it in.
import { describe, expect, it } from 'vitest';
import { bundleSize, entries, SIZE_TARGET } from '../bench/size.js';

describe('images-only bundle', () => {
  it(`is at most ${SIZE_TARGET} B min + gzip (esbuild, platform neutral)`, async () => {
    const { gzip } = await bundleSize(entries.ours);
    expect(gzip).toBeLessThanOrEqual(SIZE_TARGET);
  });

  it('leaves openapi-fetch’s createClient out unless rawClient is used', async () => {
    const withRaw = [
      "import { createImagesClient, rawClient } from '@imagegen/client';",
      "console.log(await rawClient(createImagesClient({ apiKey: 'k' })).POST('/images/generations', { body: { prompt: 'x' } }));",
    ].join('\n');
    const [images, raw] = await Promise.all([bundleSize(entries.ours), bundleSize(withRaw)]);
    // createClient with its serializers and middleware is about 2.5 KB gzip.
    expect(raw.gzip - images.gzip).toBeGreaterThan(2000);
  });
});
